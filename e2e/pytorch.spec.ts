/**
 * "Outgrow the browser", as a user goes round it: a run trained in the studio is exported as a
 * PyTorch project zip, its train.py trains it under Debian's PyTorch, and the results.json it
 * writes is imported back into the runs list, marked "trained in PyTorch", and overlaid on the
 * studio run's charts.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { loadDemoAndConfigure, watchErrors } from './studioPage';
import { strFromU8, unzipSync } from 'fflate';

const PYTHON = '/usr/bin/python3';
const DEMO = resolve('public/demo');

test('export a run as a PyTorch project, train it with train.py, import its results.json: listed as trained in PyTorch and compared', async ({ page }) => {
  test.setTimeout(150_000);
  const errors = watchErrors(page);
  await page.goto('/');
  await loadDemoAndConfigure(page, 1);
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByText(/^Finished/)).toBeVisible({ timeout: 90_000 });
  console.log(`studio: 1 epoch of baseline + DML at 32×32 in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const table = page.getByRole('table', { name: 'Runs' });
  const studioRow = table.getByRole('row').filter({ hasText: 'images · baseline + DML', hasNotText: 'trained in PyTorch' });
  await expect(studioRow).toHaveCount(1);
  const download = page.waitForEvent('download');
  await studioRow.getByRole('button', { name: 'Export as PyTorch project' }).click();
  const zipFile = await download;
  expect(zipFile.suggestedFilename()).toMatch(/-pytorch\.zip$/);
  await expect(page.getByText(/Exported .*-pytorch\.zip/)).toBeVisible();
  const entries = unzipSync(readFileSync(await zipFile.path()));
  const paths = Object.keys(entries).map((p) => p.replace(/^[^/]+\//, ''));
  for (const f of ['train.py', 'config.json', 'split.json', 'README.md', 'requirements.txt', 'scores.csv']) expect(paths).toContain(f);
  expect(paths.filter((p) => p.startsWith('weights/seed-1.'))).toHaveLength(2);

  const dir = mkdtempSync(join(tmpdir(), 'pt-e2e-'));
  for (const [p, bytes] of Object.entries(entries)) {
    const to = join(dir, p.replace(/^[^/]+\//, ''));
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, bytes);
  }
  const exported = JSON.parse(strFromU8(entries[Object.keys(entries).find((p) => p.endsWith('/config.json'))!]!));
  expect(exported.config).toMatchObject({ mode: 'both', epochs: 1, input: { kind: 'resize', width: 32, height: 32 } });
  const py = spawnSync(PYTHON, ['train.py', '--images', DEMO, '--out', 'results.json'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  expect(py.status, `${py.stdout}${py.stderr}${py.error?.message ?? ''}`).toBe(0);
  console.log(py.stdout.trim().split('\n').slice(-2).join('\n'));

  await page.getByLabel('PyTorch results.json', { exact: true }).setInputFiles(join(dir, 'results.json'));
  await expect(page.getByText(/trained in PyTorch from results\.json/)).toBeVisible();
  const pytorchRow = table.getByRole('row').filter({ hasText: 'trained in PyTorch' });
  await expect(pytorchRow).toHaveCount(1);
  await expect(pytorchRow).toContainText('images · baseline + DML');
  await expect(pytorchRow).toContainText('finished');
  await expect(pytorchRow).toContainText('1/1 epochs');
  await expect(pytorchRow).toContainText(/SRCC baseline -?\d\.\d+ · DML -?\d\.\d+/);
  // No networks came back: it cannot be exported again, and says why.
  for (const name of ['Export model', 'Export as PyTorch project']) {
    const b = pytorchRow.getByRole('button', { name });
    await expect(b).toBeDisabled();
    await expect(b).toHaveAttribute('title', /Trained in PyTorch/);
  }
  await expect(pytorchRow.getByRole('button', { name: 'Continue run' })).toHaveCount(0);

  // Overlaid on the studio run's charts, like any two runs.
  await studioRow.getByRole('checkbox').check();
  await pytorchRow.getByRole('checkbox').check();
  await expect(page.getByRole('heading', { name: 'Compare runs' })).toBeVisible();
  await page.getByRole('heading', { name: 'Compare runs' }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screenshots/pytorch-round-trip-1280x720.png' });
  expect(errors).toEqual([]);
});
