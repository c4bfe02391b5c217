/**
 * The studio as a user drives it: load the demo set through the "Image folder" and
 * "Score file" inputs with real files, pick a fast config, train baseline and DML side
 * by side, and read the results. Screenshots land in test-results/screenshots/.
 */
import { expect, test, type Page } from '@playwright/test';
import { configFromHash } from '../src/ui/experiment/studioConfig';

const SHOTS = 'test-results/screenshots';

/** The metric cells of the Results table, as numbers ("−0.012" uses a real minus sign). */
async function resultNumbers(page: Page): Promise<{ row: string; values: number[] }[]> {
  const table = page.getByRole('table', { name: 'Results' });
  const rows = table.locator('tbody tr');
  const out: { row: string; values: number[] }[] = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const row = rows.nth(i);
    const name = (await row.locator('th').innerText()).trim();
    // The five metric columns (SRCC, PLCC, KRCC, RMSE, PLCC raw); the images column is a count.
    const cells = (await row.locator('td').allInnerTexts()).slice(0, 5);
    out.push({ row: name, values: cells.map((t) => Number(t.trim().replace('−', '-').replace('±', '').replace('+', ''))) });
  }
  return out;
}

test('load the demo set through the inputs, train baseline and DML, read finite results', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(`${m.text()} ${m.location().url}`));

  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'DML-IQA Studio' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Start' })).toBeDisabled();

  // Real files: the folder (its top directory "images" is stripped from the paths) and the score file.
  await page.getByLabel('Image folder', { exact: true }).setInputFiles('public/demo/images');
  await page.getByLabel('Score file', { exact: true }).setInputFiles('public/demo/mos.csv');

  // Layout detected, every row matched, the references reported as unlabelled, proxy scores marked.
  await expect(page.getByText(/300 of 300 score rows are usable/)).toBeVisible();
  await expect(page.getByLabel('Score column', { exact: true })).toHaveValue('2');
  await expect(page.getByLabel('Reference column', { exact: true })).toHaveValue('1');
  await expect(page.getByText('images without a score row (not used)')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Download report (CSV)' })).toBeVisible();
  await expect(page.getByText('Proxy scores (formula, not human opinions)').first()).toBeVisible();
  await expect(page.locator('.thumbs img')).toHaveCount(12);

  // A fast experiment: both runs, 2 epochs, 32×32, wasm.
  await page.getByLabel('Mode', { exact: true }).selectOption('both');
  await page.getByLabel('Epochs', { exact: true }).fill('2');
  await page.getByLabel('Input', { exact: true }).selectOption('resize');
  await page.getByLabel('Image width', { exact: true }).fill('32');
  await page.getByLabel('Image height', { exact: true }).fill('32');
  await page.getByLabel('Backend', { exact: true }).selectOption('wasm');
  await expect(page.getByRole('list', { name: 'Config problems' })).toHaveCount(0);

  // The URL hash carries the config: a reload restores it.
  await expect.poll(() => page.evaluate(() => window.location.hash)).toMatch(/^#config=/);
  const json = configFromHash(await page.evaluate(() => window.location.hash));
  expect(json?.problems).toEqual([]);
  expect(json?.config).toMatchObject({ mode: 'both', epochs: 2, backend: 'wasm', input: { kind: 'resize', width: 32, height: 32 } });

  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${SHOTS}/studio-setup-1280x720.png` });

  const started = Date.now();
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByRole('button', { name: 'Stop' })).toBeEnabled();

  // Backend badge and progress while training.
  await expect(page.getByText('Backend: wasm')).toBeVisible();
  const bar = page.getByRole('progressbar', { name: 'Training progress' });
  await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 240_000 }).toBeGreaterThan(0);

  // Epoch points in the metric charts, for the baseline, the peers and the ensemble.
  const srcc = page.getByTestId('metric-srcc');
  await expect(srcc).toHaveAttribute('data-epochs', /[1-9]/, { timeout: 240_000 });
  await expect.poll(() => srcc.locator('.recharts-line-dot').count()).toBeGreaterThanOrEqual(4);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${SHOTS}/studio-training-1280x720.png` });

  // The results table, when both runs are done.
  const table = page.getByRole('table', { name: 'Results' });
  await expect(table).toBeVisible({ timeout: 480_000 });
  const seconds = (Date.now() - started) / 1000;
  console.log(`2 epochs, baseline + DML, 32×32, wasm: ${seconds.toFixed(0)} s from Start to the Results table`);
  await expect(page.getByText(/^Finished/)).toBeVisible();
  await expect(bar).toHaveAttribute('aria-valuenow', '100');

  const rows = await resultNumbers(page);
  expect(rows.map((r) => r.row)).toEqual(['Baseline', 'DML peer A', 'DML peer B', 'DML ensemble', 'DML − baseline']);
  for (const r of rows) for (const v of r.values) expect(Number.isFinite(v), `${r.row}: ${r.values.join(', ')}`).toBe(true);
  // RMSE is positive for every network; correlations lie in [-1, 1].
  for (const r of rows.slice(0, 4)) {
    expect(r.values[3]).toBeGreaterThan(0);
    for (const c of [0, 1, 2, 4]) expect(Math.abs(r.values[c]!)).toBeLessThanOrEqual(1);
  }
  // Two epoch points per network in every metric chart.
  await expect(srcc).toHaveAttribute('data-epochs', '2');
  await expect(page.getByRole('figure', { name: /Predicted score against MOS/ })).toBeVisible();
  await expect(page.getByRole('figure', { name: /Training loss per step, DML peer B/ })).toBeVisible();

  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${SHOTS}/studio-results-1280x720.png` });
  await page.screenshot({ path: `${SHOTS}/studio-results-1280-full.png`, fullPage: true });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${SHOTS}/studio-results-1920x1080.png` });
  // The charts below the fold: scroll the run column to the scatter plot.
  await page.getByRole('figure', { name: /Predicted score against MOS/ }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/studio-charts-1920x1080.png` });
  await page.screenshot({ path: `${SHOTS}/studio-results-1920-full.png`, fullPage: true });

  expect(errors).toEqual([]);
});

test('a link with a config restores it; a broken link says so', async ({ page }) => {
  const config = { mode: 'dml', epochs: 5, lambda: 0.5, peers: 3, backend: 'cpu' };
  const b64 = Buffer.from(JSON.stringify(config)).toString('base64url');
  await page.goto(`/#config=${b64}`);
  await expect(page.getByLabel('Mode', { exact: true })).toHaveValue('dml');
  await expect(page.getByLabel('Epochs', { exact: true })).toHaveValue('5');
  await expect(page.getByLabel('Peers', { exact: true })).toHaveValue('3');
  await expect(page.getByLabel('Backend', { exact: true })).toHaveValue('cpu');

  // Download the config, change it, load it back.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download config' }).click();
  const file = await (await download).path();
  const saved = JSON.parse((await import('node:fs')).readFileSync(file, 'utf8'));
  expect(saved).toMatchObject({ mode: 'dml', epochs: 5, lambda: 0.5, peers: 3, backend: 'cpu' });
  await page.getByLabel('Load config', { exact: true }).setInputFiles({
    name: 'mine.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ ...saved, epochs: 7, mode: 'baseline' })),
  });
  await expect(page.getByText('Loaded mine.json.')).toBeVisible();
  await expect(page.getByLabel('Epochs', { exact: true })).toHaveValue('7');
  await expect(page.getByLabel('Mode', { exact: true })).toHaveValue('baseline');

  await page.goto(`/#config=${Buffer.from('{"epochs": "many"}').toString('base64url')}`);
  await page.reload();
  await expect(page.getByText(/The config in the link could not be used: "epochs" must be a number/)).toBeVisible();
});

