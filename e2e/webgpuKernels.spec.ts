/**
 * The webgpu backend's conv gradients against the cpu backend, in Debian's Chromium on the
 * SwiftShader WebGPU adapter: the project's tiled filter-gradient kernel
 * (src/core/backend/conv2dBackpropFilterWebgpu.ts) on a table of shapes, tfjs's own
 * filter-gradient and input-gradient kernels beside it, and the gradients of a small conv net.
 * The page (e2e/webgpuKernelsPage.ts) is bundled here with esbuild and served by a route.
 */
import { expect, test, type Page } from '@playwright/test';
import { build } from 'esbuild';
import type { ConvCase, KernelsHarness } from './webgpuKernelsPage';

declare global {
  interface Window {
    __kernels: KernelsHarness;
  }
}

/**
 * Float32 sums over up to ~16k products, in another order than the cpu backend's: errors of
 * up to ~5e-6 of the largest value are rounding (tfjs own kernel, one long sum); a wrong index
 * or a lost chunk is of order 1.
 */
const TOLERANCE = 2e-5;

async function openPage(page: Page): Promise<void> {
  const bundle = await build({ entryPoints: ['e2e/webgpuKernelsPage.ts'], bundle: true, format: 'esm', write: false, target: 'es2022', logLevel: 'error' });
  const js = bundle.outputFiles[0]!.text;
  // Served on the test server's origin (localhost: a secure context, which WebGPU needs).
  await page.route('**/webgpu-kernels/**', (route) =>
    route.request().url().endsWith('.js')
      ? route.fulfill({ body: js, contentType: 'text/javascript' })
      : route.fulfill({ body: '<!doctype html><title>kernels</title><script type="module" src="page.js"></script>', contentType: 'text/html' }),
  );
  page.on('console', (m) => m.type() === 'error' && console.log(`page: ${m.text()}`));
  await page.goto('/webgpu-kernels/index.html');
  await page.waitForFunction(() => document.title === 'kernels ready', undefined, { timeout: 60_000 });
}

const label = (c: ConvCase) => `x ${c.x.join('×')}, w ${c.w.join('×')}, stride ${c.strides}, pad ${JSON.stringify(c.pad)}`;

// 1×1 and 3×3 (and 5×5, 2×3), stride 1/2 (and mixed), same/valid/explicit, ci 3/8/33 (and 64),
// co under and over the 16/32 tiles, batch 1/4, wide images; M = batch·OH·OW from 16 (one chunk,
// no sum pass) to 32768 (128 chunks summed).
const FILTER_CASES: ConvCase[] = [
  { x: [1, 8, 8, 3], w: [1, 1, 3, 8], strides: 1, pad: 'valid' },
  { x: [4, 12, 10, 33], w: [1, 1, 33, 40], strides: 1, pad: 'same' },
  { x: [1, 16, 16, 3], w: [3, 3, 3, 16], strides: 1, pad: 'same' },
  { x: [4, 16, 16, 8], w: [3, 3, 8, 16], strides: 2, pad: 'same' },
  { x: [4, 15, 17, 33], w: [3, 3, 33, 5], strides: 2, pad: 'valid' },
  { x: [1, 10, 9, 8], w: [3, 3, 8, 33], strides: 2, pad: 'valid' }, // stride leaves the last row unread
  { x: [1, 24, 320, 3], w: [3, 3, 3, 16], strides: 2, pad: 'same' }, // wide image
  { x: [4, 12, 160, 8], w: [3, 3, 8, 32], strides: 1, pad: 'same' }, // wide, several chunks
  { x: [8, 128, 128, 3], w: [3, 3, 3, 16], strides: 2, pad: 'same' }, // tiny's first layer at 128×128, batch 8
  { x: [1, 4, 4, 64], w: [3, 3, 64, 64], strides: 1, pad: 'valid' }, // few pixels, many weights: one chunk
  { x: [4, 11, 8, 8], w: [2, 3, 8, 12], strides: [2, 3], pad: 'same' },
  { x: [1, 9, 9, 3], w: [3, 3, 3, 4], strides: 2, pad: [[0, 0], [2, 1], [0, 3], [0, 0]] },
  { x: [4, 13, 11, 3], w: [5, 5, 3, 20], strides: 1, pad: 'same' },
];

