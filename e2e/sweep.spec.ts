/**
 * The honest experiments of the studio beyond repeats: a training-size sweep (2 sizes × 2
 * repeats on the demo set) ending in its table, its chart and its CSV and JSON downloads, kept as
 * one group in the runs list that exports and deletes as one; and a cross-dataset set scored
 * beside the test set (the demo set as both), whose score file matching no image names the folder.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Download, type Page } from '@playwright/test';

const SHOTS = 'test-results/screenshots';
const hash = (config: object) => `/#config=${Buffer.from(JSON.stringify(config)).toString('base64url')}`;

async function loadDemo(page: Page) {
  await page.getByLabel('Image folder', { exact: true }).setInputFiles('public/demo/images');
  await page.getByLabel('Score file', { exact: true }).setInputFiles('public/demo/mos.csv');
  await expect(page.getByText(/300 of 300 score rows are usable/).first()).toBeVisible();
}

const text = async (d: Download) => readFileSync((await d.path())!, 'utf8');
const runsTable = (page: Page) => page.getByRole('table', { name: 'Runs' });

/** Uncaught page errors and console errors, collected from now on. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(`${m.text()} ${m.location().url}`));
  return errors;
}

/** Every stored run (id, name, status, its cross-dataset set and each epoch's cross-dataset image count), read straight from IndexedDB. */
function storedRuns(page: Page) {
  return page.evaluate(
    () =>
      new Promise<{ id: string; name: string; status: string; cross?: unknown; crossImages: (number | undefined)[] }[]>((resolve, reject) => {
        const open = indexedDB.open('dml-iqa-studio');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('runs').objectStore('runs').getAll();
          get.onerror = () => reject(get.error);
          get.onsuccess = () => {
            type Rec = { id: string; name: string; status: string; cross?: unknown; history: { cross?: { peers: { n: number }[] } }[] };
            resolve((get.result as Rec[]).map((r) => ({ id: r.id, name: r.name, status: r.status, cross: r.cross, crossImages: r.history.map((e) => e.cross?.peers[0]?.n) })));
            open.result.close();
          };
        };
      }),
  );
}

