/**
 * Your photos → an IQA set, as a user does it: two photos through the file input, the set
 * made in the page (progress shown), the KADID-layout zip downloaded and its mos.csv loaded
 * back through the importer in Node with every image matched; then "Train on this set"
 * makes it the current dataset.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { strFromU8, unzipSync } from 'fflate';
import sharp from 'sharp';
import { importDataset } from '../src/core/data/importDataset';
import { msssim, msssimToMos } from '../src/core/synth/msssim';

test.setTimeout(90_000);

const photo = async (path: string) => ({
  name: path.split('/').pop()!,
  mimeType: 'image/png',
  buffer: await sharp(path).resize(96, 96).png().toBuffer(),
});

async function decode(bytes: Uint8Array) {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

test('two photos become a KADID-layout zip whose mos.csv imports with every image matched; "Train on this set" loads it', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');

  await page
    .getByLabel('Photos for a new IQA set', { exact: true })
    .setInputFiles([await photo('public/demo/images/I01.png'), await photo('public/demo/images/I02.png')]);
  await expect(page.getByTestId('synth-summary')).toHaveText(/^2 photos × 6 types × 5 levels = 60 distorted images \(\+ 2 references\), 128×128 px/);
  await expect(page.getByText('Proxy scores (formula, not human opinions)').first()).toBeVisible();

  await page.getByRole('button', { name: 'Make the IQA set' }).click();
  await expect(page.getByRole('progressbar', { name: 'Making the IQA set' })).toBeVisible();
  await expect(page.getByText(/^Made 60 images from 2 photos/)).toBeVisible({ timeout: 60_000 });

  await page.getByRole('heading', { name: 'Your photos → an IQA set' }).scrollIntoViewIfNeeded();
  await page.locator('section[aria-labelledby="synth-title"]').screenshot({ path: 'test-results/screenshots/synth-panel.png' });

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download the IQA set (zip)' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('my-iqa-set.zip');
  const zip = unzipSync(new Uint8Array(readFileSync(await file.path())));
  const names = Object.keys(zip).sort();
  expect(names).toHaveLength(60 + 2 + 2);
  expect(names).toContain('my-iqa-set/images/I01.png');
  expect(names).toContain('my-iqa-set/images/I02_06_05.png');
  expect(strFromU8(zip['my-iqa-set/README.txt']!)).toContain('THE SCORES ARE A FORMULA, NOT HUMAN OPINIONS');

  const csv = strFromU8(zip['my-iqa-set/mos.csv']!);
  expect(csv.split('\n')[0]).toBe('dist_img,ref_img,dmos,var');
  const imported = importDataset({ scoreFileName: 'mos.csv', scoreText: csv, files: names.map((n) => n.slice('my-iqa-set/'.length)) });
  expect(imported.summary.usable).toBe(60);
  expect(imported.items).toHaveLength(60);
  expect(imported.summary.byKind['missing-image']).toBe(0);
  expect(imported.summary.byKind['unlabelled-image']).toBe(2);

  // The page's PNGs and scores agree with core run here: decode, rescore, compare with the row.
  const scores = new Map(imported.items.map((it) => [it.file, it.mos]));
  for (const name of ['I01_01_03.png', 'I01_03_05.png', 'I02_02_02.png']) {
    const ref = await decode(zip[`my-iqa-set/images/${name.slice(0, 3)}.png`]!);
    const dist = await decode(zip[`my-iqa-set/images/${name}`]!);
    expect([dist.width, dist.height]).toEqual([128, 128]);
    expect(Math.abs(msssimToMos(msssim(ref, dist)) - scores.get(`images/${name}`)!)).toBeLessThanOrEqual(0.0005);
  }
  // The JPEG step is the browser's canvas encoder: it scores like libjpeg at 4:2:0 (what the demo's Pillow uses).
  const ref1 = await decode(zip['my-iqa-set/images/I01.png']!);
  for (const [level, quality] of [[1, 25], [3, 7], [5, 1]] as const) {
    const page = await decode(zip[`my-iqa-set/images/I01_03_0${level}.png`]!);
    const lib = await decode(
      await sharp(ref1.data, { raw: { width: 128, height: 128, channels: 3 } }).jpeg({ quality, chromaSubsampling: '4:2:0', mozjpeg: false }).toBuffer(),
    );
    let max = 0;
    for (let i = 0; i < lib.data.length; i++) max = Math.max(max, Math.abs(lib.data[i]! - page.data[i]!));
    console.log(`JPEG level ${level} (quality ${quality}): page vs libjpeg max pixel difference ${max}, MS-SSIM ${msssim(ref1, page).toFixed(4)} vs ${msssim(ref1, lib).toFixed(4)}`);
    expect(Math.abs(msssim(ref1, page) - msssim(ref1, lib))).toBeLessThan(0.01);
  }

  // Scores fall with the level inside a type (blur on the first photo).
  const blur = [1, 2, 3, 4, 5].map((l) => scores.get(`images/I01_01_0${l}.png`)!);
  for (let i = 1; i < 5; i++) expect(blur[i]!).toBeLessThan(blur[i - 1]!);

  await page.getByRole('button', { name: 'Train on this set' }).click();
  await expect(page.getByText('Folder “my-iqa-set”: 62 files.')).toBeVisible();
  await expect(page.getByText(/Score file “mos\.csv”/)).toBeVisible();
  await expect(page.getByText(/60 of 60 score rows are usable/)).toBeVisible();
  // Formula scores are marked as such in the data panel too, not only in the set maker.
  await expect(page.locator('section').filter({ hasText: 'Validation report' }).getByText('Proxy scores (formula, not human opinions)').first()).toBeVisible();
  expect(errors).toEqual([]);
});
