/**
 * Proof of equivalence, one step: a studio cohort (TF.js on the wasm backend, as the CLI trains) and train.py's PyTorch
 * cohort start from the same weights (the studio's, through the export's weight files), take one
 * DML step on the same batch, and must agree on the losses, the gradients (Adam's moments) and
 * every updated weight, BatchNorm's moving statistics included.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ImageStore } from '../../data/imageStore';
import { netInputSize, testViews, type InputMode } from '../../data/inputMode';
import { MODEL_INFO } from '../../models/info';
import type { ModelName } from '../../models/types';
import { makeRng } from '../../rng';
import { makeBatch } from '../../train/inputs';
import { Cohort, peerSpec } from '../../train/cohort';
import { QUICK_DEMO, type TrainConfig } from '../../train/config';
import { initNodeBackend } from '../../../node/tfNode';
import { initialWeightsOf, netTensors, weightFiles } from './weights';
import { CHECK_PY, f32Bytes, PYTHON, requireTorch, run, tempDir, writeFiles } from './pythonTestHelpers';

interface Case {
  name: string;
  model: ModelName;
  width?: number;
  input: InputMode;
  peers: number;
}

const CASES: Case[] = [
  // 34×30: stride-2 'same' padding on odd and even sizes, and height ≠ width.
  { name: 'tiny, 2 peers', model: 'tiny', input: { kind: 'resize', width: 34, height: 30 }, peers: 2 },
  { name: 'tiny, 3 peers (mimicry = mean over the others)', model: 'tiny', input: { kind: 'resize', width: 32, height: 32 }, peers: 3 },
  { name: 'cnniqa', model: 'cnniqa', input: { kind: 'resize', width: 32, height: 32 }, peers: 2 },
  { name: 'resnet18 ×0.25', model: 'resnet18', width: 0.25, input: { kind: 'resize', width: 40, height: 32 }, peers: 2 },
];

const SEED = 7;
const BATCH = 6;
/** Weights and moments must agree to this, relative to the tensor's largest value (float32 sums in another order). */
const REL = 1e-4;

type Moments = Map<string, { m: Float32Array; v: Float32Array }>;

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** A store of seeded random images: every pixel value 0–255 appears, as in real images. */
function randomStore(n: number, w: number, h: number): ImageStore {
  const store = new ImageStore(n, w, h);
  const rng = makeRng(99);
  for (let i = 0; i < n; i++) store.add({ width: w, height: h, data: Uint8Array.from({ length: w * h * 3 }, () => rng.int(256)) });
  return store;
}

interface Outcome {
  losses: { tf: number[][]; torch: number[][] };
  /** Over every weight; and over those whose gradient float32 resolves (see the test). */
  maxWeightDiff: number;
  maxResolvedWeightDiff: number;
  maxRelGradientDiff: number;
  /** Weights whose gradient is below float32's resolution, of all elements. */
  unresolved: number;
  elements: number;
  zeroGradient: string[];
}

