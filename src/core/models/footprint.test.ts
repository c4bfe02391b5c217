/**
 * The memory budget's per-network figures against what a training step really takes: the
 * wasm heap's live bytes at their peak during one step of each model, over what was held
 * before, and the built model's weights. On the wasm backend with the studio's kernels (the one a run falls back to
 * when there is no GPU, and whose 4 GB heap the budget checks).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { budgetParts, STEP_BYTES_PER_PARAM } from '../data/memoryBudget';
import { loadBackboneFile, BUILTIN_MOBILENETV2 } from '../../node/backbone';
import { Cohort, peerSpec } from '../train/cohort';
import { budgetInput, MOBILENETV2_FOOTPRINT, modelFootprint, SCRATCH_FOOTPRINT } from './footprint';
import { listFeatureLayers } from './pretrained';
import type { ModelOptions } from './types';
import { QUICK_DEMO, type TrainConfig } from '../train/config';
import { initNodeBackend } from '../../node/tfNode';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

/**
 * Live bytes of the wasm heap, counted at the backend's own malloc and free: what the 4 GB heap
 * really holds (tfjs's engine counts a tensor that shares another's data twice; the heap does not).
 */
function heapMeter(): { live: () => number; peak: () => number; reset: () => void; restore: () => void } {
  const wasm = (tf.backend() as unknown as { wasm: { _malloc(n: number): number; _free(p: number): void } }).wasm;
  const { _malloc: malloc, _free: free } = wasm;
  const sizes = new Map<number, number>();
  let live = 0;
  let peak = 0;
  // Emscripten's first call replaces the export with the raw one: put the meter back each time.
  const meteredMalloc = (n: number) => {
    const p = malloc.call(wasm, n);
    wasm._malloc = meteredMalloc;
    sizes.set(p, n);
    live += n;
    peak = Math.max(peak, live);
    return p;
  };
  const meteredFree = (p: number) => {
    live -= sizes.get(p) ?? 0;
    sizes.delete(p);
    free.call(wasm, p);
    wasm._free = meteredFree;
  };
  wasm._malloc = meteredMalloc;
  wasm._free = meteredFree;
  return { live: () => live, peak: () => peak, reset: () => void (peak = live), restore: () => Object.assign(wasm, { _malloc: malloc, _free: free }) };
}

/** Bytes per input pixel and network of one step (the heap's peak over what was held before it), and the weights of one network. */
async function measure(model: ModelOptions, side: number, batch: number, peers: number): Promise<{ perPixel: number; params: number; peak: number }> {
  const shape: [number, number, number] = [side, side, 3];
  const meter = heapMeter();
  const c = new Cohort({ model, inputShape: shape, peers: Array.from({ length: peers }, (_, k) => peerSpec(k)), lambda: 1, lr: 1e-3, seed: 3, tag: `fp${model.name}${side}${peers}_` });
  const x = tf.randomNormal([batch, ...shape], 0, 1, 'float32', 1) as tf.Tensor4D;
  const y = tf.linspace(1, 5, batch) as tf.Tensor1D;
  try {
    // The first step creates Adam's moments: measure the second, as training runs.
    await c.step(x, y);
    const held = meter.live();
    meter.reset();
    await c.step(x, y);
    const step = meter.peak() - held;
    return { perPixel: step / (peers * batch * side * side), params: c.nets[0]!.countParams(), peak: step };
  } finally {
    meter.restore();
    c.dispose();
    tf.dispose([x, y]);
  }
}

/** The budget's step for one network: pixels × the footprint's bytes per pixel, and the weights' gradients and Adam's temporaries. */
const estimate = (perPixel: number, params: number, pixels: number) => pixels * perPixel + params * STEP_BYTES_PER_PARAM;
const implied = (m: { peak: number; params: number }, pixels: number) => ((m.peak - m.params * STEP_BYTES_PER_PARAM) / pixels).toFixed(0);

