import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallModel } from '../../../test/support/backbones';
import { testConfig, testData } from '../../../test/support/training';
import { IMAGENET_MEAN, IMAGENET_STD, ImageStore } from '../data/imageStore';
import { MOBILENETV2_LAYERS } from '../models/info';
import { BUILTIN_MOBILENETV2, loadBackboneFile } from '../../node/backbone';
import { initNodeBackend } from '../../node/tfNode';
import { makeRng } from '../rng';
import { createCohort } from './cohort';
import type { TrainConfig } from './config';
import { featureHeatmaps, lastFeatureTensor, shrinkMap } from './featureMaps';
import { heatmapTestPosition } from './heatmapChoice';
import { train } from './loop';

// The maps are checked against a computation by hand: the layer named here (not found by the
// code under test), pixels scaled and mirrored here, ReLU and the channel mean in plain JS.
beforeAll(async () => {
  await initNodeBackend('wasm');
});

/** A store of random images, `h` high and `w` wide (not square, so rows and columns cannot be mixed up). */
function randomStore(count: number, h: number, w: number, seed = 5): ImageStore {
  const rng = makeRng(seed);
  const store = new ImageStore(count, w, h);
  for (let i = 0; i < count; i++) store.add({ width: w, height: h, data: Uint8Array.from({ length: w * h * 3 }, () => Math.floor(rng.next() * 256)) });
  return store;
}

/** Image i as float pixels [1, h, w, 3], scaled and optionally mirrored by hand. */
function pixels(store: Pick<ImageStore, 'image'>, i: number, scaling: 'imagenet' | 'unit', mirror: boolean): tf.Tensor4D {
  const { width: w, height: h, data } = store.image(i);
  const out = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++) {
        const u = data[(y * w + (mirror ? w - 1 - x : x)) * 3 + c]! / 255;
        out[(y * w + x) * 3 + c] = scaling === 'unit' ? u : (u - IMAGENET_MEAN[c]!) / IMAGENET_STD[c]!;
      }
  return tf.tensor4d(out, [1, h, w, 3]);
}

/** The channel mean after ReLU of `layer`'s output in `model`, for input x: computed on the host. */
async function referenceMap(model: tf.LayersModel, layer: string, x: tf.Tensor4D): Promise<{ values: number[]; h: number; w: number }> {
  const cut = tf.model({ inputs: model.inputs, outputs: model.getLayer(layer).output as tf.SymbolicTensor });
  // apply, not predict: the nets take other sizes than their input layer says (they are convolutional).
  const f = cut.apply(x, { training: false }) as tf.Tensor4D;
  const [, h, w, c] = f.shape;
  const v = await f.data();
  f.dispose();
  x.dispose();
  const values: number[] = [];
  for (let p = 0; p < h * w; p++) {
    let s = 0;
    for (let k = 0; k < c; k++) s += Math.max(0, v[p * c + k]!);
    values.push(s / c);
  }
  return { values, h, w };
}

function expectClose(got: number[], want: number[], tol = 2e-4) {
  expect(got.length).toBe(want.length);
  const scale = Math.max(1e-6, ...want.map(Math.abs));
  got.forEach((g, i) => expect(Math.abs(g - want[i]!) / scale).toBeLessThan(tol));
}

describe('shrinkMap', () => {
  it('leaves small maps alone and averages large ones over blocks', () => {
    expect(shrinkMap([1, 2, 3, 4, 5, 6], 2, 3, 3)).toEqual({ values: [1, 2, 3, 4, 5, 6], height: 2, width: 3 });
    // 4×4 → 2×2: each output is the mean of a 2×2 block.
    const m = Array.from({ length: 16 }, (_, i) => i);
    expect(shrinkMap(m, 4, 4, 2)).toEqual({ values: [2.5, 4.5, 10.5, 12.5], height: 2, width: 2 });
    // 34×17 → 32 on the long side, aspect kept; a constant map stays constant.
    const s = shrinkMap(Array(34 * 17).fill(3), 34, 17, 32);
    expect([s.height, s.width]).toEqual([32, 16]);
    expect(s.values.every((v) => Math.abs(v - 3) < 1e-12)).toBe(true);
  });

  it('keeps the chosen test image within the test set', () => {
    expect(heatmapTestPosition(5)).toBe(0);
    expect(heatmapTestPosition(5, 3)).toBe(3);
    expect(heatmapTestPosition(5, 9)).toBe(4);
    expect(heatmapTestPosition(0, 2)).toBe(0);
  });
});

