/**
 * Error analysis and exports, as a user meets them after a short demo run: the |error| histogram,
 * SRCC per distortion type, the ten worst images and the model summary render; one chart's SVG
 * and PNG, the results as CSV and JSON and the HTML report each download as a sensible file,
 * and the report opens with the network switched off.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { expect, test, type Download, type Page } from '@playwright/test';
import { loadDemoAndConfigure, watchErrors } from './studioPage';

const SHOTS = 'test-results/screenshots';

async function saved(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const download = page.waitForEvent('download');
  await click();
  const d: Download = await download;
  return { name: d.suggestedFilename(), bytes: readFileSync(await d.path()) };
}

test('after a demo run: error analysis, model summary, and every export gives a file', async ({ page, browser }) => {
  test.setTimeout(600_000);
  const errors = watchErrors(page);

  await page.goto('/');
  await loadDemoAndConfigure(page, 2);
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByRole('table', { name: 'Results' })).toBeVisible({ timeout: 480_000 });
  await expect(page.getByText(/^Finished/)).toBeVisible();
  const runName = 'images · baseline + DML · tiny 32×32';
  const testImages = Number(await page.getByRole('table', { name: 'Results' }).locator('tbody tr').first().locator('td').nth(5).innerText());
  expect(testImages).toBeGreaterThan(10);

  // The error analysis: every test image in one histogram cell, six distortion types, ten worst images.
  const analysis = page.getByRole('region', { name: 'Error analysis (test set)' });
  await expect(analysis).toBeVisible();
  const histogram = analysis.getByTestId('error-histogram');
  await expect(histogram).toContainText(`DML ensemble, epoch 2 · ${testImages} images`);
  // The counts table sits in a closed <details>: hidden from roles, there in the page.
  const counts = await analysis.locator('table[aria-label="Error histogram counts"] tbody td').allTextContents();
  expect(counts.map(Number).reduce((a, b) => a + b, 0)).toBe(testImages);
  expect(await histogram.locator('svg.chart-svg rect').count()).toBeGreaterThan(2);
  const types = analysis.getByRole('table', { name: 'SRCC per distortion type' });
  await expect(types.locator('tbody tr')).toHaveCount(6);
  await expect(types.locator('thead th')).toHaveText(['type', 'test images', 'Baseline', 'DML peer A', 'DML peer B', 'DML ensemble']);
  const worst = analysis.getByRole('table', { name: 'Ten worst-predicted test images' });
  await expect(worst.locator('tbody tr')).toHaveCount(10);
  // Largest |error| first.
  const errs = (await worst.locator('tbody tr td:last-child').allTextContents()).map((t) => Math.abs(Number(t.replace('−', '-').replace('±', ''))));
  expect(errs).toEqual([...errs].sort((a, b) => b - a));
  await analysis.getByLabel('Network').selectOption({ label: 'Baseline' });
  await expect(histogram).toContainText('Baseline, epoch 2');
  await analysis.getByLabel('Errors on').selectOption('logistic');
  await expect(analysis).toContainText('fitted 4-parameter logistic');

  // The model summary: the three networks of tiny, nothing frozen, every layer listed.
  const summary = page.getByRole('region', { name: 'Model summary' });
  const params = summary.getByRole('table', { name: 'Parameters per network' });
  await expect(params.locator('tbody th')).toHaveText(['Baseline', 'DML peer A', 'DML peer B'], { timeout: 60_000 });
  const cells = await params.locator('tbody tr').first().locator('td').allTextContents();
  expect(Number(cells[1]!.replace(/,/g, ''))).toBeGreaterThan(100_000);
  expect(cells[2]).toBe('0');
  await summary.locator('details summary').click();
  await expect(summary.getByRole('table', { name: 'Layers of Baseline' })).toContainText('head_out');
  await analysis.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/exports-analysis-1280x720.png` });

  // One chart as SVG and as PNG.
  const srcc = page.getByTestId('metric-srcc');
  await srcc.getByText('Export', { exact: true }).click();
  const svg = await saved(page, () => srcc.getByRole('button', { name: 'SVG' }).click());
  expect(svg.name).toBe('images_baseline_DML_tiny_32_32-test-srcc.svg');
  const svgText = svg.bytes.toString('utf8');
  expect(svgText).toContain('xmlns="http://www.w3.org/2000/svg"');
  const parsed = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    return { root: doc.documentElement.nodeName, error: doc.querySelector('parsererror') !== null, texts: [...doc.querySelectorAll('text')].map((t) => t.textContent) };
  }, svgText);
  expect(parsed).toMatchObject({ root: 'svg', error: false });
  expect(parsed.texts).toContain('Test SRCC · higher is better');
  expect(parsed.texts).toContain('DML ensemble');
  await srcc.getByText('Export', { exact: true }).click();
  const png = await saved(page, () => srcc.getByRole('button', { name: 'PNG (2×)' }).click());
  expect(png.name).toBe('images_baseline_DML_tiny_32_32-test-srcc.png');
  expect([...png.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const svgWidth = Number(/<svg[^>]* width="(\d+)"/.exec(svgText)![1]);
  expect(png.bytes.readUInt32BE(16)).toBe(2 * svgWidth);
  mkdirSync(SHOTS, { recursive: true });
  writeFileSync(`${SHOTS}/exports-chart.png`, png.bytes);
  writeFileSync(`${SHOTS}/exports-chart.svg`, svg.bytes);

  // The results: CSV with its header, results.json with config and final, the HTML report.
  const exports = page.getByRole('group', { name: 'Export the results' });
  const csv = await saved(page, () => exports.getByRole('button', { name: 'Results (CSV)' }).click());
  expect(csv.name).toBe('images_baseline_DML_tiny_32_32-results.csv');
  const lines = csv.bytes.toString('utf8').trim().split('\n');
  expect(lines[0]).toBe('section,network,basis,epoch,images,srcc,plcc,krcc,rmse,plcc_raw,val_srcc,sd,ci95_lo,ci95_hi,wins,repeats');
  expect(lines.filter((l) => l.startsWith('network,DML ensemble,'))).toHaveLength(2);

  const json = await saved(page, () => exports.getByRole('button', { name: 'Results (JSON)' }).click());
  const results = JSON.parse(json.bytes.toString('utf8'));
  expect(results).toMatchObject({ name: runName, config: { mode: 'both', epochs: 2, model: 'tiny' }, dataset: { images: 'images', scores: 'mos.csv', proxyScores: true }, backend: 'wasm' });
  expect(Object.keys(results)).toEqual(['name', 'config', 'dataset', 'backend', 'split', 'history', 'final', 'seconds', 'problems']);
  expect(results.history).toHaveLength(4);
  expect(results.split.test).toHaveLength(testImages);
  expect(typeof results.final.dml.ensemble.srcc).toBe('number');
  expect(results.final.selected.baseline.epoch).toBeGreaterThanOrEqual(1);

  const report = await saved(page, () => exports.getByRole('button', { name: 'HTML report' }).click());
  expect(report.name).toBe('images_baseline_DML_tiny_32_32-report.html');
  const html = report.bytes.toString('utf8');
  expect(html).toContain(runName);
  expect(html).not.toMatch(/http/i);
  expect(html).toContain('scores are a formula');
  // Four metric charts, three loss charts, the scatter plot and the error histogram.
  const figures = (html.match(/<figure><figcaption>[^<]*<\/figcaption><svg/g) ?? []).length;
  expect(figures).toBeGreaterThanOrEqual(9);
  const kb = (b: Buffer) => `${(b.length / 1024).toFixed(0)} KB`;
  console.log(`files: chart SVG ${kb(svg.bytes)}, PNG ${kb(png.bytes)} (${png.bytes.readUInt32BE(16)}×${png.bytes.readUInt32BE(20)}), CSV ${kb(csv.bytes)}, JSON ${kb(json.bytes)}, report ${kb(report.bytes)} with ${figures} charts`);

  // Offline: the report draws itself with no request beyond its own file.
  const offline = await browser.newContext({ offline: true });
  const view = await offline.newPage();
  const requests: string[] = [];
  view.on('request', (r) => requests.push(r.url()));
  await view.setContent(html);
  await expect(view.getByRole('heading', { level: 1 })).toHaveText(runName);
  await expect(view.getByRole('table', { name: 'Results' }).locator('tbody tr')).toHaveCount(5);
  await expect(view.getByRole('table', { name: 'Worst-predicted test images' }).locator('tbody tr')).toHaveCount(10);
  await expect(view.getByRole('table', { name: 'Model summary' }).locator('tbody tr')).toHaveCount(3);
  const drawn = await view.evaluate(() => [...document.querySelectorAll('figure > svg')].map((s) => s.getBoundingClientRect().width));
  expect(drawn.length).toBe(figures);
  for (const w of drawn) expect(w).toBeGreaterThan(50);
  await view.screenshot({ path: `${SHOTS}/exports-report.png`, fullPage: true });
  expect(requests).toEqual([]);
  await offline.close();

  expect(errors).toEqual([]);
});
