import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallModel } from '../../../test/support/backbones';
import { imagesOf, maxAbsDiff, testConfig, testData, weightsOf } from '../../../test/support/training';
import { initNodeBackend } from '../../node/tfNode';
import { createCohort } from './cohort';
import type { TrainConfig } from './config';
import { featureSource } from './inputs';
import { cachePlan } from './config';
import { sourceArgs, train, trainEpoch, trainMeanMos } from './loop';

// A pretrained body trained from its head: on the frozen body's cached output, as the loop does
// when the body is frozen, and through the whole net, which must give the same networks.
let base: tf.LayersModel;
beforeAll(async () => {
  await initNodeBackend('wasm');
  base = smallModel();
});
afterAll(() => base.dispose());

const headOnly = (over: Partial<TrainConfig> = {}) =>
  testConfig({ mode: 'dml', model: 'backbone', backbone: { trainFrom: 'head', scaling: 'imagenet' }, batchSize: 4, ...over }, 16);
const data = () => ({ ...testData(24, 16), backbone: base });

async function frozenWeights(net: tf.LayersModel): Promise<Float32Array[]> {
  return Promise.all(net.layers.filter((l) => !l.trainable).flatMap((l) => l.weights.map(async (w) => (await w.read().data()) as Float32Array)));
}

describe('a pretrained body trained from the head', () => {
  it('says when the frozen body is cached and when it is not', () => {
    expect(cachePlan(headOnly())).toMatchObject({ cache: true });
    expect(cachePlan(headOnly({ backbone: { trainFrom: 'all' } }))).toMatchObject({ cache: false, why: expect.stringMatching(/every layer trains/) });
    expect(cachePlan(headOnly({ input: { kind: 'crop', size: 12, width: 16, height: 16 } }))).toMatchObject({
      cache: false,
      why: expect.stringMatching(/random crops .* choose resize/),
    });
    expect(cachePlan(testConfig())).toMatchObject({ cache: false });
  });

  /** Two epochs on the cache and through the whole net give the same networks; the body never changes. */
  async function expectCachedTrainsAsWhole(config: TrainConfig, crossing: number): Promise<void> {
    const d = data();
    const bias = trainMeanMos(d);
    const whole = createCohort('dml', config, bias, base);
    const cached = createCohort('dml', config, bias, base);
    const untrained = createCohort('dml', config, bias, base);
    const bodyBefore = await frozenWeights(whole.nets[1]!);
    const frozen = cached.useFeatures();
    expect(frozen.outputs.length).toBe(crossing);
    const source = await featureSource(sourceArgs(config, d), frozen);
    try {
      for (let e = 0; e < 2; e++) {
        await trainEpoch(whole, 'dml', e, config, d, imagesOf(config, d), () => {});
        await trainEpoch(cached, 'dml', e, config, d, source, () => {});
      }
      for (let k = 0; k < 2; k++) {
        const w = await weightsOf(whole.nets[k]!);
        // Something trained, and both ways agree to float rounding.
        expect(maxAbsDiff(w, await weightsOf(untrained.nets[k]!))).toBeGreaterThan(1e-3);
        expect(maxAbsDiff(w, await weightsOf(cached.nets[k]!))).toBeLessThan(1e-4);
      }
      // The frozen body (BatchNorm statistics included) is the pretrained one, in both.
      expect(maxAbsDiff(await frozenWeights(whole.nets[1]!), bodyBefore)).toBe(0);
      expect(maxAbsDiff(await frozenWeights(cached.nets[1]!), bodyBefore)).toBe(0);
    } finally {
      source.dispose();
      for (const c of [whole, cached, untrained]) c.dispose();
    }
  }

  it('on cached features trains the same networks as through the whole net, and the body never changes', async () => {
    await expectCachedTrainsAsWhole(headOnly(), 1);
  });

  it('with an MLSP level below the first trained layer, caches both tensors that cross (the map c2 reads, the level pooled) and trains the same networks', async () => {
    // c2 and its BatchNorm train (in training mode); c1 is frozen, and c1_relu is both read by c2 and an MLSP level.
    await expectCachedTrainsAsWhole(headOnly({ backbone: { trainFrom: 'c2', cuts: ['c1_relu', 'c2_relu'], scaling: 'imagenet' } }), 2);
  });

  it('peer B takes the features of the mirrored image, peer A those of the image', async () => {
    const config = headOnly();
    const d = data();
    const cohort = createCohort('dml', config, 3, base);
    const frozen = cohort.useFeatures();
    const source = await featureSource(sourceArgs(config, d), frozen);
    const batch = source.testBatch([0, 5], source.testViews.slice(0, 1).concat(source.testViews.slice(0, 1)));
    try {
      const images = imagesOf(config, d).testBatch([0, 5], source.testViews.concat(source.testViews));
      if (batch.kind !== 'features' || images.kind !== 'images') throw new Error('unexpected batch kinds');
      const plain = frozen.predict(images.x) as tf.Tensor;
      const mirrored = frozen.predict(tf.reverse(images.x, 2)) as tf.Tensor;
      expect(batch.plain).toHaveLength(1);
      expect(maxAbsDiff([(await batch.plain[0]!.data()) as Float32Array], [(await plain.data()) as Float32Array])).toBeLessThan(1e-5);
      expect(maxAbsDiff([(await batch.mirrored[0]!.data()) as Float32Array], [(await mirrored.data()) as Float32Array])).toBeLessThan(1e-5);
      expect(cohort.peerInput(0, batch)).toBe(batch.plain[0]);
      expect(cohort.peerInput(1, batch)).toBe(batch.mirrored[0]);
      tf.dispose([plain, mirrored, images.x, ...batch.plain, ...batch.mirrored]);
    } finally {
      source.dispose();
      cohort.dispose();
    }
  });

  it('reads images ahead only when the batches come from the images, not from the feature cache', async () => {
    const prefetched = async (config: TrainConfig) => {
      const d = data();
      const calls: number[][] = [];
      const store = new Proxy(d.store, {
        get(t, k) {
          if (k === 'prefetch') return (idxs: readonly number[]) => calls.push([...idxs]);
          const v = Reflect.get(t, k, t) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
        },
      });
      await train(config, { ...d, store }, { emit: () => {} });
      return calls;
    };
    expect(await prefetched(headOnly({ mode: 'baseline', epochs: 1 }))).toEqual([]);
    const whole = await prefetched(headOnly({ mode: 'baseline', epochs: 1, backbone: { trainFrom: 'all', scaling: 'imagenet' } }));
    expect(whole.length).toBeGreaterThan(0);
    expect(whole.flat().every((i) => data().train.includes(i))).toBe(true);
  });

  it('the training loop caches once, reports it, learns, and leaks nothing', async () => {
    const config = headOnly({ mode: 'both', epochs: 3, lr: 1e-2 });
    const caching: number[] = [];
    const before = tf.memory().numTensors;
    const result = await train(config, data(), { emit: (e) => e.type === 'cache' && caching.push(e.done) });
    expect(caching.at(-1)).toBe(24);
    const loss = (run: string, epoch: number) => result.history.find((e) => e.run === run && e.epoch === epoch)!.trainLoss.supervised[0]!;
    for (const run of ['baseline', 'dml']) expect(loss(run, 3)).toBeLessThan(loss(run, 1));
    expect(result.history.map((e) => e.memory.numTensors).slice(2)).toEqual(Array(4).fill(result.history[1]!.memory.numTensors));
    expect(tf.memory().numTensors).toBe(before);
  });
});
