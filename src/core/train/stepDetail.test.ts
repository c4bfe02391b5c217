import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Cohort, peerSpec, type StepDetail } from './cohort';

// A step's detail (what the presentation's cohort picture shows), checked on the cpu backend
// against predictions and gradients computed here by hand.
beforeAll(async () => {
  await tf.setBackend('cpu');
});

const shape: [number, number, number] = [16, 16, 3];
const pair = (lambda: number) =>
  new Cohort({ model: { name: 'tiny' }, inputShape: shape, peers: [peerSpec(0), peerSpec(1)], lambda, lr: 1e-3, seed: 9, tag: `d${String(lambda).replace('.', '_')}_` });

describe('Cohort.step detail', () => {
  it('reports each peer\u2019s training-mode predictions and the L2 norm of the gradient of its own loss', async () => {
    const lambda = 0.5;
    const c = pair(lambda);
    const x = tf.randomNormal([4, ...shape], 0, 1, 'float32', 3) as tf.Tensor4D;
    const y = tf.tensor1d([1, 2, 3, 4]);
    // Reference, before the step: each peer's prediction, and ∂L_k/∂θ_k with the peer's prediction a constant.
    const preds = c.nets.map((n, k) => tf.reshape(n.apply(c.peerInput(k, x), { training: true }) as tf.Tensor, [-1]));
    const refPreds = await Promise.all(preds.map((p) => p.array() as Promise<number[]>));
    const refNorms: number[] = [];
    for (let k = 0; k < 2; k++) {
      const other = tf.tensor1d(refPreds[1 - k]!);
      const vars = c.nets[k]!.trainableWeights.map((w) => w.read() as tf.Variable);
      const { grads } = tf.variableGrads(() => {
        const p = tf.reshape(c.nets[k]!.apply(c.peerInput(k, x), { training: true }) as tf.Tensor, [-1]);
        return tf.add(tf.mean(tf.square(tf.sub(p, y))), tf.mul(lambda, tf.mean(tf.square(tf.sub(p, other))))) as tf.Scalar;
      }, vars);
      let sq = 0;
      for (const v of vars) for (const g of await grads[v.name]!.data()) sq += g * g;
      refNorms.push(Math.sqrt(sq));
    }
    const detail: StepDetail = {};
    const losses = await c.step(x, y, detail);
    expect(detail.preds).toHaveLength(2);
    detail.preds!.forEach((p, k) => p.forEach((v, i) => expect(v).toBeCloseTo(refPreds[k]![i]!, 4)));
    detail.gradNorm!.forEach((g, k) => expect(g).toBeCloseTo(refNorms[k]!, 3));
    expect(refNorms[0]).toBeGreaterThan(0);
    expect(losses.total).toHaveLength(2);
    c.dispose();
  });

  it('asking for detail leaves no tensor behind and changes neither the losses nor the weights', async () => {
    const a = pair(1);
    const b = pair(1);
    const x = tf.randomNormal([4, ...shape], 0, 1, 'float32', 4) as tf.Tensor4D;
    const y = tf.tensor1d([2, 3, 1, 4]);
    await a.step(x, y);
    const n0 = tf.memory().numTensors;
    const la = await a.step(x, y);
    const n1 = tf.memory().numTensors;
    await b.step(x, y, {});
    const n2 = tf.memory().numTensors;
    const lb = await b.step(x, y, {});
    expect(tf.memory().numTensors - n2).toBe(n1 - n0);
    expect(lb).toEqual(la);
    const wa = await Promise.all(a.nets[1]!.trainableWeights.map((w) => w.read().data()));
    const wb = await Promise.all(b.nets[1]!.trainableWeights.map((w) => w.read().data()));
    expect(wb).toEqual(wa);
    a.dispose();
    b.dispose();
  });
});
