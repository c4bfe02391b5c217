/**
 * Presentation mode as a speaker drives it: a prepared link (?demo&present#config=…), Space to
 * start and pause, → for one step, the cohort diagram carrying the step's losses, the λ slider,
 * E to the end of the epoch, R back to the start, the light theme. Screenshots of the one screen
 * at 1920×1080 and 1280×720 land in test-results/screenshots/ on every run.
 */
import { expect, test, type Page } from '@playwright/test';
import type { StepEvent } from '../src/core/train/history';
import { fmt3 } from '../src/ui/present/format';

const SHOTS = 'test-results/screenshots';

/** A fast experiment: the DML pair alone, 3 epochs at 32×32 on wasm. */
const CONFIG = { mode: 'dml', epochs: 3, input: { kind: 'resize', width: 32, height: 32 }, backend: 'wasm', lambda: 1, peers: 2 };
const LINK = `/?demo&present#config=${Buffer.from(JSON.stringify(CONFIG)).toString('base64url')}`;

/** Every step event the training worker posts, recorded as it leaves the worker (not as the page draws it). */
async function recordWorkerSteps(page: Page) {
  await page.addInitScript(() => {
    const w = window as unknown as { __steps: unknown[]; Worker: typeof Worker };
    w.__steps = [];
    const Base = window.Worker;
    w.Worker = class extends Base {
      constructor(url: string | URL, opts?: WorkerOptions) {
        super(url, opts);
        if (opts?.name === 'dml-iqa-trainer')
          this.addEventListener('message', (e: MessageEvent) => {
            if (e.data?.type === 'steps') w.__steps.push(...e.data.steps);
          });
      }
    };
  });
}
const workerSteps = (page: Page) => page.evaluate(() => (window as unknown as { __steps: StepEvent[] }).__steps);

const progress = (page: Page) => page.getByTestId('present-progress');
const stepsShown = async (page: Page) => Number(await progress(page).getAttribute('data-steps'));
const status = (page: Page) => page.locator('.present__status');

/** The step count once it has stopped moving (a step in flight when pausing still lands). */
async function settledSteps(page: Page): Promise<number> {
  let last = -1;
  for (;;) {
    const now = await stepsShown(page);
    if (now === last) return now;
    last = now;
    await page.waitForTimeout(1200);
  }
}