test('a training-size sweep: 2 sizes × 2 repeats, its chart, CSV and JSON, and its runs as one group that exports and deletes as one', async ({ page }) => {
  test.setTimeout(420_000);
  const errors = watchErrors(page);
  const config = { mode: 'both', epochs: 1, repeats: 2, control: true, valFrac: 0.1, trainSizes: [0.5, 1], input: { kind: 'resize', width: 32, height: 32 }, backend: 'wasm' };
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(hash(config));
  // The link's sweep is the experiment type, its sizes in the field.
  await expect(page.getByLabel('Experiment', { exact: true })).toHaveValue('sweep');
  await expect(page.getByLabel('Training sizes', { exact: true })).toHaveValue('0.5, 1');
  await loadDemo(page);
  // By reference: half of each repeat's 6 training references is 3 of them (6 distortions × 5 levels each).
  await expect(page.getByText(/Training-size sweep: 0\.5 → 90, 1 → 180 training images; 4 runs/)).toBeVisible();

  // A size the training side cannot meet blocks Start, in the split's words.
  await page.getByLabel('Training sizes', { exact: true }).fill('0.5, 1, 5000');
  await expect(page.getByText(/A training size of 5000 images is more than the 180 the training side holds/).first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'Start' })).toBeDisabled();
  await page.getByLabel('Training sizes', { exact: true }).fill('0.5, 1');
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByText(/Run 1 of 4 \(training size 0\.5\)/)).toBeVisible({ timeout: 60_000 });

  const table = page.getByRole('table', { name: 'Training-size sweep' });
  await expect(table).toBeVisible({ timeout: 360_000 });
  await expect(table.getByRole('rowheader')).toHaveText(['0.5', '1']);
  await expect(table.getByRole('columnheader', { name: 'DML ensemble − independent pair' })).toBeVisible();
  // Each cell: mean [95% interval] · wins out of the 2 repeats.
  await expect(table.getByRole('row').nth(1).getByRole('cell').nth(1)).toHaveText(/^[+−±]\d\.\d{3} \[[+−±]\d+\.\d{3}, [+−±]\d+\.\d{3}\] · \d\/2$/);
  const chart = page.getByRole('figure', { name: 'Paired SRCC differences against training size' });
  await expect(chart).toHaveAttribute('data-sizes', '2');
  // Two series (DML − baseline, DML − independent pair) × two sizes, each with its interval bar.
  await expect(chart.locator('.recharts-line-dot')).toHaveCount(4);
  await expect(chart.locator('.recharts-errorBar')).toHaveCount(4);

  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download sweep (CSV)' }).click()]);
  expect(csv.suggestedFilename()).toMatch(/-sweep\.csv$/);
  const rows = (await text(csv)).trim().split('\n');
  expect(rows[0]).toBe('train_size,train_images_min,train_images_max,comparison,basis,mean,sd,ci95_lo,ci95_hi,wins,repeats');
  expect(rows.slice(1).map((r) => r.split(',').slice(0, 4).join(' '))).toEqual([
    '0.5 90 90 dml_vs_baseline',
    '0.5 90 90 dml_vs_control',
    '0.5 90 90 peerA_vs_baseline',
    '1 180 180 dml_vs_baseline',
    '1 180 180 dml_vs_control',
    '1 180 180 peerA_vs_baseline',
  ]);
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download results (JSON)' }).click()]);
  const report = JSON.parse(await text(json));
  expect(report.config).toMatchObject({ trainSizes: [0.5, 1], repeats: 2, control: true });
  expect(report.dataset).toMatchObject({ images: 'images', scores: 'mos.csv', proxyScores: true });
  type Rep = { split: { train: string[]; val: string[]; test: string[] } };
  const sweep = report.sweep as { trainSize: number; trainImages: number[]; repeats: Rep[]; paired: { dml_vs_control: { perRepeat: number[] } } }[];
  expect(sweep.map((s) => [s.trainSize, s.trainImages, s.repeats.length])).toEqual([[0.5, [90, 90], 2], [1, [180, 180], 2]]);
  for (const k of [0, 1]) {
    // Every size on the same validation and test images; the smaller training set inside the larger.
    expect(sweep[0]!.repeats[k]!.split.test).toEqual(sweep[1]!.repeats[k]!.split.test);
    expect(sweep[0]!.repeats[k]!.split.val).toEqual(sweep[1]!.repeats[k]!.split.val);
    for (const f of sweep[0]!.repeats[k]!.split.train) expect(sweep[1]!.repeats[k]!.split.train).toContain(f);
  }
  expect(sweep[1]!.paired.dml_vs_control.perRepeat).toHaveLength(2);
  await page.screenshot({ path: `${SHOTS}/sweep-1280x900.png`, fullPage: true });

  // The runs list: the four runs under one heading row, exported as one results.json.
  const group = runsTable(page).getByTestId('run-group');
  await expect(group).toHaveCount(1);
  await expect(group).toContainText('training-size sweep: sizes 0.5, 1 × 2 repeats; 4 finished');
  await expect(runsTable(page).getByRole('row').filter({ hasText: 'size 1 · repeat 2/2' })).toHaveCount(1);
  const [exported] = await Promise.all([page.waitForEvent('download'), group.getByRole('button', { name: 'Export results (JSON)' }).click()]);
  const fromRuns = JSON.parse(await text(exported));
  expect(fromRuns.sweep.map((s: { trainSize: number }) => s.trainSize)).toEqual([0.5, 1]);
  expect(fromRuns.sweep[1].paired).toEqual(report.sweep[1].paired);
  expect(fromRuns.config).toMatchObject({ trainSizes: [0.5, 1], repeats: 2 });

  // Deleting the experiment asks first, then removes every run of it.
  await group.getByRole('button', { name: 'Delete experiment', exact: true }).click();
  await expect(page.getByRole('alert').filter({ hasText: /This deletes every run of/ })).toBeVisible();
  await group.getByRole('button', { name: 'Keep them', exact: true }).click();
  expect(await storedRuns(page)).toHaveLength(4);
  await group.getByRole('button', { name: 'Delete experiment', exact: true }).click();
  await group.getByRole('button', { name: 'Delete all 4 runs', exact: true }).click();
  await expect(page.getByText(/^No runs yet/)).toBeVisible();
  expect(await storedRuns(page)).toEqual([]);
  expect(errors).toEqual([]);
});

