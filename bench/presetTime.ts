/**
 * Seconds from Start to Results for the studio's presets, on the demo set, in Chromium:
 *   npm run bench:presets -- [--presets "Quick demo,Pretrained quick"] [--backend wasm|auto|webgpu] [--wasm-threads N] [--profile DIR]
 * What a speaker sees: the real page (the production bundle served with its COOP/COEP headers),
 * the demo loaded through `?demo`, a preset clicked, Start, and the clock stops when the run
 * says Finished. The worker's own phases (data, caching, steps) are read from the page's run
 * line as it goes, and the stored run's epochs split the time into steps and evaluation, so a
 * slow phase is named. The page's main-thread time is printed beside it (it competes with the
 * worker for the cores); --profile DIR also writes its CPU profile per preset (open it in
 * Chrome's DevTools, Performance panel) and prints the functions that took the most of it.
 */
import { chromium } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { buildHarness, serveHarness } from './harnessServer';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/chromium';

const PORT = 4191;
const LIMIT_MS = 15 * 60_000;

function parseArgs(argv: string[]) {
  const o = { presets: ['Quick demo', 'Pretrained quick'], backend: 'wasm', wasmThreads: undefined as number | undefined, profile: undefined as string | undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--presets') o.presets = (argv[++i] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--backend') o.backend = argv[++i] ?? o.backend;
    else if (a === '--wasm-threads') {
      o.wasmThreads = Number(argv[++i]);
      if (!Number.isInteger(o.wasmThreads) || o.wasmThreads < 1) throw new Error(`--wasm-threads needs a whole number ≥ 1 (got ${argv[i]}).`);
    }
    else if (a === '--profile') o.profile = argv[++i];
    else throw new Error(`Unknown option ${a}. Usage: npm run bench:presets -- [--presets "Quick demo,Pretrained quick"] [--backend wasm|auto|webgpu|webgl|cpu] [--wasm-threads N] [--profile DIR]`);
  }
  return o;
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples?: number[];
  timeDeltas?: number[];
}

/** The functions with the most self time in a CPU profile, one per line (idle left out). */
function topFunctions(p: CpuProfile, n: number): string {
  const byId = new Map(p.nodes.map((node) => [node.id, node.callFrame]));
  const self = new Map<string, number>();
  (p.samples ?? []).forEach((id, i) => {
    const f = byId.get(id)!;
    if (f.functionName === '(idle)') return;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop() ?? ''}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (p.timeDeltas?.[i] ?? 0) / 1000);
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, ms]) => `  ${ms.toFixed(0).padStart(7)} ms  ${k}`)
    .join('\n');
}

/**
 * The stored run's epochs, summed over every run kind: seconds in training steps (an epoch's
 * training images over its images/s) and in evaluation (the rest of the epoch's seconds).
 */
