/**
 * The same pixels in Node and in the browser: the worker's decoder (src/worker/decodeImage.ts,
 * bundled here with esbuild and run in a real Worker of Debian's Chromium) against Node's
 * (src/node/decodeImages.ts, sharp), on an EXIF-rotated JPEG, a PNG with alpha and images larger
 * than the storage size, within ±1 per channel; and the whole bad-image corpus accepted or
 * refused the same way, with the same words. The page is served by routes, not the built app.
 */
import { expect, test, type Page } from '@playwright/test';
import { build } from 'esbuild';
import { imageCorpus, pixelCases } from '../test/fixtures/bad/corpus';
import { decodeBytes } from '../src/node/decodeImages';

const ORIGIN = 'http://pixels.test';
const WORKER = `
import { blobImageDecoder } from './src/worker/decodeImage.ts';
self.onmessage = async (e) => {
  const out = [];
  for (const f of e.data) {
    const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
    const decode = blobImageDecoder(new Map([[f.name, new Blob([bytes])]]));
    try {
      const d = await decode(f.name, f.width, f.height);
      out.push({ name: f.name, width: d.width, height: d.height, data: Array.from(d.data) });
    } catch (err) {
      out.push({ name: f.name, error: err.message, fix: err.fix ?? null });
    }
  }
  self.postMessage(out);
};`;

interface Job {
  name: string;
  b64: string;
  width: number;
  height: number;
}
type Result = { name: string; width: number; height: number; data: number[] } | { name: string; error: string; fix: string | null };

async function openDecoderPage(page: Page): Promise<void> {
  const bundle = await build({ stdin: { contents: WORKER, resolveDir: process.cwd(), loader: 'ts' }, bundle: true, format: 'esm', write: false, target: 'es2022' });
  const js = bundle.outputFiles[0]!.text;
  await page.route(`${ORIGIN}/**`, (route) => {
    const url = route.request().url();
    if (url.endsWith('/worker.js')) return route.fulfill({ body: js, contentType: 'text/javascript' });
    return route.fulfill({ body: '<!doctype html><title>pixels</title>', contentType: 'text/html' });
  });
  await page.goto(`${ORIGIN}/`);
}

function decodeInBrowser(page: Page, jobs: Job[]): Promise<Result[]> {
  return page.evaluate(
    (jobs) =>
      new Promise<Result[]>((resolve, reject) => {
        const w = new Worker('/worker.js', { type: 'module' });
        w.onmessage = (e) => resolve(e.data as Result[]);
        w.onerror = (e) => reject(new Error(e.message));
        w.postMessage(jobs);
      }),
    jobs,
  );
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

async function inNode(bytes: Uint8Array, width: number, height: number) {
  try {
    return await decodeBytes(bytes, width, height);
  } catch (err) {
    return { error: (err as Error).message, fix: (err as { fix?: string }).fix ?? null };
  }
}

test('the worker decodes to the same pixels as Node: EXIF rotation, alpha on black, one Lanczos-3 resize (±1 per channel)', async ({ page }) => {
  await openDecoderPage(page);
  const cases = await pixelCases();
  const browser = await decodeInBrowser(page, cases.map((c) => ({ name: c.name, b64: b64(c.bytes), width: c.width, height: c.height })));
  for (const [k, c] of cases.entries()) {
    const got = browser[k]!;
    expect('error' in got ? got.error : null, c.name).toBeNull();
    if ('error' in got) continue;
    const want = await decodeBytes(c.bytes, c.width, c.height);
    expect([got.width, got.height], c.name).toEqual([c.width, c.height]);
    let worst = 0;
    let off = 0;
    for (let i = 0; i < want.data.length; i++) {
      const d = Math.abs(got.data[i]! - want.data[i]!);
      worst = Math.max(worst, d);
      if (d) off++;
    }
    console.log(`${c.name} → ${c.width}×${c.height}: max |browser − Node| ${worst}, ${((100 * off) / want.data.length).toFixed(2)}% of bytes differ`);
    expect(worst, c.name).toBeLessThanOrEqual(1);
  }
});

test('the bad-image corpus: the browser accepts and refuses the same files as Node, in the same words', async ({ page }) => {
  await openDecoderPage(page);
  const corpus = await imageCorpus();
  const size = (n: string) => corpus.find((c) => c.name === n)!.size ?? [8, 8];
  const browser = await decodeInBrowser(page, corpus.map((c) => ({ name: c.name, b64: b64(c.bytes), width: size(c.name)[0], height: size(c.name)[1] })));
  for (const [k, c] of corpus.entries()) {
    const got = browser[k]!;
    const node = await inNode(c.bytes, size(c.name)[0], size(c.name)[1]);
    if (c.expect === 'decodes') {
      expect('error' in got ? got.error : null, c.name).toBeNull();
      expect('error' in node ? node.error : null, c.name).toBeNull();
      if ('error' in got || 'error' in node) continue;
      // Colour management of CMYK differs between libvips and Chromium; every other file gives the same bytes.
      if (c.name === 'cmyk.jpg') continue;
      let worst = 0;
      for (let i = 0; i < node.data.length; i++) worst = Math.max(worst, Math.abs(got.data[i]! - node.data[i]!));
      expect(worst, c.name).toBeLessThanOrEqual(1);
    } else {
      expect('error' in got ? [got.error, got.fix] : null, c.name).toEqual('error' in node ? [node.error, node.fix] : 'node refuses it');
      expect('error' in got ? got.error : '', c.name).toMatch(c.expect);
    }
  }
});
