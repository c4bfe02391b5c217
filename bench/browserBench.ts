/**
 * The benchmark's browser side: headless Debian Chromium (WebGPU through SwiftShader, as in
 * the browser tests) driving the training worker through harness.html, one fresh page per
 * backend and mode, the backend forced.
 */
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/chromium';
import { buildHarness, serveHarness } from './harnessServer';
import type { EpochEvent, StepEvent } from '../src/core/train/history';
import type { Harness } from '../src/worker/harness';
import type { FromWorker } from '../src/worker/protocol';
import { benchFailure, benchRow, CASE_LIMIT_S, type BenchCase, type BenchResult } from './benchRow';

const PORT = 4184;

/**
 * Each case in a fresh page (so a fresh worker and wasm heap). A case that fails (the worker's
 * error, a crashed page) becomes a failure row and the others go on. A 'head' row's cache time
 * runs from the worker's "training" state to the cache's last chunk: building the nets included.
 */
export async function browserBench(cases: { c: BenchCase; images: number }[], log: (s: string) => void, limitS = CASE_LIMIT_S): Promise<BenchResult[]> {
  await buildHarness();
  const server = await serveHarness(PORT);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const rows: BenchResult[] = [];
  try {
    for (const { c, images } of cases) {
      const name = `${c.model}${c.trainFrom ? `/${c.trainFrom}` : ''} ${c.mode}`;
      const page = await browser.newPage();
      try {
        await page.goto(server.url);
        await page.waitForFunction(() => document.title.endsWith('ready'));
        const t0 = Date.now();
        const { msgs, times, finished } = await page.evaluate(
          async ({ c, images, limitMs }) => {
            const h = (window as unknown as { __dmlHarness: Harness }).__dmlHarness;
            await h.start({
              backend: c.backend as 'wasm',
              mode: c.mode,
              model: c.model as 'tiny',
              ...(c.trainFrom && { backbone: { trainFrom: c.trainFrom } }),
              epochs: c.epochs ?? 2,
              size: c.size,
              images,
              batchSize: c.batch,
              split: 'random',
              // No validation set: every image not in test trains, so the batches stay full.
              config: { valFrac: 0 },
            });
            const finished = await Promise.race([h.when('finished').then(() => true), new Promise<false>((r) => setTimeout(() => r(false), limitMs))]);
            if (!finished) h.stop();
            return { msgs: h.messages, times: h.times, finished };
          },
          { c, images, limitMs: limitS * 1000 },
        );
        if (!finished) {
          const last = msgs.flatMap((m) => (m.type === 'steps' ? m.steps : [])).pop();
          const reached = last ? `step ${last.step + 1} of ${last.stepsPerEpoch} in epoch ${last.epoch + 1}` : 'no training step';
          const lastMsg = msgs[msgs.length - 1];
          const said = lastMsg ? `${lastMsg.type}${lastMsg.type === 'state' ? ` ${lastMsg.state}` : ''}` : 'nothing';
          throw new Error(`did not finish within ${limitS} s (reached ${reached}; the worker's last message: ${said})`);
        }
        const error = msgs.find((m): m is Extract<FromWorker, { type: 'error' }> => m.type === 'error');
        if (error) throw new Error(error.message);
        const report = msgs.find((m) => m.type === 'backend');
        if (report?.type === 'backend' && report.name !== c.backend) throw new Error(`ran on ${report.name}: ${report.reason}`);
        const steps = msgs.flatMap((m): StepEvent[] => (m.type === 'steps' ? m.steps : []));
        const epochs = msgs.flatMap((m): EpochEvent[] => (m.type === 'epoch' ? [m.event] : []));
        const at = (pick: (m: FromWorker) => boolean) => {
          const i = msgs.map(pick).lastIndexOf(true);
          return i < 0 ? undefined : times[i];
        };
        const training = at((m) => m.type === 'state' && m.state === 'training');
        const cached = at((m) => m.type === 'cache' && m.done === m.total);
        if (c.trainFrom === 'head' && cached === undefined) throw new Error('the worker built no feature cache');
        const row = benchRow('chromium', c, steps, epochs, cached !== undefined && training !== undefined ? cached - training : undefined);
        rows.push(row);
        log(`chromium ${c.backend} ${name}: ${row.msPerStep} ms/step (${((Date.now() - t0) / 1000).toFixed(0)} s with ingest, compilation and evaluation)`);
      } catch (err) {
        const why = err instanceof Error ? err.message.split('\n')[0]! : String(err);
        rows.push(benchFailure('chromium', c, why));
        log(`chromium ${c.backend} ${name}: failed: ${why}`);
      } finally {
        await page.close();
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return rows;
}