describe('feature heatmaps of from-scratch nets', () => {
  // The last feature map of each, by layer name, and the config that builds it.
  const cases: { model: TrainConfig['model']; layer: string; h: number; w: number; input: TrainConfig['input'] }[] = [
    // Trained on 32×32 crops; the whole 48×64 image gives a 3×4 map (four stride-2 stages).
    { model: 'tiny', layer: 'stage4_relu', h: 48, w: 64, input: { kind: 'crop', size: 32, width: 64, height: 48 } },
    { model: 'resnet18', layer: 's4b2_relu', h: 64, w: 96, input: { kind: 'resize', width: 96, height: 64 } },
    // 32×32 patches; the valid 7×7 conv of the whole 40×46 image (no ReLU in the net: the map's own) is 34×40, averaged to 27×32.
    { model: 'cnniqa', layer: 'conv7', h: 40, w: 46, input: { kind: 'resize', width: 46, height: 40 } },
  ];
  for (const c of cases)
    it(`${c.model}: each peer's map is its last feature map's channel mean after ReLU, peer B's of the mirrored image`, async () => {
      const config = testConfig({ model: c.model, input: c.input, peers: 3 });
      const cohort = createCohort('dml', config, 3);
      const store = randomStore(3, c.h, c.w);
      try {
        expect(lastFeatureTensor(cohort.nets[0]!).sourceLayer.name).toBe(`peer0_${c.layer}`);
        const before = tf.memory().numTensors;
        const got = await featureHeatmaps(cohort, store, 2, 'imagenet', 7);
        // A second call costs nothing more either: every tensor is freed.
        await featureHeatmaps(cohort, store, 2, 'imagenet', 7);
        expect(tf.memory().numTensors).toBe(before);
        expect(got).toMatchObject({ test: 7, image: 2, mirrored: [false, true, false] });
        expect(got.peers).toHaveLength(3);
        for (let k = 0; k < 3; k++) {
          const ref = await referenceMap(cohort.nets[k]!, `peer${k}_${c.layer}`, pixels(store, 2, 'imagenet', k === 1));
          const want = shrinkMap(ref.values, ref.h, ref.w);
          expect([got.height, got.width]).toEqual([want.height, want.width]);
          expectClose(got.peers[k]!, want.values);
        }
        if (c.model === 'tiny') expect([got.height, got.width]).toEqual([3, 4]);
        if (c.model === 'cnniqa') expect([got.height, got.width]).toEqual([27, 32]);
        // The peers differ in their heads only, so A and C (both unflipped) have the same body map; B's is of the mirror.
        expect(got.peers[2]).toEqual(got.peers[0]);
        expect(got.peers[1]).not.toEqual(got.peers[0]);
      } finally {
        cohort.dispose();
      }
    });

  it('are recorded with every epoch of every run, of the chosen test image', async () => {
    const data = testData(24, 32);
    const config = testConfig({ mode: 'both', epochs: 2, heatmapImage: 1 }, 32);
    const result = await train(config, data);
    expect(result.history.map((e) => `${e.run}${e.epoch}`)).toEqual(['baseline1', 'dml1', 'baseline2', 'dml2']);
    for (const e of result.history) {
      expect(e.heatmap).toMatchObject({ test: 1, image: data.test[1], height: 2, width: 2, mirrored: e.run === 'dml' ? [false, true] : [false] });
      expect(e.heatmap!.peers.flat().every(Number.isFinite)).toBe(true);
    }
    // The body trains, so the maps move from epoch to epoch.
    expect(result.history[3]!.heatmap!.peers[0]).not.toEqual(result.history[1]!.heatmap!.peers[0]);
  });

  it('follow a test image chosen mid-run from the next epoch on, the same image for every run kind of an epoch', async () => {
    const data = testData(24, 32);
    const config = testConfig({ mode: 'both', epochs: 3, heatmapImage: 1 }, 32);
    let chosen: number | undefined;
    const seen: string[] = [];
    const control = { shouldStop: () => false, waitWhilePaused: async () => {}, heatmapImage: () => chosen };
    const result = await train(config, data, {
      control,
      emit: (e) => {
        if (e.type !== 'epoch') return;
        seen.push(`${e.run}${e.epoch}`);
        // Chosen after the baseline's first epoch, before DML's: DML's epoch 1 keeps the epoch's image.
        if (e.run === 'baseline' && e.epoch === 1) chosen = 2;
        // Past the end of the test set: the last image.
        if (e.run === 'dml' && e.epoch === 2) chosen = 999;
      },
    });
    expect(seen).toEqual(['baseline1', 'dml1', 'baseline2', 'dml2', 'baseline3', 'dml3']);
    const last = data.test.length - 1;
    expect(result.history.map((e) => [`${e.run}${e.epoch}`, e.heatmap!.test, e.heatmap!.image])).toEqual([
      ['baseline1', 1, data.test[1]],
      ['dml1', 1, data.test[1]],
      ['baseline2', 2, data.test[2]],
      ['dml2', 2, data.test[2]],
      ['baseline3', last, data.test[last]],
      ['dml3', last, data.test[last]],
    ]);
  });
});

