/**
 * Ingest at KonIQ-10k's scale, in Chromium, through the studio as a user drives it:
 *   npm run bench:ingest -- [--count 10000] [--sizes 224x224,384x512] [--out ingest.json] [--no-train] [--device-gb 8]
 * Makes a KonIQ-shaped set once (N JPEGs at 1024×768 from the demo's photos, each with its own
 * crop, tint, blur and grain, by sharp, in node_modules/.cache: not committed) and a
 * KonIQ-style score file; then, per storage size, picks the folder and the score file in the
 * studio, presses Start and reads: the memory budget's mode, the ingest rate (images/s), the
 * peak memory of every decode worker and of the trainer worker (their JS heaps, from
 * measureUserAgentSpecificMemory), the renderer process's peak resident memory (the tab's,
 * workers included) and, unless --no-train, the seconds from Start to the first training step.
 * The first step is of the Paper preset at that size as the budget says it fits on wasm:
 * the baseline alone at batch 2 (a DML pair at batch 8 needs about 20 GB there).
 * The budget is that of a laptop with --device-gb of memory (default 8: the tab may use 4 GB),
 * through the studio's memory-limit test hook, whatever this machine has.
 * A persistent Chromium profile keeps the private file system on disk, as a user's does.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import sharp from 'sharp';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/chromium';
import { buildHarness, serveHarness } from './harnessServer';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const PORT = 4186;

function parseArgs(argv: string[]) {
  const o = { count: 10_000, sizes: ['224x224', '384x512'], out: 'ingest.json', train: true, deviceGB: 8 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--count') o.count = Number(argv[++i]);
    else if (a === '--sizes') o.sizes = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--out') o.out = argv[++i] ?? o.out;
    else if (a === '--no-train') o.train = false;
    else if (a === '--device-gb') o.deviceGB = Number(argv[++i]);
    else throw new Error(`Unknown option ${a}. Usage: npm run bench:ingest -- [--count 10000] [--sizes 224x224,384x512] [--out ingest.json] [--no-train] [--device-gb 8]`);
  }
  if (!(o.count >= 10)) throw new Error('--count must be at least 10.');
  return o;
}

/** N KonIQ-shaped JPEGs (1024×768) from the demo's reference photos, made once and kept. */
async function koniqShaped(count: number, log: (s: string) => void): Promise<{ images: string; scores: string }> {
  const dir = join(ROOT, 'node_modules/.cache/koniq-shaped', String(count));
  const images = join(dir, 'images');
  const scores = join(dir, 'koniq10k_scores.csv');
  if (existsSync(scores) && readdirSync(images).length === count) return { images, scores };
  mkdirSync(images, { recursive: true });
  const demo = join(ROOT, 'public/demo/images');
  const refs = readdirSync(demo).filter((f) => /^I\d+\.png$/.test(f));
  // Grain: one random tile, cut at a different place for every image.
  const grain = Buffer.from(Array.from({ length: 1280 * 960 }, () => Math.floor(Math.random() * 256)));
  const rows = ['image_name,c1,c2,c3,c4,c5,c_total,MOS,SD,set'];
  const t0 = Date.now();
  let rnd = 12345;
  const next = () => ((rnd = (rnd * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < count; i++) {
    const ref = join(demo, refs[i % refs.length]!);
    const blur = next() * 2.5;
    const crop = 96 + Math.floor(next() * 32);
    const left = Math.floor(next() * (128 - crop));
    const top = Math.floor(next() * (128 - crop));
    const gx = Math.floor(next() * 256);
    const gy = Math.floor(next() * 192);
    const noise = await sharp(grain, { raw: { width: 1280, height: 960, channels: 1 } }).extract({ left: gx, top: gy, width: 1024, height: 768 }).toBuffer();
    let img = sharp(ref)
      .extract({ left, top, width: crop, height: Math.round(crop * 0.75) })
      .resize(1024, 768, { fit: 'fill', kernel: 'lanczos3' })
      .modulate({ brightness: 0.8 + next() * 0.4, saturation: 0.7 + next() * 0.6, hue: Math.floor(next() * 40 - 20) });
    if (blur > 0.3) img = img.blur(blur);
    const base = await img.removeAlpha().raw().toBuffer();
    const amount = 10 + next() * 25;
    for (let p = 0; p < base.length; p++) base[p] = Math.max(0, Math.min(255, base[p]! + ((noise[Math.floor(p / 3)]! - 128) * amount) / 128));
    const name = `${String(10_000_000 + i * 7919)}.jpg`;
    await sharp(base, { raw: { width: 1024, height: 768, channels: 3 } }).jpeg({ quality: 80 + Math.floor(next() * 15) }).toFile(join(images, name));
    const mos = Math.max(1, Math.min(100, 80 - blur * 18 - amount * 0.6 + next() * 10));
    const set = i % 10 < 7 ? 'training' : i % 10 < 8 ? 'validation' : 'test';
    rows.push(`${name},0,0,0,0,0,0,${mos.toFixed(2)},10,${set}`);
    if ((i + 1) % 1000 === 0) log(`made ${i + 1} of ${count} JPEGs (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  writeFileSync(scores, rows.join('\n') + '\n');
  return { images, scores };
}

/** Resident memory of Chromium's renderer processes, now and at their peak (VmRSS, VmHWM in /proc). */
function rendererMemory(): { rss: number; hwm: number } {
  let rss = 0;
  let hwm = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('--type=renderer') || !cmd.includes(CHROMIUM_PATH.split('/').pop()!)) continue;
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
      rss = Math.max(rss, kb('VmRSS'));
      hwm = Math.max(hwm, kb('VmHWM'));
    } catch {
      // Gone meanwhile.
    }
  }
  return { rss, hwm };
}

/** Per scope (the trainer, a decoder, the page), the bytes measureUserAgentSpecificMemory attributes to it. */
async function workerHeaps(page: Page): Promise<Record<string, number>> {
  return page.evaluate(async () => {
    const measure = (performance as unknown as { measureUserAgentSpecificMemory?: () => Promise<{ breakdown: { bytes: number; attribution: { url: string; scope: string }[] }[] }> })
      .measureUserAgentSpecificMemory;
    if (!measure) return {};
    const r = await measure.call(performance);
    const out: Record<string, number> = {};
    for (const b of r.breakdown)
      for (const a of b.attribution) {
        const key = a.scope === 'DedicatedWorkerGlobalScope' ? (/decode/.test(a.url) ? 'decoder' : /trainer/.test(a.url) ? 'trainer' : a.url.split('/').pop()!) : a.scope;
        out[key] = Math.max(out[key] ?? 0, b.bytes);
      }
    return out;
  });
}

interface SizeResult {
  size: string;
  images: number;
  mode: string | null;
  why: string | null;
  imagesPerSec: number;
  ingestSeconds: number;
  decoders: number | null;
  peakDecoderHeapMB: number;
  peakTrainerHeapMB: number;
  peakRendererRssMB: number;
  /** The same peaks while decoding only (before the backends are timed). */
  ingestPeakTrainerHeapMB: number;
  ingestPeakRendererRssMB: number;
  /** Every scope's peak, as measured. */
  heaps: Record<string, number>;
  firstStepSeconds: number | null;
  error?: string;
}

async function runSize(page: Page, set: { images: string; scores: string }, count: number, size: string, train: boolean, deviceGB: number, log: (s: string) => void): Promise<SizeResult> {
  const [w, h] = size.split('x').map(Number) as [number, number];
  await page.goto(`/?memory-limit-mb=${(deviceGB * 1024) / 2}`);
  await page.getByLabel('Image folder', { exact: true }).setInputFiles(set.images);
  await page.getByLabel('Score file', { exact: true }).setInputFiles(set.scores);
  await page.getByText(new RegExp(`${count} of ${count} score rows are usable`)).waitFor({ timeout: 10 * 60_000 });
  await page.getByRole('button', { name: 'Paper', exact: true }).click();
  await page.getByLabel('Image width', { exact: true }).fill(String(w));
  await page.getByLabel('Image height', { exact: true }).fill(String(h));
  await page.getByLabel('Mode', { exact: true }).selectOption('baseline');
  await page.getByLabel('Batch size', { exact: true }).fill('2');
  await page.getByLabel('Backend', { exact: true }).selectOption('wasm');
  const budget = await page.getByTestId('memory-budget').innerText();
  log(`${size}: before Start: ${budget}`);
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Start' }).click();
  const result: SizeResult = {
    size,
    images: count,
    mode: null,
    why: null,
    imagesPerSec: 0,
    ingestSeconds: 0,
    decoders: null,
    peakDecoderHeapMB: 0,
    peakTrainerHeapMB: 0,
    peakRendererRssMB: 0,
    ingestPeakTrainerHeapMB: 0,
    ingestPeakRendererRssMB: 0,
    heaps: {},
    firstStepSeconds: null,
  };
  let ingesting = true;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const heaps = await workerHeaps(page).catch(() => ({}) as Record<string, number>);
      result.peakDecoderHeapMB = Math.max(result.peakDecoderHeapMB, (heaps.decoder ?? 0) / 2 ** 20);
      result.peakTrainerHeapMB = Math.max(result.peakTrainerHeapMB, (heaps.trainer ?? 0) / 2 ** 20);
      const rss = rendererMemory().rss / 2 ** 20;
      result.peakRendererRssMB = Math.max(result.peakRendererRssMB, rss);
      for (const [k, v] of Object.entries(heaps)) result.heaps[k] = Math.max(result.heaps[k] ?? 0, v / 2 ** 20);
      if (ingesting) {
        result.ingestPeakTrainerHeapMB = result.peakTrainerHeapMB;
        result.ingestPeakRendererRssMB = Math.max(result.ingestPeakRendererRssMB, rss);
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
  })();
  try {
    const line = page.getByTestId('storage-line');
    await line.waitFor({ timeout: 5 * 60_000 });
    result.mode = await line.getAttribute('data-mode');
    result.why = await line.innerText();
    const read = page.getByText(/Images read: \d+ \/ \d+/);
    await read.waitFor({ timeout: 30 * 60_000 });
    result.ingestSeconds = (Date.now() - t0) / 1000;
    ingesting = false;
    const text = await page.locator('.progress-text').first().innerText();
    result.imagesPerSec = Number(/([\d.]+) images\/s/.exec(text)?.[1] ?? 0);
    result.decoders = Number(/(\d+) decoders/.exec(text)?.[1] ?? 0) || null;
    log(`${size}: ${text} (${result.ingestSeconds.toFixed(0)} s after Start)`);
    if (train) {
      await page.getByText(/step 1 \//).first().waitFor({ timeout: 20 * 60_000 });
      result.firstStepSeconds = (Date.now() - t0) / 1000;
      log(`${size}: first step ${result.firstStepSeconds.toFixed(0)} s after Start`);
    }
  } catch (err) {
    const error = await page.locator('.error-box, [role=alert]').first().innerText().catch(() => '');
    result.error = `${(err as Error).message.split('\n')[0]} ${error}`.trim();
    log(`${size}: failed: ${result.error}`);
  } finally {
    sampling = false;
    await sampler;
    await page.getByRole('button', { name: 'Stop' }).click({ timeout: 5000 }).catch(() => {});
  }
  return result;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const log = (s: string) => console.log(s);
  const set = await koniqShaped(o.count, log);
  const bytes = readdirSync(set.images).reduce((s, f) => s + readFileSync(join(set.images, f)).length, 0);
  log(`${o.count} JPEGs at 1024×768, ${(bytes / 2 ** 20).toFixed(0)} MB, in ${set.images}`);
  await buildHarness();
  const server = await serveHarness(PORT);
  const results: SizeResult[] = [];
  const load = [loadavg()[0]!];
  for (const size of o.sizes) {
    // A fresh profile per size: each starts from an empty private file system, on disk.
    const profile = mkdtempSync(join(tmpdir(), 'dml-ingest-profile-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      args: [...CHROMIUM_ARGS, '--enable-blink-features=ForceEagerMeasureMemory'],
      baseURL: server.url.replace('/harness.html', ''),
      viewport: { width: 1280, height: 900 },
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      results.push(await runSize(page, set, o.count, size, o.train, o.deviceGB, log));
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }
  load.push(loadavg()[0]!);
  await server.close();
  console.log(`\nA ${o.deviceGB} GB laptop's budget. Memory: JS heaps (measureUserAgentSpecificMemory) and the renderer's resident memory, while decoding / in all (with the first step).`);
  console.log('size      mode    images/s  ingest s  decoders  decoder heap  trainer heap       renderer RSS          first step s');
  const mb = (a: number, b: number) => `${a.toFixed(0)} / ${b.toFixed(0)} MB`.padStart(18);
  for (const r of results)
    console.log(
      `${r.size.padEnd(9)} ${String(r.mode).padEnd(7)} ${r.imagesPerSec.toFixed(0).padStart(8)}  ${r.ingestSeconds.toFixed(0).padStart(8)}  ${String(r.decoders ?? '—').padStart(8)}  ${r.peakDecoderHeapMB.toFixed(0).padStart(9)} MB ${mb(r.ingestPeakTrainerHeapMB, r.peakTrainerHeapMB)} ${mb(r.ingestPeakRendererRssMB, r.peakRendererRssMB)}  ${r.firstStepSeconds === null ? '—' : r.firstStepSeconds.toFixed(0)}${r.error ? `  (${r.error})` : ''}`,
    );
  console.log(`\nLoad average ${load.map((l) => l.toFixed(1)).join(' at the start, ')} at the end, on ${availableParallelism()} cores.`);
  writeFileSync(o.out, JSON.stringify({ count: o.count, fileBytes: bytes, results, load }, null, 2) + '\n');
  console.log(`Wrote ${o.out}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