/** WCAG contrast ratio of two computed CSS colours "rgb(r, g, b)". */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = c.match(/\d+(\.\d+)?/g)!.slice(0, 3).map((v) => {
      const s = Number(v) / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** Rendered size (px) of the diagram's smallest text, and the page's text/background contrast. */
async function readability(page: Page) {
  return page.evaluate(() => {
    const small = document.querySelector('.cohort-diagram .cd-small') as SVGTextElement;
    const px = parseFloat(getComputedStyle(small).fontSize) * small.getScreenCTM()!.a;
    const root = document.querySelector('.present') as HTMLElement;
    const status = document.querySelector('.present__status') as HTMLElement;
    return { diagramPx: px, statusPx: parseFloat(getComputedStyle(status).fontSize), color: getComputedStyle(root).color, background: getComputedStyle(root).backgroundColor };
  });
}

test('presentation mode: Space, →, the cohort diagram, λ, E and R, in a dark and a light theme', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(`${m.text()} ${m.location().url}`));
  await recordWorkerSteps(page);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(LINK);

  // One screen: the diagram and the charts, no data or experiment setup.
  const diagram = page.getByRole('img', { name: 'Cohort diagram' });
  await expect(diagram).toBeVisible();
  await expect(page.getByRole('figure', { name: 'Test SRCC per epoch' })).toBeVisible();
  await expect(page.getByLabel('Image folder', { exact: true })).toHaveCount(0);
  await expect(page.getByLabel('Epochs', { exact: true })).toHaveCount(0);
  await expect(diagram).toContainText('Peer A');
  await expect(diagram).toContainText('Peer B');
  await expect(diagram).toContainText('flip(x)');
  // The demo set loads from the link; then Start is possible.
  await expect(page.getByRole('button', { name: /^Start/ })).toBeEnabled({ timeout: 60_000 });

  // Space starts.
  await page.keyboard.press('Space');
  await expect(status(page)).toHaveAttribute('data-status', 'training', { timeout: 120_000 });
  await expect.poll(() => stepsShown(page), { timeout: 120_000 }).toBeGreaterThan(2);

  // Space pauses.
  await page.keyboard.press('Space');
  await expect(status(page)).toHaveAttribute('data-status', 'paused');
  const n0 = await settledSteps(page);

  // → trains exactly one step.
  await page.keyboard.press('ArrowRight');
  await expect.poll(() => stepsShown(page)).toBe(n0 + 1);
  await page.waitForTimeout(1500);
  expect(await stepsShown(page)).toBe(n0 + 1);
  await expect(status(page)).toHaveAttribute('data-status', 'paused');

  // The diagram carries the step the worker sent: its number, losses, batch and λ.
  let sent = await workerSteps(page);
  let last = sent.at(-1)!;
  expect(last.globalStep).toBe(n0 + 1);
  await expect(diagram).toHaveAttribute('data-step', String(last.globalStep));
  for (let k = 0; k < 2; k++) {
    await expect(diagram).toContainText(`total ${fmt3(last.losses.total[k])}`);
    await expect(diagram).toContainText(`supervised ${fmt3(last.losses.supervised[k])}`);
  }
  // Two peers: both mimicry terms are the one MSE between them.
  expect(fmt3(last.losses.mimicry[1])).toBe(fmt3(last.losses.mimicry[0]));
  await expect(diagram).toContainText(`mimicry ${fmt3(last.losses.mimicry[0])}`);
  await expect(diagram).toContainText('λ = 1');
  // A single step reports its batch: images (drawn from the page's files), MOS, gradient norms, before → after.
  const files = last.batch?.files ?? [];
  expect(files.length).toBeGreaterThanOrEqual(2);
  expect(last.batch?.before).toHaveLength(2);
  await expect.poll(() => diagram.locator('image').count()).toBeGreaterThanOrEqual(Math.min(files.length, 10));
  await expect(diagram).toContainText(`‖∇‖ ${fmt3(last.batch!.gradNorm[0])}`);
  await expect(diagram).toContainText(last.batch!.mos[0]!.toFixed(2));
  // Each peer's batch error before → after the update, from the predictions the worker sent.
  const mse = (p: number[], y: number[]) => p.reduce((s, v, i) => s + (v - y[i]!) ** 2, 0) / p.length;
  const b = last.batch!;
  for (let k = 0; k < 2; k++) await expect(diagram).toContainText(`MSE ${fmt3(mse(b.before![k]!, b.mos))} → ${fmt3(mse(b.after![k]!, b.mos))}`);

  // The Step button does the same.
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect.poll(() => stepsShown(page)).toBe(n0 + 2);

  // λ from the next step on, recorded in the step.
  await page.getByLabel('λ').fill('0.5');
  await page.getByLabel('λ').blur();
  await page.keyboard.press('ArrowRight');
  await expect.poll(() => stepsShown(page)).toBe(n0 + 3);
  sent = await workerSteps(page);
  last = sent.at(-1)!;
  expect(last.lambda).toBe(0.5);
  expect(sent.at(-2)!.lambda).toBe(1);
  await expect(diagram).toContainText('λ = 0.5');
  expect(last.losses.total[0]).toBeCloseTo(last.losses.supervised[0]! + 0.5 * last.losses.mimicry[0]!, 5);

  // E trains to the end of the epoch, then pauses there.
  await page.keyboard.press('e');
  await expect(status(page)).toHaveAttribute('data-status', 'paused', { timeout: 120_000 });
  const atEpoch = await settledSteps(page);
  const perEpoch = Number(await progress(page).getAttribute('data-epoch-steps'));
  expect(perEpoch).toBeGreaterThan(3);
  expect(atEpoch % perEpoch).toBe(0);
  expect(atEpoch).toBeGreaterThan(n0 + 3);
  await expect(page.getByTestId('present-srcc')).toHaveAttribute('data-epochs', String(atEpoch / perEpoch), { timeout: 60_000 });
  await expect(page.getByRole('table', { name: 'Results' })).toBeVisible();
  // It paused right after the epoch's last step.
  expect((await workerSteps(page)).at(-1)!.step).toBe((await workerSteps(page)).at(-1)!.stepsPerEpoch - 1);

  // Readable from the back of the room, at both sizes; screenshots of each.
  const small = await readability(page);
  expect(small.diagramPx).toBeGreaterThanOrEqual(13);
  expect(small.statusPx).toBeGreaterThanOrEqual(15);
  expect(contrast(small.color, small.background)).toBeGreaterThanOrEqual(7);
  await page.screenshot({ path: `${SHOTS}/present-1280x720.png` });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.waitForTimeout(300);
  const big = await readability(page);
  expect(big.diagramPx).toBeGreaterThanOrEqual(19);
  expect(big.statusPx).toBeGreaterThanOrEqual(22);
  await page.screenshot({ path: `${SHOTS}/present-1920x1080.png` });
  // Nothing spills off the one screen.
  for (const size of [
    { width: 1920, height: 1080 },
    { width: 1280, height: 720 },
  ]) {
    await page.setViewportSize(size);
    await page.waitForTimeout(300);
    const overflow = await page.evaluate(() => {
      const main = document.querySelector('.present') as HTMLElement;
      const boxes = [...main.querySelectorAll('.present__bar, .cohort-diagram, .present-chart, .present-results, .present__lambda')].map((e) => e.getBoundingClientRect());
      return boxes.filter((b) => b.bottom > window.innerHeight + 1 || b.right > window.innerWidth + 1).length;
    });
    expect(overflow, `${size.width}×${size.height}`).toBe(0);
  }

  // The light theme, kept in the address with the experiment.
  await page.getByRole('button', { name: 'Light theme' }).click();
  await expect(page.locator('.present')).toHaveAttribute('data-theme', 'light');
  const url = new URL(page.url());
  expect(url.searchParams.has('present')).toBe(true);
  expect(url.searchParams.get('theme')).toBe('light');
  expect(url.hash).toMatch(/^#config=/);
  const light = await readability(page);
  expect(contrast(light.color, light.background)).toBeGreaterThanOrEqual(7);
  await page.screenshot({ path: `${SHOTS}/present-light-1280x720.png` });

  // R: back to the experiment's start; Space then starts a fresh run.
  await page.keyboard.press('r');
  await expect(status(page)).toHaveAttribute('data-status', 'idle');
  await expect(progress(page)).toHaveAttribute('data-steps', '0');
  await expect(diagram).toHaveAttribute('data-step', '0');
  await expect(page.getByRole('table', { name: 'Results' })).toHaveCount(0);
  const before = (await workerSteps(page)).length;
  await page.keyboard.press('Space');
  await expect.poll(() => stepsShown(page), { timeout: 120_000 }).toBeGreaterThan(0);
  const fresh = (await workerSteps(page)).slice(before);
  expect(fresh[0]!.globalStep).toBe(1);
  expect(fresh[0]!.epoch).toBe(0);
  await page.keyboard.press('r');
  await expect(status(page)).toHaveAttribute('data-status', 'idle');

  // The link reopens the same presentation, light theme included.
  await page.reload();
  await expect(page.locator('.present')).toHaveAttribute('data-theme', 'light');
  expect(errors).toEqual([]);
});

test('the studio\u2019s Present button opens presentation mode, and Exit returns', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Present' }).click();
  await expect(page.getByRole('img', { name: 'Cohort diagram' })).toBeVisible();
  expect(new URL(page.url()).searchParams.has('present')).toBe(true);
  // No data yet: the presentation says so and offers the demo set.
  await expect(page.getByRole('button', { name: 'Load the demo set' })).toBeVisible();
  await page.getByRole('button', { name: 'Exit presentation' }).click();
  await expect(page.getByLabel('Image folder', { exact: true })).toBeVisible();
  expect(new URL(page.url()).searchParams.has('present')).toBe(false);
});