test('a cross-dataset set is scored beside the test set; a cross-dataset file that matches no image names the folder', async ({ page }) => {
  test.setTimeout(300_000);
  const errors = watchErrors(page);
  const config = { mode: 'both', epochs: 1, valFrac: 0.1, input: { kind: 'resize', width: 32, height: 32 }, backend: 'wasm' };
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(hash(config));
  await loadDemo(page);
  await page.getByRole('button', { name: 'Add a cross-dataset set' }).click();
  await page.getByLabel('Cross-dataset image folder', { exact: true }).setInputFiles('public/demo/images');
  // A score file naming images the folder does not hold: said, naming the folder.
  await page.getByLabel('Cross-dataset score file', { exact: true }).setInputFiles({ name: 'live.csv', mimeType: 'text/csv', buffer: Buffer.from('image,mos\nnope1.jpg,50\nnope2.jpg,60\n') });
  await expect(page.getByText(/The cross-dataset score file “live\.csv” matches no image in the folder “images”/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Start' })).toBeDisabled();
  await expect(page.getByText(/The cross-dataset set has no usable images/)).toBeVisible();

  // The demo set as the cross-dataset set: its layout detected as the first one's.
  await page.getByLabel('Cross-dataset score file', { exact: true }).setInputFiles('public/demo/mos.csv');
  await expect(page.getByTestId('cross-ready')).toContainText('300 images of “images” will be scored at every epoch');
  await page.getByRole('button', { name: 'Start' }).click();
  const cross = page.getByRole('table', { name: 'Cross-dataset test' });
  await expect(cross).toBeVisible({ timeout: 240_000 });
  await expect(cross).toContainText('images (mos.csv)');
  await expect(cross).toContainText('300 images');
  await expect(cross.getByRole('rowheader')).toHaveText([/Baseline/, /DML ensemble/]);
  for (const cell of await cross.getByTestId('cross-srcc').all()) await expect(cell).toHaveText(/^-?\d\.\d{3}$/);
  const stored = await storedRuns(page);
  // The set's image list is kept too (continuing checks the set given again against it): here its count.
  const crossOf = (c: unknown) => c && { ...(c as object), files: (c as { files?: string[] }).files?.length };
  expect(stored.map((r) => [crossOf(r.cross), r.crossImages])).toEqual([[{ name: 'images', scoreFileName: 'mos.csv', imageCount: 300, proxy: true, files: 300 }, [300, 300]]]);
  await page.screenshot({ path: `${SHOTS}/cross-dataset-1280x900.png`, fullPage: true });
  expect(errors).toEqual([]);
});

test('an experiment stopped in its first repeat keeps the next one queued, and continues whole from the runs list', async ({ page }) => {
  test.setTimeout(300_000);
  const errors = watchErrors(page);
  const config = { mode: 'both', epochs: 2, repeats: 2, valFrac: 0.1, input: { kind: 'resize', width: 32, height: 32 }, backend: 'wasm' };
  await page.goto(hash(config));
  await loadDemo(page);
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByTestId('checkpoint-line')).toContainText('Checkpoint of epoch 1 saved', { timeout: 120_000 });
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByText(/^Stopped/)).toBeVisible({ timeout: 60_000 });

  const group = runsTable(page).getByTestId('run-group');
  await expect(group).toContainText('2 repeats; 1 stopped · 1 queued');
  expect((await storedRuns(page)).map((r) => r.status).sort()).toEqual(['queued', 'stopped']);
  await group.getByRole('button', { name: 'Continue experiment (2 runs)' }).click();
  await expect(page.getByText(/Continued from the checkpoint of epoch 1/)).toBeVisible({ timeout: 60_000 });
  const table = page.getByRole('table', { name: 'Paired differences' });
  await expect(table).toContainText('Over 2 repeats', { timeout: 240_000 });
  await expect(group).toContainText('2 repeats; 2 finished');
  await expect(group.getByRole('button', { name: /Continue experiment/ })).toHaveCount(0);
  expect((await storedRuns(page)).map((r) => r.status)).toEqual(['finished', 'finished']);
  expect(errors).toEqual([]);
});
