/**
 * Feature heatmaps in the studio: the demo set, baseline + DML for 3 epochs at 32×32 on wasm.
 * After the first epoch both peers' heatmaps show (peer B's over the mirrored image); the
 * epoch slider goes back to epoch 1 and forward to the latest; the baseline has its own. The
 * second test image, picked while paused in epoch 2, is the one the last epoch's maps are of (and
 * goes into the link); picked after the run, it waits for the next run. (An epoch reads the choice
 * once, at its first map: whether epoch 2 already has it depends on where the pause landed.)
 */
import { expect, test, type Locator } from '@playwright/test';

const SHOTS = 'test-results/screenshots';
const CONFIG = { mode: 'both', epochs: 3, input: { kind: 'resize', width: 32, height: 32 }, backend: 'wasm', peers: 2 };
const LINK = `/?demo#config=${Buffer.from(JSON.stringify(CONFIG)).toString('base64url')}`;

const srcOf = async (img: Locator) => (await img.getAttribute('src')) ?? '';

/** The picture's pixels, read back through a canvas: [r, g, b] means over the whole picture. */
async function meanColour(img: Locator): Promise<number[]> {
  return img.evaluate(async (el: HTMLImageElement) => {
    await el.decode();
    const c = document.createElement('canvas');
    c.width = el.naturalWidth;
    c.height = el.naturalHeight;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(el, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const sum = [0, 0, 0];
    for (let i = 0; i < d.length; i += 4) for (let k = 0; k < 3; k++) sum[k]! += d[i + k]!;
    return sum.map((s) => s / (d.length / 4));
  });
}

test('both peers have a feature heatmap after one epoch, and the epochs can be scrubbed', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));

  await page.goto(LINK);
  await expect(page.getByText(/300 of 300 score rows are usable/)).toBeVisible({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Start' }).click();

  const a = page.getByRole('img', { name: 'Feature heatmap, peer A' });
  const b = page.getByRole('img', { name: 'Feature heatmap, peer B' });
  await expect(a).toBeVisible({ timeout: 240_000 });
  await expect(b).toBeVisible();
  for (const img of [a, b]) {
    expect(await srcOf(img)).toMatch(/^data:image\/png;base64,.{100,}/);
    expect(await img.evaluate((el: HTMLImageElement) => el.decode().then(() => el.naturalWidth))).toBeGreaterThan(0);
  }
  // Drawn over the test image, not over black: the heatmap alone (alpha 0.4 of jet) is far darker.
  await expect(page.getByText(/shown over black/)).toHaveCount(0);
  const colour = await meanColour(a);
  expect(colour.reduce((s, v) => s + v, 0) / 3).toBeGreaterThan(60);
  // Peer B's picture is of the mirrored image with its own map: not peer A's.
  expect(await srcOf(b)).not.toBe(await srcOf(a));

  // Epoch 1's maps are of the first test image. Paused in epoch 2, pick the second.
  const picker = page.getByLabel('Heatmap test image', { exact: true });
  const hint = page.locator('.heatmaps > p.hint').first();
  const pending = page.locator('.heatmaps__pending');
  const [first, second] = (await picker.locator('option').allTextContents()).map((t) => t.replace(/^\d+\. /, ''));
  expect(first && second && first !== second).toBeTruthy();
  await expect(picker).toHaveValue('0');
  await expect(hint).toContainText(first!);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('button', { name: 'Resume' })).toBeEnabled();
  await picker.selectOption('1');
  await expect(pending).toHaveText('Test image 2 is mapped from the next epoch on.');
  const hashConfig = () => JSON.parse(Buffer.from(new URL(page.url()).hash.replace(/^#config=/, ''), 'base64url').toString('utf8'));
  await expect.poll(() => hashConfig().heatmapImage).toBe(1);
  await page.getByRole('button', { name: 'Resume' }).click();

  // The run ends after epoch 3: the slider then spans three epochs and follows the latest.
  await expect(page.getByRole('table', { name: 'Results' })).toBeVisible({ timeout: 240_000 });
  const slider = page.getByRole('slider', { name: 'Heatmap epoch' });
  await expect(slider).toHaveAttribute('max', '2');
  await expect(slider).toHaveAttribute('aria-valuetext', 'epoch 3');
  const latest = await srcOf(a);
  // Epoch 3's maps are of the second test image; nothing is pending.
  await expect(hint).toContainText(second!);
  await expect(hint).not.toContainText(first!);
  await expect(pending).toHaveCount(0);
  await page.locator('.heatmaps').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/heatmaps-1280x720.png` });

  await slider.fill('0');
  await expect(slider).toHaveAttribute('aria-valuetext', 'epoch 1');
  await expect(page.locator('.heatmaps output')).toHaveText('1 of 3');
  await expect.poll(() => srcOf(a)).not.toBe(latest);
  await expect(hint).toContainText(first!);
  await slider.fill('2');
  await expect(page.locator('.heatmaps output')).toHaveText('3 (latest)');
  await expect.poll(() => srcOf(a)).toBe(latest);

  // The baseline's own heatmap.
  await page.getByLabel('Heatmap networks', { exact: true }).selectOption('baseline');
  await expect(page.getByRole('img', { name: 'Feature heatmap, baseline' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'Feature heatmap, peer B' })).toHaveCount(0);
  await expect(hint).toContainText(second!);

  // After the run, a choice is the next run's: the config and the link change, the maps do not.
  await picker.selectOption('0');
  await expect(pending).toHaveText('Test image 1 is mapped in the next run.');
  await expect.poll(() => hashConfig().heatmapImage).toBe(0);
  await expect(hint).toContainText(second!);

  expect(errors).toEqual([]);
});