async function stepBoth(c: Case): Promise<Outcome> {
  const config: TrainConfig = { ...QUICK_DEMO, model: c.model, width: c.width, input: c.input, peers: c.peers, lambda: 1, lr: 1e-3, seed: SEED, flipAugment: false };
  const [h, w] = netInputSize(c.input, MODEL_INFO[c.model].patchSize);
  const store = randomStore(BATCH, c.input.width, c.input.height);
  const mos = Array.from({ length: BATCH }, (_, i) => 1 + (4 * ((i * 7) % BATCH)) / BATCH);
  const view = testViews(c.input, MODEL_INFO[c.model].patchSize)[0]!;
  const idxs = mos.map((_, i) => i);
  const host = makeBatch(store, idxs, idxs.map(() => view), idxs.map(() => false), 'imagenet', mos);
  const bias = mos.reduce((s, v) => s + v, 0) / mos.length;

  const cohort = new Cohort({
    model: { name: c.model, width: c.width },
    inputShape: [h, w, 3],
    peers: Array.from({ length: c.peers }, (_, k) => peerSpec(k)),
    lambda: config.lambda,
    lr: config.lr,
    seed: SEED,
    tag: 'peer',
    outputBias: bias,
  });
  const dir = tempDir('pt-step-');
  try {
    const before = await initialWeightsOf(SEED, cohort.nets);
    writeFiles(dir, weightFiles(before));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ config }));
    writeFileSync(join(dir, 'batch.json'), JSON.stringify({ shape: host.shape, bias, seed: SEED }));
    writeFileSync(join(dir, 'x.bin'), f32Bytes(host.x));
    writeFileSync(join(dir, 'y.bin'), f32Bytes(host.y));

    const x = tf.tensor4d(host.x, host.shape);
    const y = tf.tensor1d(host.y);
    const losses = await cohort.step(x, y);
    x.dispose();
    y.dispose();
    const tfAfter = await Promise.all(cohort.nets.map(netTensors));
    // Adam's weights: the iteration count, the first moments, then the second, in the order of the net's trainable weights.
    const tfMoments = await Promise.all(
      cohort.optimizers.map(async (opt, k) => {
        const trainable = cohort.nets[k]!.trainableWeights.map((w) => w.originalName.replace(`peer${k}_`, ''));
        const weights = (await opt.getWeights()).slice(1);
        const moments: Moments = new Map();
        for (const [i, name] of trainable.entries())
          moments.set(name, {
            m: (await weights[i]!.tensor.data()) as Float32Array,
            v: (await weights[i + trainable.length]!.tensor.data()) as Float32Array,
          });
        return moments;
      }),
    );

    run(PYTHON, [CHECK_PY, 'step', dir]);
    const out = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as {
      losses: number[][];
      tensors: { peer: number; kind: 'w' | 'm' | 'v'; name: string; offset: number; length: number }[];
    };
    const bin = readFileSync(join(dir, 'out.bin'));
    const all = new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 4);
    const torchOf = (peer: number, kind: string) =>
      new Map(out.tensors.filter((t) => t.peer === peer && t.kind === kind).map((t) => [t.name, all.subarray(t.offset, t.offset + t.length)]));

    const o = { maxWeightDiff: 0, maxResolvedWeightDiff: 0, maxRelGradientDiff: 0, unresolved: 0, elements: 0, zeroGradient: [] as string[] };
    for (let k = 0; k < c.peers; k++) {
      const wTorch = torchOf(k, 'w');
      const mTorch = torchOf(k, 'm');
      const vTorch = torchOf(k, 'v');
      const start = new Map(before.peers[k]!.map((t) => [t.name, t.values]));
      expect([...wTorch.keys()].sort()).toEqual(tfAfter[k]!.map((t) => t.name).sort());
      const gScale = Math.max(...[...tfMoments[k]!.values()].map((m) => maxAbs(m.m)));
      for (const t of tfAfter[k]!) {
        const { name } = t;
        const wt = wTorch.get(name)!;
        const d = maxAbsDiff(t.values, wt);
        o.maxWeightDiff = Math.max(o.maxWeightDiff, d);
        o.elements += t.values.length;
        const moments = tfMoments[k]!.get(name);
        if (!moments) {
          // Not trained by Adam: BatchNorm's moving statistics, updated by the forward pass.
          o.maxResolvedWeightDiff = Math.max(o.maxResolvedWeightDiff, d);
          expect(d, `${name} (peer ${k})`).toBeLessThanOrEqual(REL * Math.max(1, maxAbs(t.values)));
          continue;
        }
        const { m, v } = moments;
        const mt = mTorch.get(name)!;
        // A gradient that is zero but for rounding (a bias just before a BatchNorm; the output bias and the
        // last BatchNorm's beta while the output bias is the batch's MOS mean): tiny on both sides.
        if (maxAbs(m) < 1e-5 * gScale) {
          o.zeroGradient.push(`${name} (peer ${k})`);
          expect(maxAbs(mt), `${name}: PyTorch's gradient should be zero up to rounding too`).toBeLessThan(1e-4 * gScale);
          o.unresolved += m.length;
          continue;
        }
        // Gradients (Adam's first moment is 0.1·g after one step) and squared gradients, tensor-wise.
        const rel = maxAbsDiff(m, mt) / maxAbs(m);
        o.maxRelGradientDiff = Math.max(o.maxRelGradientDiff, rel);
        expect(rel, `gradient of ${name} (peer ${k})`).toBeLessThan(REL);
        expect(maxAbsDiff(v, vTorch.get(name)!) / maxAbs(v), `squared gradient of ${name} (peer ${k})`).toBeLessThan(2 * REL);
        // Adam's first step moves every weight by about ±lr whatever |g| is, so where g is a cancelling
        // sum below float32's resolution (|g| < 1e-3 of the tensor's largest) the two may step apart
        // by up to 2·lr. Everywhere else the step and the weight must agree.
        const s0 = start.get(name)!;
        const gMax = maxAbs(m);
        let worstStep = 0;
        let worstUnresolvedStep = 0;
        for (let i = 0; i < m.length; i++) {
          const dStep = Math.abs(t.values[i]! - s0[i]! - (wt[i]! - s0[i]!));
          if (Math.abs(m[i]!) < 1e-3 * gMax && !(m[i] === 0 && mt[i] === 0)) {
            o.unresolved++;
            worstUnresolvedStep = Math.max(worstUnresolvedStep, dStep);
          } else {
            worstStep = Math.max(worstStep, dStep);
            o.maxResolvedWeightDiff = Math.max(o.maxResolvedWeightDiff, Math.abs(t.values[i]! - wt[i]!));
          }
        }
        expect(worstStep, `update of ${name} (peer ${k})`).toBeLessThan(1e-2 * config.lr);
        expect(worstUnresolvedStep, `update of ${name} (peer ${k}) where |g| is below resolution`).toBeLessThanOrEqual(2 * config.lr * (1 + 1e-3));
      }
    }
    expect(o.maxResolvedWeightDiff).toBeLessThan(REL);
    const tfRows = losses.supervised.map((s, k) => [s, losses.mimicry[k]!, losses.total[k]!]);
    tfRows.forEach((row, k) => row.forEach((v, j) => expect(Math.abs(v - out.losses[k]![j]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(v)))));
    return { losses: { tf: tfRows, torch: out.losses }, ...o };
  } finally {
    cohort.dispose();
  }
}

describe('PyTorch export: one DML step equals the studio\'s', () => {
  beforeAll(async () => {
    requireTorch();
    await initNodeBackend('wasm');
  });

  for (const c of CASES)
    it(c.name, async () => {
      const o = await stepBoth(c);
      console.log(
        `${c.name}: losses TF.js ${JSON.stringify(o.losses.tf.map((r) => r.map((v) => +v.toFixed(6))))}; ` +
          `max |Δweight| ${o.maxResolvedWeightDiff.toExponential(2)} (${o.maxWeightDiff.toExponential(2)} with the ${o.unresolved} of ` +
          `${o.elements} weights whose gradient is below float32's resolution), max relative gradient difference ` +
          `${o.maxRelGradientDiff.toExponential(2)}; zero-gradient tensors: ${o.zeroGradient.join(', ') || 'none'}`,
      );
      // The mimicry term is live (peers differ at init), so the test covers it.
      expect(Math.min(...o.losses.tf.map((r) => r[1]!))).toBeGreaterThan(0);
    });
});