function phases(page: import('@playwright/test').Page): Promise<{ train: number; evaluate: number }> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('dml-iqa-studio');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    type Rec = { split: { train: string[] }; history: { seconds: number; imagesPerSec: number }[] };
    const runs = await new Promise<Rec[]>((resolve, reject) => {
      const r = db.transaction('runs').objectStore('runs').getAll();
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    db.close();
    // The page's one run: each preset gets its own page in a fresh browser context, so its own store.
    if (runs.length !== 1) throw new Error(`Expected this page's one stored run, found ${runs.length}.`);
    const run = runs[0];
    let train = 0;
    let all = 0;
    for (const e of run?.history ?? []) {
      all += e.seconds;
      train += run!.split.train.length / e.imagesPerSec;
    }
    return { train, evaluate: all - train };
  });
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const load0 = loadavg()[0]!;
  await buildHarness();
  const server = await serveHarness(PORT);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const rows: string[] = [];
  try {
    for (const name of o.presets) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      // --wasm-threads: the start message's test-only debug field, as the fault tests set it.
      if (o.wasmThreads !== undefined)
        await page.addInitScript((threads) => {
          const post = Worker.prototype.postMessage;
          Worker.prototype.postMessage = function (this: Worker, msg: unknown, ...rest: unknown[]) {
            const m = msg as { type?: string; debug?: object };
            if (m?.type === 'start') m.debug = { ...m.debug, wasmThreads: threads };
            return (post as (...a: unknown[]) => void).call(this, msg, ...rest);
          } as typeof post;
        }, o.wasmThreads);
      await page.goto(server.url.replace('harness.html', '?demo'));
      await page.getByText(/300 of 300 score rows are usable/).waitFor({ timeout: 60_000 });
      await page.getByRole('group', { name: 'Presets' }).getByRole('button', { name, exact: true }).click();
      await page.getByLabel('Backend', { exact: true }).selectOption(o.backend);
      // The page's own main-thread time (rendering the charts, handling the worker's messages):
      // on a 2-core machine it competes with the training worker.
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      const taskSeconds = async () => {
        const { metrics } = await cdp.send('Performance.getMetrics');
        return metrics.find((m) => m.name === 'TaskDuration')?.value ?? NaN;
      };
      const task0 = await taskSeconds();
      if (o.profile) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.start');
      }
      const t0 = Date.now();
      await page.getByRole('button', { name: 'Start' }).click();
      // Log each new status line with its time, so the phases show. Only the run line is read: a
      // page-wide text search every half second would itself cost the page's main thread.
      let last = '';
      let s = '';
      const status = page.locator('p.run-status');
      while (!s.startsWith('Finished')) {
        if (Date.now() - t0 > LIMIT_MS) throw new Error(`${name}: not finished after ${LIMIT_MS / 1000} s (last status: ${s})`);
        await page.waitForTimeout(500);
        s = ((await status.textContent().catch(() => '')) ?? '').replace(/\s+/g, ' ').trim().slice(0, 120);
        // A run that ended otherwise ('Stopped', 'Stopped by an error') has no time to report.
        if (s.startsWith('Stopped')) {
          const why = ((await page.locator('.error-box').first().textContent().catch(() => null)) ?? '').replace(/\s+/g, ' ').trim();
          throw new Error(`${name}: the run ended without finishing: ${s}${why ? ` (${why})` : ''}`);
        }
        const phase = s.replace(/[\d.,]+/g, '#');
        if (phase !== last) {
          console.log(`${name} +${((Date.now() - t0) / 1000).toFixed(1)} s: ${s}`);
          last = phase;
        }
      }
      const seconds = (Date.now() - t0) / 1000;
      const mainThread = (await taskSeconds()) - task0;
      if (o.profile) {
        const { profile } = await cdp.send('Profiler.stop');
        mkdirSync(o.profile, { recursive: true });
        const file = join(o.profile, `${name.replace(/\W+/g, '-')}.cpuprofile`);
        writeFileSync(file, JSON.stringify(profile));
        console.log(`${name}: the page's CPU profile is in ${file}; most self time:\n${topFunctions(profile, 12)}`);
      }
      const results = s;
      const split = await phases(page);
      console.log(
        `${name}: steps ${split.train.toFixed(1)} s, evaluation ${split.evaluate.toFixed(1)} s, the rest (start-up, data, caching, heatmaps, checkpoints) ${(seconds - split.train - split.evaluate).toFixed(1)} s`,
      );
      rows.push(`${name.padEnd(17)} ${o.backend.padEnd(7)} ${seconds.toFixed(1).padStart(7)} s  ${mainThread.toFixed(1).padStart(8)} s   ${results}`);
      console.log(`${name}: ${seconds.toFixed(1)} s from Start to Finished`);
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  console.log(`\npreset            backend  Start→Finished  page main thread busy`);
  for (const r of rows) console.log(r);
  const load1 = loadavg()[0]!;
  console.log(`\nLoad average ${load0.toFixed(1)} at the start, ${load1.toFixed(1)} at the end, on ${availableParallelism()} cores.`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
