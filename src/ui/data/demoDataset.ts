/**
 * The built-in demo set (public/demo): fetched file by file and turned into the same
 * File objects a picked folder gives, so the rest of the studio cannot tell the difference.
 */
import type { DatasetFile } from '../../worker/protocol';

export interface DemoManifest {
  name: string;
  scoreFile: string;
  images: string[];
  references?: string[];
  proxy?: boolean;
  description?: string;
}

export interface LoadedDemo {
  name: string;
  proxy: boolean;
  files: DatasetFile[];
  scoreFile: File;
}

const DEMO_BASE = `${import.meta.env.BASE_URL}demo/`;

async function fetchOk(url: string): Promise<Response> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`Could not load ${url} (HTTP ${res.status}). Is the studio served with its public/demo folder?`);
  return res;
}

/** A few downloads at a time: 300 small PNGs over one connection. */
async function mapLimited<T, R>(xs: readonly T[], limit: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(xs.length);
  let next = 0;
  const worker = async () => {
    while (next < xs.length) {
      const i = next++;
      out[i] = await fn(xs[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, xs.length) }, worker));
  return out;
}

export async function loadDemoDataset(onProgress?: (done: number, total: number) => void): Promise<LoadedDemo> {
  const manifest = (await (await fetchOk(`${DEMO_BASE}manifest.json`)).json()) as DemoManifest;
  const paths = [...manifest.images, ...(manifest.references ?? [])];
  let done = 0;
  const files = await mapLimited(paths, 8, async (path) => {
    const blob = await (await fetchOk(DEMO_BASE + path)).blob();
    onProgress?.(++done, paths.length);
    return { path, file: new File([blob], path.split('/').pop()!, { type: blob.type || 'image/png' }) };
  });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const scoreText = await (await fetchOk(DEMO_BASE + manifest.scoreFile)).text();
  return {
    name: manifest.name,
    proxy: manifest.proxy !== false,
    files,
    scoreFile: new File([scoreText], manifest.scoreFile, { type: 'text/csv' }),
  };
}

let demoScoreText: Promise<string | null> | null = null;

/**
 * Whether a score file the user picked is the demo's own (same text): its scores are a
 * formula, and the charts must say so even when it came through the file inputs.
 */
export async function isDemoScoreText(text: string): Promise<boolean> {
  demoScoreText ??= fetch(`${DEMO_BASE}mos.csv`)
    .then((r) => (r.ok ? r.text() : null))
    .catch(() => null);
  const demo = await demoScoreText;
  return demo !== null && normalize(demo) === normalize(text);
}

const normalize = (s: string) => s.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').trim();