// tfjs 4.22's input gradient runs its naive program by default (one thread per input element,
// flag WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE), a vec4 variant when ci and co are multiples of 4 and a
// scalar one otherwise; its matrix-product program (the flag off) is checked too. Channel counts
// of early layers: 1 to 31.
const INPUT_CASES: ConvCase[] = [
  { x: [1, 8, 8, 1], w: [3, 3, 1, 4], strides: 1, pad: 'same' },
  { x: [4, 16, 16, 3], w: [3, 3, 3, 16], strides: 2, pad: 'same' },
  { x: [4, 15, 17, 3], w: [3, 3, 3, 8], strides: 2, pad: 'valid' },
  { x: [1, 24, 96, 8], w: [3, 3, 8, 16], strides: 1, pad: 'same' },
  { x: [4, 12, 12, 16], w: [3, 3, 16, 31], strides: 2, pad: 'same' },
  { x: [1, 9, 9, 31], w: [3, 3, 31, 5], strides: 1, pad: 'valid' },
  { x: [4, 8, 8, 8], w: [1, 1, 8, 12], strides: 1, pad: 'valid' },
  { x: [1, 10, 9, 5], w: [3, 3, 5, 7], strides: 2, pad: 'valid' },
  { x: [1, 9, 9, 3], w: [3, 3, 3, 4], strides: 2, pad: [[0, 0], [2, 1], [0, 3], [0, 0]] },
];

test.describe.configure({ mode: 'serial' });

test('the tiled Conv2DBackpropFilter matches the cpu backend on every shape, and tfjs own kernel too', async ({ page }) => {
  test.setTimeout(240_000);
  await openPage(page);
  expect(await page.evaluate(() => window.__kernels.naiveInputGradient())).toBe(true);
  const adapter = await page.evaluate(() => window.__kernels.adapter());
  expect(adapter, 'Chromium offers no WebGPU adapter (SwiftShader flags in e2e/chromium.ts)').not.toBeNull();
  console.log(`adapter: ${adapter!.description}${adapter!.isFallbackAdapter ? ' (fallback)' : ''}`);
  expect(await page.evaluate(() => window.__kernels.registered())).toBe(true);
  for (const c of FILTER_CASES) {
    const r = await page.evaluate((c) => window.__kernels.filter(c), c);
    console.log(`${label(c)}: tiled ${r.tiled.rel.toExponential(1)} in ${r.tiled.ms.toFixed(0)} ms, tfjs ${r.tfjs.rel.toExponential(1)} in ${r.tfjs.ms.toFixed(0)} ms`);
    expect(r.tiled.scale, label(c)).toBeGreaterThan(0.1);
    expect(r.tiled.rel, label(c)).toBeLessThan(TOLERANCE);
    expect(r.tfjs.rel, `tfjs's own, ${label(c)}`).toBeLessThan(TOLERANCE);
  }
  const mem = await page.evaluate(() => window.__kernels.memory());
  expect(mem.numTensors).toBe(0);
  expect(mem.numBytesAllocatedInGPU).toBeGreaterThan(0);
});

test('the input gradient (tfjs own Conv2DBackpropInput, both programs) matches the cpu backend at small channel counts', async ({ page }) => {
  test.setTimeout(180_000);
  await openPage(page);
  for (const c of INPUT_CASES) {
    for (const naive of [false, true]) {
      const r = await page.evaluate(([c, naive]) => window.__kernels.input(c, naive), [c, naive] as const);
      const what = `${naive ? 'naive (default)' : 'matrix-product'} program, ${label(c)}`;
      console.log(`input gradient, ${what}: ${r.rel.toExponential(1)} in ${r.ms.toFixed(0)} ms`);
      expect(r.scale, what).toBeGreaterThan(0.1);
      expect(r.rel, what).toBeLessThan(TOLERANCE);
    }
  }
});

test("a small conv net's loss and filter gradients on webgpu match cpu", async ({ page }) => {
  test.setTimeout(180_000);
  await openPage(page);
  const r = await page.evaluate(() => window.__kernels.step());
  console.log(`net gradients against cpu: ${JSON.stringify(r.grads)}`);
  expect(Math.abs(r.loss.webgpu - r.loss.cpu) / Math.abs(r.loss.cpu)).toBeLessThan(TOLERANCE);
  expect(Object.keys(r.grads)).toHaveLength(3);
  for (const [name, rel] of Object.entries(r.grads)) expect(rel, name).toBeLessThan(TOLERANCE);
});
