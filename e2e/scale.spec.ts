/**
 * Data bigger than the tab may hold, in the studio as a user drives it: 2,000 generated JPEGs
 * and a KonIQ-style score file through the inputs, a memory limit (test hook) under the
 * images' size so the budget sends them to disk, the budget shown before Start, the mode in
 * use shown by the run, ingest by the decode pool with images/s, one epoch trained from the
 * private file system, finite results.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { deviceAllowance, memoryBudget } from '../src/core/data/memoryBudget';
import { budgetInput, modelFootprint } from '../src/core/models/footprint';
import { QUICK_DEMO, type TrainConfig } from '../src/core/train/config';

const COUNT = 2000;
const SIZE = 32;
let dir: string;

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dml-scale-'));
  const images = join(dir, 'images');
  const rows = ['image_name,MOS'];
  const { mkdirSync } = await import('node:fs');
  mkdirSync(images);
  // Small JPEGs with content that varies (a gradient and a blur level per image): the score follows the blur.
  for (let i = 0; i < COUNT; i++) {
    const blur = (i % 5) + 0.3;
    const base = Buffer.alloc(64 * 48 * 3);
    for (let p = 0; p < 64 * 48; p++) {
      const x = p % 64;
      const y = Math.floor(p / 64);
      base[p * 3] = (x * 4 + i) & 255;
      base[p * 3 + 1] = (y * 5 + ((x ^ y) & 15) * 8) & 255;
      base[p * 3 + 2] = ((x * y) / 8 + i * 3) & 255;
    }
    await sharp(base, { raw: { width: 64, height: 48, channels: 3 } })
      .blur(blur)
      .jpeg({ quality: 85 })
      .toFile(join(images, `s${String(i).padStart(5, '0')}.jpg`));
    rows.push(`s${String(i).padStart(5, '0')}.jpg,${(5 - blur * 0.8).toFixed(3)}`);
  }
  writeFileSync(join(dir, 'scores.csv'), rows.join('\n') + '\n');
});

test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('2,000 images that do not fit under the memory limit stream from disk: the budget says so before Start, one epoch trains', async ({ page }) => {
  test.setTimeout(10 * 60_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const config: TrainConfig = { ...QUICK_DEMO, mode: 'baseline', epochs: 1, input: { kind: 'resize', width: SIZE, height: SIZE }, split: 'random' };
  // Room for training and half of the images: the same budget the page and the worker compute.
  const need = memoryBudget(budgetInput(config, COUNT, modelFootprint(config)), deviceAllowance({ disk: true }));
  const limitMB = (need.training + need.parts.images / 2) / 2 ** 20;
  expect(need.parts.images).toBe(COUNT * SIZE * SIZE * 3);

  await page.goto(`/?memory-limit-mb=${limitMB.toFixed(3)}`);
  await page.getByLabel('Image folder', { exact: true }).setInputFiles(join(dir, 'images'));
  await page.getByLabel('Score file', { exact: true }).setInputFiles(join(dir, 'scores.csv'));
  await expect(page.getByText(/2000 of 2000 score rows are usable/)).toBeVisible();
  await page.getByLabel('Mode', { exact: true }).selectOption('baseline');
  await page.getByLabel('Split', { exact: true }).selectOption('random');
  await page.getByLabel('Epochs', { exact: true }).fill('1');
  await page.getByLabel('Input', { exact: true }).selectOption('resize');
  await page.getByLabel('Image width', { exact: true }).fill(String(SIZE));
  await page.getByLabel('Image height', { exact: true }).fill(String(SIZE));
  await page.getByLabel('Backend', { exact: true }).selectOption('wasm');

  // Before Start: the estimate, its parts and the mode.
  const budget = page.getByTestId('memory-budget');
  await expect(budget).toHaveAttribute('data-mode', 'disk');
  await expect(budget).toContainText('streamed from disk');
  await expect(budget).toContainText(/images 6 MB, one step .* networks .* studio 300 MB/);

  await page.getByRole('button', { name: 'Start' }).click();
  // The worker's own decision, shown by the run, and the decode pool at work.
  const line = page.getByTestId('storage-line');
  await expect(line).toHaveAttribute('data-mode', 'disk');
  await expect(line).toContainText(/kept on disk \(the browser's private file system\) and streamed/);
  await expect(page.locator('.progress-text').first()).toContainText(/images\/s/);
  await expect(page.locator('.run-status')).toContainText(/Finished/, { timeout: 8 * 60_000 });
  await expect(page.locator('.progress-text').first()).toContainText(/Images read: 2000 \/ 2000/);
  await expect(page.locator('.progress-text').first()).toContainText(/decoders/);
  const srcc = page.getByRole('table', { name: 'Results' }).locator('tbody tr').first().locator('td').first();
  expect(Number.isFinite(Number((await srcc.innerText()).replace('−', '-')))).toBe(true);
  // The decoded file is gone from the private file system once the run ends.
  const left = await page.evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    const names: string[] = [];
    for await (const [name, h] of (root as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries())
      if (h.kind === 'directory') for await (const n of (h as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(`${name}/${n}`);
    return names;
  });
  expect(left).toEqual([]);
  expect(errors).toEqual([]);
});
