/** Helpers for browser tests of the studio page: load the demo set, read the run store, collect page errors. */
import { readFileSync } from 'node:fs';
import { expect, type Page } from '@playwright/test';

/** The demo set through the step-1 inputs, and a small, fast experiment. */
export async function loadDemoAndConfigure(page: Page, epochs: number, mode: 'both' | 'baseline' | 'dml' = 'both'): Promise<void> {
  await page.getByLabel('Image folder', { exact: true }).setInputFiles('public/demo/images');
  await page.getByLabel('Score file', { exact: true }).setInputFiles('public/demo/mos.csv');
  await expect(page.getByText(/300 of 300 score rows are usable/)).toBeVisible();
  await page.getByLabel('Mode', { exact: true }).selectOption(mode);
  await page.getByLabel('Epochs', { exact: true }).fill(String(epochs));
  await page.getByLabel('Input', { exact: true }).selectOption('resize');
  await page.getByLabel('Image width', { exact: true }).fill('32');
  await page.getByLabel('Image height', { exact: true }).fill('32');
  await page.getByLabel('Backend', { exact: true }).selectOption('wasm');
  await expect(page.getByRole('list', { name: 'Config problems' })).toHaveCount(0);
}

export interface StoredRun {
  id: string;
  name: string;
  status: string;
  /** "baseline1", "dml2", … in stored order. */
  epochs: string[];
  lastCheckpoint?: number;
  /** The run kinds the last checkpoint holds, and each kind's epoch in the best one. */
  lastRuns?: string[];
  bestEpochs?: Record<string, number>;
  /** The validation-chosen epochs of the final results. */
  selected?: { baseline?: number; dml?: number };
}

/** Every stored run, read straight from IndexedDB (at whatever version it has). */
export function storedRuns(page: Page): Promise<StoredRun[]> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('dml-iqa-studio');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    type Ref = { epoch: number; runs: string[]; epochs?: Record<string, number> };
    type Rec = {
      id: string;
      name: string;
      status: string;
      history: { run: string; epoch: number }[];
      checkpoints: { last?: Ref; best?: Ref };
      final?: { selected?: { baseline?: { epoch: number }; dml?: { ensemble: { epoch: number } } } };
    };
    const runs = await new Promise<Rec[]>((resolve, reject) => {
      const r = db.transaction('runs').objectStore('runs').getAll();
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    db.close();
    return runs.map((r) => ({
      id: r.id,
      name: r.name,
      status: r.status,
      epochs: r.history.map((e) => `${e.run}${e.epoch}`),
      lastCheckpoint: r.checkpoints.last?.epoch,
      lastRuns: r.checkpoints.last?.runs,
      bestEpochs: r.checkpoints.best?.epochs,
      selected: { baseline: r.final?.selected?.baseline?.epoch, dml: r.final?.selected?.dml?.ensemble.epoch },
    }));
  });
}

export const runsTable = (page: Page) => page.getByRole('table', { name: 'Runs' });

/** Uncaught page errors and console errors, collected from now on. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(`${m.text()} ${m.location().url}`));
  return errors;
}

/** Score the images in `dir` with the model chosen in "Score with"; the downloaded CSV as rows of cells. */
export async function scoreCsv(page: Page, dir: string): Promise<string[][]> {
  await page.getByLabel('Images to score', { exact: true }).setInputFiles(dir);
  await page.getByRole('button', { name: 'Score', exact: true }).click();
  await expect(page.getByRole('table', { name: 'Predicted scores' })).toBeVisible({ timeout: 120_000 });
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download scores (CSV)' }).click();
  const text = readFileSync(await (await download).path(), 'utf8');
  return text.trim().split('\n').map((line) => line.split(','));
}