describe('network footprints', () => {
  it('the from-scratch nets: each table entry gives a step within 35% of the measured one, and their weights exactly', async () => {
    const cases = [
      [{ name: 'tiny' }, 64, 4],
      [{ name: 'resnet18', width: 0.25 }, 64, 4],
      [{ name: 'cnniqa' }, 32, 8],
    ] as const;
    const measured: Awaited<ReturnType<typeof measure>>[] = [];
    for (const [model, side, batch] of cases) measured.push(await measure(model, side, batch, 1));
    console.log(cases.map(([model, side, batch], k) => `${model.name}: ${measured[k]!.peak} B, ${implied(measured[k]!, side * side * batch)} B/pixel`).join('; '));
    for (const [k, [model, side, batch]] of cases.entries()) {
      const m = measured[k]!;
      const table = SCRATCH_FOOTPRINT[model.name];
      const px = side * side * batch;
      const ratio = m.peak / estimate(table.stepBytesPerPixel, table.params, px);
      const why = `${model.name}: ${m.peak} B measured, ${implied(m, px)} B/pixel`;
      expect(ratio, why).toBeGreaterThan(1 / 1.35);
      expect(ratio, why).toBeLessThan(1.35);
      expect(m.params, model.name).toBe(table.params);
    }
  });

  it('a DML pair steps together: its step takes more than one network’s', async () => {
    const one = await measure({ name: 'tiny' }, 64, 4, 1);
    const two = await measure({ name: 'tiny' }, 64, 4, 2);
    expect(two.peak / one.peak).toBeGreaterThan(1.3);
  });

  it('mobilenetv2 fine-tuned whole: the estimate from its layer list is within 35% of the measured step', async () => {
    const base = await loadBackboneFile(BUILTIN_MOBILENETV2);
    try {
      const layers = listFeatureLayers(base);
      const body = { inputShape: base.inputs[0]!.shape, layers, params: base.countParams() };
      const config: TrainConfig = { ...QUICK_DEMO, model: 'mobilenetv2', backbone: { trainFrom: 'all' }, input: { kind: 'resize', width: 128, height: 128 } };
      const fp = modelFootprint(config, body);
      const m = await measure({ name: 'mobilenetv2', pretrained: { base, trainFrom: 'all' } }, 128, 2, 1);
      const px = 128 * 128 * 2;
      const ratio = m.peak / estimate(fp.stepBytesPerPixel, fp.params, px);
      const why = `${m.peak} B measured, ${implied(m, px)} B/pixel; estimated ${fp.stepBytesPerPixel.toFixed(0)} B/pixel`;
      expect(ratio, why).toBeGreaterThan(1 / 1.35);
      expect(ratio, why).toBeLessThan(1.35);
      expect(Math.abs(m.params / fp.params - 1), `${m.params} weights, estimated ${fp.params}`).toBeLessThan(0.02);
      // The fallback used without the layer list stays near the list's figure.
      expect(Math.abs(MOBILENETV2_FOOTPRINT.stepBytesPerPixel / fp.stepBytesPerPixel - 1)).toBeLessThan(0.2);
      // A frozen body caches one pooled vector per image: out_relu's 1280 channels.
      const head = modelFootprint({ ...config, backbone: { trainFrom: 'head' } }, body);
      expect(head.cachedFloats).toBe(1280);
      expect(budgetParts(budgetInput({ ...config, backbone: { trainFrom: 'head' } }, 1000, head)).cache).toBe(2 * 1000 * 1280 * 4);
      // Trained from block 16 with the MLSP levels: block 15's output map (4×4×160 at 128) and the
      // three levels below it pooled to mean and SD (2 × (24 + 32 + 96)); out_relu lies above.
      const mlsp = { trainFrom: 'block_16_expand', cuts: ['block_2_add', 'block_5_add', 'block_12_add', 'out_relu'] };
      expect(modelFootprint({ ...config, backbone: mlsp }, body).cachedFloats).toBe(4 * 4 * 160 + 2 * (24 + 32 + 96));
    } finally {
      base.dispose();
    }
  });
});