describe('feature heatmaps with no image in the config', () => {
  it('a pick between the run kinds of an epoch waits for the next epoch: both kinds keep the default image', async () => {
    const data = testData(24, 32);
    const config = testConfig({ mode: 'both', epochs: 2 }, 32);
    let chosen: number | undefined;
    const control = { shouldStop: () => false, waitWhilePaused: async () => {}, heatmapImage: () => chosen };
    const result = await train(config, data, {
      control,
      emit: (e) => {
        if (e.type === 'epoch' && e.run === 'baseline' && e.epoch === 1) chosen = 2;
      },
    });
    const tests = result.history.map((e) => [`${e.run}${e.epoch}`, e.heatmap!.test]);
    expect(tests[0]![1]).not.toBe(2);
    expect(tests).toEqual([
      ['baseline1', tests[0]![1]],
      ['dml1', tests[0]![1]],
      ['baseline2', 2],
      ['dml2', 2],
    ]);
  });
});

describe('feature heatmaps of pretrained bodies', () => {
  let mobilenet: tf.LayersModel;
  let small: tf.LayersModel;
  beforeAll(async () => {
    mobilenet = await loadBackboneFile(BUILTIN_MOBILENETV2);
    small = smallModel();
  });
  afterAll(() => {
    mobilenet.dispose();
    small.dispose();
  });

  it('MobileNetV2 trained head-only on its cached MLSP body: every epoch, the frozen out_relu map of the image and of its mirror', async () => {
    const size = 96;
    const data = { ...testData(16, size), backbone: mobilenet };
    const config = testConfig({ mode: 'dml', model: 'mobilenetv2', backbone: { trainFrom: 'head', cuts: [...MOBILENETV2_LAYERS.mlspCuts] }, epochs: 2 }, size);
    const events: string[] = [];
    const result = await train(config, data, { emit: (e) => e.type === 'cache' && events.push('cache') });
    expect(events).toContain('cache');
    const image = data.test[0]!;
    // Frozen: the base network's own out_relu, unscaled pixels (x/255), as the body was loaded.
    const plain = await referenceMap(mobilenet, 'out_relu', pixels(data.store, image, 'unit', false));
    const mirror = await referenceMap(mobilenet, 'out_relu', pixels(data.store, image, 'unit', true));
    expect([plain.h, plain.w]).toEqual([3, 3]);
    for (const e of result.history) {
      expect(e.heatmap).toMatchObject({ test: 0, image, height: 3, width: 3, mirrored: [false, true] });
      expectClose(e.heatmap!.peers[0]!, plain.values);
      expectClose(e.heatmap!.peers[1]!, mirror.values);
    }
  });

  it("a user's Layers backbone trained from a body layer, its net also split for cached features (its layers then belong to two models)", async () => {
    const config = testConfig({ mode: 'dml', model: 'backbone', backbone: { trainFrom: 'c2', scaling: 'imagenet' }, epochs: 1 }, 16);
    const cohort = createCohort('dml', config, 3, small);
    const store = randomStore(2, 16, 16);
    try {
      const refs = [];
      for (let k = 0; k < 2; k++) refs.push(await referenceMap(cohort.nets[k]!, `peer${k}_c2_relu`, pixels(store, 1, 'imagenet', k === 1)));
      cohort.useFeatures();
      const got = await featureHeatmaps(cohort, store, 1, 'imagenet');
      expect([got.height, got.width]).toEqual([8, 8]);
      refs.forEach((ref, k) => expectClose(got.peers[k]!, ref.values));
    } finally {
      cohort.dispose();
    }
  });
});
