/**
 * Runs that last (issue 5), as a user meets them: a run cut off by a reload is listed as
 * interrupted and continued from its checkpoint without losing or repeating an epoch; a model
 * exported as a zip, deleted and imported again scores new images exactly as before.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { loadDemoAndConfigure, runsTable, scoreCsv, storedRuns, watchErrors } from './studioPage';

const SHOTS = 'test-results/screenshots';

test('a run cut off by a reload is listed as interrupted, continues from its checkpoint, and keeps every epoch exactly once', async ({ page }) => {
  test.setTimeout(900_000);
  const errors = watchErrors(page);
  await page.goto('/');
  await loadDemoAndConfigure(page, 4);
  await page.getByRole('button', { name: 'Start' }).click();

  // The checkpoint of epoch 2 (both runs finished it) is stored: cut the run off there.
  const checkpoint = page.getByTestId('checkpoint-line');
  await expect(checkpoint).toContainText('Checkpoint of epoch 2 saved', { timeout: 600_000 });
  console.log(`checkpoint of tiny, baseline + 2 DML peers: ${await checkpoint.getAttribute('data-bytes')} bytes; ${await checkpoint.innerText()}`);
  await page.reload();

  const row = runsTable(page).getByRole('row').filter({ hasText: 'images · baseline + DML' });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('interrupted');
  await row.getByRole('button', { name: 'Continue run' }).click();

  // The page no longer holds the data: it names the folder and the score file, and checks them.
  const prompt = page.getByRole('region', { name: 'Continue a run' });
  await expect(prompt).toContainText('choose the folder “images” (300 images) and the score file “mos.csv”');
  await expect(prompt.getByRole('button', { name: 'Continue with this data' })).toBeDisabled();
  await page.getByLabel('Image folder', { exact: true }).setInputFiles('public/demo/images');
  await page.getByLabel('Score file', { exact: true }).setInputFiles('public/demo/mos.csv');
  await expect(prompt).toContainText('The data matches: the same 300 images.');
  await prompt.getByRole('button', { name: 'Continue with this data' }).click();

  // The stored epochs are drawn at once, then the run goes on from its checkpoint.
  const srcc = page.getByTestId('metric-srcc');
  await expect(page.getByText(/Continued from the checkpoint of epoch 2/)).toBeVisible();
  await expect(srcc).toHaveAttribute('data-epochs', '2');
  await expect(page.getByText(/^Finished/)).toBeVisible({ timeout: 600_000 });
  await expect(srcc).toHaveAttribute('data-epochs', '4');
  // Baseline, DML peers A and B, DML ensemble: 4 points each.
  await expect(srcc.locator('.recharts-line-dot')).toHaveCount(16);

  const stored = await storedRuns(page);
  expect(stored).toHaveLength(1);
  expect(stored[0]!.status).toBe('finished');
  expect(stored[0]!.lastCheckpoint).toBe(4);
  expect([...stored[0]!.epochs].sort()).toEqual(['baseline1', 'baseline2', 'baseline3', 'baseline4', 'dml1', 'dml2', 'dml3', 'dml4']);
  await expect(row).toContainText('finished');
  await expect(row).toContainText('4/4 epochs');
  await page.getByRole('heading', { name: /Runs/ }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/runs-continued-1280x720.png` });
  expect(errors).toEqual([]);
});

test('export a run as a zip, delete it, import the zip: it scores new images exactly as before', async ({ page }, testInfo) => {
  test.setTimeout(600_000);
  const errors = watchErrors(page);
  await page.goto('/');
  await loadDemoAndConfigure(page, 1);
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByText(/^Finished/)).toBeVisible({ timeout: 480_000 });
  // Renamed, the run exports and imports under its new name.
  await runsTable(page).getByRole('row').filter({ hasText: 'images · baseline + DML' }).getByRole('button', { name: 'Rename' }).click();
  await page.getByLabel('New name', { exact: true }).fill('one epoch');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  const row = runsTable(page).getByRole('row').filter({ hasText: 'one epoch' });
  await expect(row).toContainText('finished');

  // Storage: usage and quota shown; persistence asked for (headless Chromium answers without a prompt).
  await expect(page.getByText(/^Storage: .* used of /)).toBeVisible();
  await page.getByRole('button', { name: 'Keep data persistent' }).click();
  await expect(page.getByText(/The browser (will keep the runs|said no)|kept persistently/)).toBeVisible();

  // Two demo images in a folder of their own.
  const dir = mkdtempSync(join(tmpdir(), 'score-'));
  for (const f of ['I03_05_03.png', 'I07_04_01.png']) copyFileSync(join('public/demo/images', f), join(dir, f));
  const before = await scoreCsv(page, dir);
  expect(before[0]).toEqual(['image', 'Baseline', 'DML ensemble', 'DML peer A', 'DML peer B']);
  expect(before.map((r) => r[0])).toEqual(['image', 'I03_05_03.png', 'I07_04_01.png']);
  await expect(page.getByRole('table', { name: 'Predicted scores' }).locator('img')).toHaveCount(2);

  const download = page.waitForEvent('download');
  await row.getByRole('button', { name: 'Export model' }).click();
  const zip = await download;
  expect(zip.suggestedFilename()).toBe('one_epoch-epoch1.zip');
  const zipPath = testInfo.outputPath(zip.suggestedFilename());
  await zip.saveAs(zipPath);

  await row.getByRole('button', { name: 'Delete' }).click();
  await row.getByRole('button', { name: 'Confirm delete' }).click();
  await expect(page.getByText('No runs yet.')).toBeVisible();
  expect(await storedRuns(page)).toEqual([]);

  await page.getByLabel('Model zip', { exact: true }).setInputFiles(zipPath);
  await expect(page.getByText(/^Imported “one epoch” from one_epoch-epoch1\.zip/)).toBeVisible({ timeout: 120_000 });
  await expect(runsTable(page).getByRole('row').filter({ hasText: 'one epoch' })).toContainText('finished');

  const after = await scoreCsv(page, dir);
  expect(after[0]).toEqual(before[0]);
  expect(after.map((r) => r[0])).toEqual(before.map((r) => r[0]));
  for (let i = 1; i < before.length; i++)
    for (let c = 1; c < before[i]!.length; c++) {
      const [b, a] = [Number(before[i]![c]), Number(after[i]![c])];
      expect(Number.isFinite(b)).toBe(true);
      expect(Math.abs(a - b), `${before[0]![c]} of ${before[i]![0]}: ${b} before, ${a} after`).toBeLessThanOrEqual(1e-5);
    }
  await page.getByRole('heading', { name: /Score images/ }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/runs-scored-1280x720.png` });
  expect(errors).toEqual([]);
});
