import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { imagesOf, maxAbsDiff, testConfig, testData, weightsOf } from '../../../test/support/training';
import { Cohort, peerSpec } from './cohort';
import { createCohort } from './cohort';
import { trainEpoch } from './loop';
import { cohortLosses, mse } from './cohort';

// The method's rules, each proven on the cpu backend, whose kernels are exact references.
beforeAll(async () => {
  await tf.setBackend('cpu');
});

const shape: [number, number, number] = [16, 16, 3];
function pair(lambda = 1, seed = 5) {
  return new Cohort({ model: { name: 'tiny' }, inputShape: shape, peers: [peerSpec(0), peerSpec(1)], lambda, lr: 1e-3, seed, tag: `t${seed}_` });
}
const batch = () => ({ x: tf.randomNormal([4, ...shape], 0, 1, 'float32', 7) as tf.Tensor4D, y: tf.tensor1d([1, 2, 3, 4]) });

describe('DML-IQA method', () => {
  it('the mimicry term sends no gradient into the peer: applying only L_A leaves B unchanged', async () => {
    const c = pair();
    const { x, y } = batch();
    const varsA = c.nets[0]!.trainableWeights.map((w) => w.read() as tf.Variable);
    const varsB = c.nets[1]!.trainableWeights.map((w) => w.read() as tf.Variable);
    const before = await weightsOf(c.nets[1]!);
    const lossA = (naive: boolean) => () => {
      const pA = tf.reshape(c.nets[0]!.apply(c.peerInput(0, x), { training: true }) as tf.Tensor, [-1]);
      const pB = tf.reshape(c.nets[1]!.apply(c.peerInput(1, x), { training: true }) as tf.Tensor, [-1]);
      if (naive) return tf.add(mse(pA, y), mse(pA, pB)) as tf.Scalar; // no stop-gradient: the bug we guard against
      return cohortLosses([pA, pB], y, 1).rows.slice([0, 2], [1, 1]).reshape([]) as tf.Scalar;
    };
    const { grads, value } = tf.variableGrads(lossA(false), [...varsA, ...varsB]);
    expect(Number.isFinite((await value.data())[0])).toBe(true);
    for (const v of varsB) expect(Math.max(...(await tf.abs(grads[v.name]!).data()))).toBe(0);
    expect(Math.max(...(await tf.abs(grads[varsA[0]!.name]!).data()))).toBeGreaterThan(0);
    const opt = tf.train.adam(1e-2);
    opt.applyGradients(grads as unknown as Parameters<tf.AdamOptimizer['applyGradients']>[0]);
    expect(maxAbsDiff(await weightsOf(c.nets[1]!), before)).toBe(0);
    // Control: without the stop-gradient, B would receive gradient from L_A.
    const naive = tf.variableGrads(lossA(true), [...varsA, ...varsB]).grads;
    const leak = await Promise.all(varsB.map(async (v) => Math.max(...(await tf.abs(naive[v.name]!).data()))));
    expect(Math.max(...leak)).toBeGreaterThan(0);
    c.dispose();
  });

  it('peer B receives the flipped batch and peer A the batch itself, BatchNorm in training mode', async () => {
    const c = pair();
    const { x, y } = batch();
    const seen: { input: tf.Tensor; training: unknown }[][] = [[], []];
    c.nets.forEach((net, k) => {
      const orig = net.apply.bind(net);
      net.apply = ((inp: tf.Tensor, kw?: { training?: boolean }) => {
        seen[k]!.push({ input: tf.keep((inp as tf.Tensor).clone()), training: kw?.training });
        return orig(inp, kw);
      }) as typeof net.apply;
    });
    await c.step(x, y);
    expect(seen[0]!.length).toBe(1); // one forward per peer per step
    expect(seen[1]!.length).toBe(1);
    expect(seen[0]![0]!.training).toBe(true);
    expect(seen[1]![0]!.training).toBe(true);
    expect(maxAbsDiff([(await seen[0]![0]!.input.data()) as Float32Array], [(await x.data()) as Float32Array])).toBe(0);
    const flipped = (await tf.reverse(x, 2).data()) as Float32Array;
    expect(maxAbsDiff([(await seen[1]![0]!.input.data()) as Float32Array], [flipped])).toBe(0);
    expect(maxAbsDiff([flipped], [(await x.data()) as Float32Array])).toBeGreaterThan(0);
    c.predict(1, x).dispose();
    expect(seen[1]![1]!.training).toBe(false); // inference mode at test
    expect(maxAbsDiff([(await seen[1]![1]!.input.data()) as Float32Array], [flipped])).toBe(0);
    c.dispose();
  });

  it('heads differ as specified: A Kaiming-normal, B Xavier-normal; bodies identical', async () => {
    const c = pair();
    const byName = (k: number) =>
      Object.fromEntries(c.nets[k]!.trainableWeights.map((w) => [w.originalName.replace(/^t5_\d_/, ''), w.read()]));
    const [a, b] = [byName(0), byName(1)];
    const std = async (t: tf.Tensor) => Math.sqrt(((await tf.moments(t).variance.data())[0])!);
    // tfjs draws "normal" inits from a normal truncated at 2σ, whose std is 0.8796·σ.
    const trunc = 0.87962566103423978;
    const k = a['head_dense1/kernel']!; // 128 → 256
    expect(await std(k)).toBeCloseTo(trunc * Math.sqrt(2 / 128), 2);
    expect(await std(b['head_dense1/kernel']!)).toBeCloseTo(trunc * Math.sqrt(2 / (128 + 256)), 2);
    expect(maxAbsDiff([(await a['stage1/kernel']!.data()) as Float32Array], [(await b['stage1/kernel']!.data()) as Float32Array])).toBe(0);
    c.dispose();
  });

  it('with λ = 0, a DML pair equals two independent baselines with the same seeds', async () => {
    const config = testConfig({ lambda: 0, epochs: 2 });
    const data = testData(24);
    const dml = createCohort('dml', config);
    const baseA = new Cohort({ ...dml.args, peers: [peerSpec(0)], tag: 'soloA' });
    const baseB = new Cohort({ ...dml.args, peers: [peerSpec(1)], tag: 'soloB' });
    for (let e = 0; e < 2; e++)
      for (const c of [dml, baseA, baseB]) await trainEpoch(c, c === dml ? 'dml' : 'baseline', e, config, data, imagesOf(config, data), () => {});
    expect(maxAbsDiff(await weightsOf(dml.nets[0]!), await weightsOf(baseA.nets[0]!))).toBe(0);
    expect(maxAbsDiff(await weightsOf(dml.nets[1]!), await weightsOf(baseB.nets[0]!))).toBe(0);
    // Control: with λ = 1 the peers do learn from each other.
    const dml1 = createCohort('dml', { ...config, lambda: 1 });
    await trainEpoch(dml1, 'dml', 0, { ...config, lambda: 1 }, data, imagesOf(config, data), () => {});
    const base1 = new Cohort({ ...dml.args, peers: [peerSpec(0)], tag: 'soloC' });
    await trainEpoch(base1, 'baseline', 0, config, data, imagesOf(config, data), () => {});
    expect(maxAbsDiff(await weightsOf(dml1.nets[0]!), await weightsOf(base1.nets[0]!))).toBeGreaterThan(1e-4);
    for (const c of [dml, baseA, baseB, dml1, base1]) c.dispose();
  });

  it('cohorts of K > 2: mimicry is the mean over the other peers; peers alternate flip and init', async () => {
    expect([0, 1, 2, 3].map((k) => peerSpec(k))).toEqual([
      { index: 0, headInit: 'he', flipped: false },
      { index: 1, headInit: 'xavier', flipped: true },
      { index: 2, headInit: 'he', flipped: false },
      { index: 3, headInit: 'xavier', flipped: true },
    ]);
    const preds = [tf.tensor1d([1, 2]), tf.tensor1d([2, 2]), tf.tensor1d([4, 4])];
    const y = tf.tensor1d([1, 1]);
    const rows = (await cohortLosses(preds, y, 0.5).rows.array()) as number[][];
    // peer 0: sup = (0+1)/2 = 0.5; mim = mean(MSE(p0,p1)=0.5, MSE(p0,p2)=(9+4)/2=6.5) = 3.5; total = 0.5 + 0.5·3.5
    expect(rows[0]).toEqual([0.5, 3.5, 2.25]);
    expect(rows[2]![1]).toBeCloseTo((6.5 + 4) / 2, 6);
  });

  it('step decay halves the learning rate every decayEvery epochs', async () => {
    const { learningRateAt } = await import('./config');
    const c = testConfig({ lr: 1e-3, decayEvery: 10, decayFactor: 0.5 });
    expect([0, 9, 10, 19, 20, 39].map((e) => learningRateAt(c, e))).toEqual([1e-3, 1e-3, 5e-4, 5e-4, 2.5e-4, 1.25e-4]);
  });
});
