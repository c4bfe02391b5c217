/**
 * An honest experiment in the studio: 3 repeats of baseline + DML + the independent pair on the
 * demo set (each repeat its own seed and split), ending in the paired table and its chart.
 */
import { expect, test } from '@playwright/test';

test('3 repeats with control on the demo set give the paired table and the per-repeat chart', async ({ page }) => {
  test.setTimeout(240_000);
  const config = { mode: 'both', epochs: 1, repeats: 3, control: true, valFrac: 0.1, input: { kind: 'resize', width: 32, height: 32 }, backend: 'wasm' };
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`/#config=${Buffer.from(JSON.stringify(config)).toString('base64url')}`);
  await expect(page.getByLabel('Repeats', { exact: true })).toHaveValue('3');
  await expect(page.getByLabel('With control', { exact: true })).toBeChecked();
  await page.getByLabel('Image folder', { exact: true }).setInputFiles('public/demo/images');
  await page.getByLabel('Score file', { exact: true }).setInputFiles('public/demo/mos.csv');
  await expect(page.getByText(/300 of 300 score rows are usable/)).toBeVisible();
  await expect(page.getByText(/Each of the 3 repeats draws its own split/)).toBeVisible();
  await page.getByRole('button', { name: 'Start' }).click();

  const table = page.getByRole('table', { name: 'Paired differences' });
  await expect(table).toBeVisible({ timeout: 220_000 });
  await expect(table.getByRole('rowheader', { name: 'DML ensemble − baseline' })).toBeVisible();
  await expect(table.getByRole('rowheader', { name: 'DML ensemble − independent pair' })).toBeVisible();
  await expect(table.getByRole('rowheader', { name: 'DML peer A − baseline' })).toBeVisible();
  // Three per-repeat values and a wins count out of 3 on each comparison row.
  const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'DML ensemble − independent pair' }) });
  await expect(row.getByRole('cell').nth(3)).toHaveText(/^\d\/3$/);
  expect((await row.getByRole('cell').nth(4).innerText()).trim().split(/\s+/)).toHaveLength(3);
  await expect(page.getByText(/validation-chosen epoch/).first()).toBeVisible();
  const chart = page.getByRole('figure', { name: 'Paired differences per repeat' });
  await expect(chart).toBeVisible();
  await expect(chart.locator('.recharts-scatter-symbol')).toHaveCount(9);
  // The stored runs: one per repeat.
  await expect(page.getByText(/repeat 3\/3/).first()).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/paired-1280x900.png', fullPage: true });
});
