/**
 * The wasm backend's threaded SIMD binary in the training worker. `vite preview` sends the
 * cross-origin isolation headers (vite.config.ts), so the harness page may share memory
 * with the worker's pthreads: the worker must report the threaded binary, by default on every
 * core but one (the page's), asked for every core on every core (tfjs alone would cap a
 * 2-core machine at 1 thread), and train to the same losses on any thread count, and as the
 * SIMD binary on a page without the headers.
 * Needs a machine with at least 2 cores.
 */
import { expect, test, type Page } from '@playwright/test';
import type { EpochEvent, StepEvent } from '../src/core/train/history';
import type { Harness, HarnessStart } from '../src/worker/harness';
import type { BackendReport, FromWorker } from '../src/worker/protocol';

declare global {
  interface Window {
    __dmlHarness: Harness;
  }
}

/** The threadpool never exceeds the 8 pthread workers tfjs's binary pre-creates. */
const MAX_THREADS = 8;

/** A DML pair at 64×64, 24 training images at batch 8 (3 full steps per epoch), 2 epochs. */
const RUN: HarnessStart = {
  backend: 'wasm',
  mode: 'dml',
  epochs: 2,
  size: 64,
  images: 32,
  batchSize: 8,
  split: 'random',
  config: { valFrac: 0 },
};

interface Trained {
  isolated: boolean;
  cores: number;
  report: BackendReport;
  steps: StepEvent[];
  epochs: EpochEvent[];
}

/** The harness page; `isolated: false` serves it without COOP/COEP (as a host that sends neither would). */
async function open(page: Page, isolated: boolean): Promise<void> {
  if (!isolated) {
    await page.route('**/harness.html', async (route) => {
      const response = await route.fetch();
      const headers = { ...response.headers() };
      delete headers['cross-origin-opener-policy'];
      delete headers['cross-origin-embedder-policy'];
      await route.fulfill({ response, headers });
    });
  }
  await page.goto('/harness.html');
  await page.waitForFunction(() => document.title.endsWith('ready'));
}

async function train(page: Page, o: HarnessStart): Promise<Trained> {
  const { msgs, isolated, cores } = await page.evaluate(async (o) => {
    const h = window.__dmlHarness;
    await h.start(o);
    await h.when('finished');
    return { msgs: h.messages, isolated: crossOriginIsolated, cores: navigator.hardwareConcurrency };
  }, o);
  expect(msgs.filter((m) => m.type === 'error')).toEqual([]);
  const report = msgs.find((m): m is BackendReport => m.type === 'backend')!;
  expect(report.name).toBe('wasm');
  return {
    isolated,
    cores,
    report,
    steps: msgs.flatMap((m: FromWorker) => (m.type === 'steps' ? m.steps : [])),
    epochs: msgs.flatMap((m: FromWorker) => (m.type === 'epoch' ? [m.event] : [])),
  };
}

/** Every step's and epoch's losses, and the last test predictions, equal within float32 rounding. */
function expectSameTraining(a: Trained, b: Trained): void {
  const close = (x: number, y: number) => Math.abs(x - y) <= 1e-4 * Math.abs(y) + 1e-6;
  const values = (t: Trained) => ({
    steps: t.steps.map((s) => [...s.losses.supervised, ...s.losses.mimicry]),
    epochs: t.epochs.map((e) => [...e.trainLoss.supervised, ...e.trainLoss.mimicry]),
    predictions: t.epochs.at(-1)!.predictions.ensemble!,
  });
  const va = values(a);
  const vb = values(b);
  expect(va.steps.length).toBe(6);
  expect(va.epochs.length).toBe(2);
  expect(va.predictions.length).toBe(8);
  expect(va.steps.map((s) => s.length)).toEqual(vb.steps.map((s) => s.length));
  expect(va.predictions.length).toBe(vb.predictions.length);
  const pairs = [
    ...va.steps.flatMap((s, i) => s.map((v, j) => [v, vb.steps[i]![j]!] as const)),
    ...va.epochs.flatMap((e, i) => e.map((v, j) => [v, vb.epochs[i]![j]!] as const)),
    ...va.predictions.map((v, i) => [v, vb.predictions[i]!] as const),
  ];
  const off = pairs.filter(([x, y]) => !close(x, y));
  expect(off, `values that differ by more than 1e-4 relative (of ${pairs.length})`).toEqual([]);
  // Training moved: the comparison is not of untrained nets.
  expect(va.steps[0]![0]).not.toBe(va.steps.at(-1)![0]);
}

test('cross-origin isolated: the worker runs the threaded SIMD binary on every core but one by default, on every core when asked, and trains the same', async ({ page }) => {
  test.setTimeout(90_000);
  await open(page, true);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  expect(cores).toBeGreaterThan(1);
  const all = Math.min(cores, MAX_THREADS);
  const threaded = await train(page, { ...RUN, wasmThreads: all });
  expect(threaded.isolated).toBe(true);
  // The thread count is tfjs's threadpool read back after start-up.
  expect(threaded.report.wasm).toEqual({ binary: 'threaded-simd', threads: all });

  const byDefault = await train(page, RUN);
  expect(byDefault.report.wasm).toEqual({ binary: 'threaded-simd', threads: Math.min(cores - 1, MAX_THREADS) });
  expectSameTraining(threaded, byDefault);

  const single = await train(page, { ...RUN, wasmThreads: 1 });
  expect(single.report.wasm).toEqual({ binary: 'threaded-simd', threads: 1 });
  expectSameTraining(threaded, single);
});

test('without the headers: the SIMD binary on 1 thread, the report says why, and the same training', async ({ page, browser }) => {
  test.setTimeout(60_000);
  await open(page, false);
  const simd = await train(page, RUN);
  expect(simd.isolated).toBe(false);
  expect(simd.report.wasm).toMatchObject({ binary: 'simd', threads: 1 });
  expect(simd.report.wasm!.why).toMatch(/not cross-origin isolated.*Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/);

  const other = await browser.newPage();
  try {
    await open(other, true);
    const threaded = await train(other, RUN);
    expect(threaded.report.wasm!.binary).toBe('threaded-simd');
    expectSameTraining(threaded, simd);
  } finally {
    await other.close();
  }
});