test('three peers: → before any run starts paused and trains exactly one step; every peer drawn with its terms', async ({ page }) => {
  await recordWorkerSteps(page);
  const config = { ...CONFIG, peers: 3 };
  await page.goto(`/?demo&present#config=${Buffer.from(JSON.stringify(config)).toString('base64url')}`);
  await expect(page.getByRole('button', { name: /^Start/ })).toBeEnabled({ timeout: 60_000 });
  const diagram = page.getByRole('img', { name: 'Cohort diagram' });
  await expect(diagram).toContainText('Peer C');
  await page.keyboard.press('ArrowRight');
  await expect.poll(() => stepsShown(page), { timeout: 120_000 }).toBe(1);
  await page.waitForTimeout(1500);
  expect(await stepsShown(page)).toBe(1);
  await expect(status(page)).toHaveAttribute('data-status', 'paused');
  const last = (await workerSteps(page)).at(-1)!;
  expect(last.losses.total).toHaveLength(3);
  for (let k = 0; k < 3; k++) {
    await expect(diagram).toContainText(`total ${fmt3(last.losses.total[k])}`);
    await expect(diagram).toContainText(`mimicry ${fmt3(last.losses.mimicry[k])}`);
  }
  await page.screenshot({ path: `${SHOTS}/present-3peers-1280x720.png` });
  await page.keyboard.press('r');
  await expect(status(page)).toHaveAttribute('data-status', 'idle');
});