test('a score file that matches nothing is explained in words', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Image folder', { exact: true }).setInputFiles('public/demo/images');
  await page.getByLabel('Score file', { exact: true }).setInputFiles({
    name: 'scores.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('image,mos\nnot_here_1.png,3.1\nnot_here_2.png,4.0\n'),
  });
  await expect(page.getByRole('alert')).toContainText('No image matched a row of the score file');
  await expect(page.getByRole('alert')).toContainText('What to do:');
  await expect(page.getByRole('button', { name: 'Start' })).toBeDisabled();

  // Choosing another column re-runs the import, and the choice travels in the config link.
  await page.getByLabel('Score file', { exact: true }).setInputFiles('public/demo/mos.csv');
  await expect(page.getByText(/300 of 300 score rows are usable/)).toBeVisible();
  await page.getByLabel('Score column', { exact: true }).selectOption('3');
  await expect(page.getByRole('button', { name: 'Reset to the detected layout' })).toBeVisible();
  await expect.poll(async () => configFromHash(await page.evaluate(() => location.hash))?.config?.columns).toEqual({ scoreColumn: 3 });
  await page.getByRole('button', { name: 'Reset to the detected layout' }).click();
  await expect(page.getByLabel('Score column', { exact: true })).toHaveValue('2');
});

test('the demo button loads the set; Pause, Resume and Stop act on a running experiment', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Try the demo dataset' }).click();
  await expect(page.getByText(/300 of 300 score rows are usable/)).toBeVisible();
  await page.getByLabel('Epochs', { exact: true }).fill('5');
  await page.getByLabel('Input', { exact: true }).selectOption('resize');
  await page.getByLabel('Image width', { exact: true }).fill('32');
  await page.getByLabel('Image height', { exact: true }).fill('32');
  await page.getByLabel('Backend', { exact: true }).selectOption('wasm');
  await page.getByRole('button', { name: 'Start' }).click();

  const bar = page.getByRole('progressbar', { name: 'Training progress' });
  await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 240_000 }).toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Paused' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Resume' })).toBeEnabled();
  // Paused means paused: the progress does not move.
  const at = await bar.getAttribute('aria-valuenow');
  await page.waitForTimeout(1500);
  await expect(bar).toHaveAttribute('aria-valuenow', at!);

  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Training' })).toBeVisible();
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Stopped/ })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('button', { name: 'Start' })).toBeEnabled();
});
