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
import { benchRow, type BenchCase, type BenchRow } from './benchRow';

const PORT = 4184;

export async function browserBench(cases: { c: BenchCase; images: number }[], log: (s: string) => void): Promise<BenchRow[]> {
  await buildHarness();
  const server = await serveHarness(PORT);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const rows: BenchRow[] = [];
  try {
    for (const { c, images } of cases) {
      const page = await browser.newPage();
      try {
        await page.goto(server.url);
        await page.waitForFunction(() => document.title.endsWith('ready'));
        const t0 = Date.now();
        const msgs = await page.evaluate(
          async ({ c, images }) => {
            const h = (window as unknown as { __dmlHarness: Harness }).__dmlHarness;
            await h.start({ backend: c.backend as 'wasm', mode: c.mode, model: c.model as 'tiny', epochs: 2, size: c.size, images, batchSize: c.batch, split: 'random' });
            await h.when('finished');
            return h.messages;
          },
          { c, images },
        );
        const error = msgs.find((m): m is Extract<FromWorker, { type: 'error' }> => m.type === 'error');
        if (error) throw new Error(`chromium/${c.backend}/${c.mode}: ${error.message}`);
        const report = msgs.find((m) => m.type === 'backend');
        if (report?.type === 'backend' && report.name !== c.backend) throw new Error(`chromium/${c.backend}: ${report.reason}`);
        const steps = msgs.flatMap((m): StepEvent[] => (m.type === 'steps' ? m.steps : []));
        const epochs = msgs.flatMap((m): EpochEvent[] => (m.type === 'epoch' ? [m.event] : []));
        const row = benchRow('chromium', c, steps, epochs);
        rows.push(row);
        log(`chromium ${c.backend} ${c.mode}: ${row.msPerStep} ms/step (${((Date.now() - t0) / 1000).toFixed(0)} s with ingest, compilation and evaluation)`);
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
