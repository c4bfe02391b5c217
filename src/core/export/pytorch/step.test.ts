/**
 * Proof of equivalence, one step: a studio cohort (TF.js on the wasm backend, as the CLI trains) and train.py's PyTorch
 * cohort start from the same weights (the studio's, through the export's weight files; a
 * pretrained body through its backbone file), take one DML step on the same batch, and must
 * agree on the losses, the gradients (Adam's moments) and every updated weight, BatchNorm's
 * moving statistics included (a frozen body's must not move on either side).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageStore } from '../../data/imageStore';
import { testViews, type InputMode } from '../../data/inputMode';
import { MODEL_INFO } from '../../models/info';
import { MOBILENETV2_NSFWJS } from '../../models/pretrained';
import type { ModelName } from '../../models/types';
import { makeRng } from '../../rng';
import { makeBatch } from '../../train/inputs';
import { createCohort } from '../../train/cohort';
import { inputScalingOf, QUICK_DEMO, type BackboneConfig, type TrainConfig } from '../../train/config';
import { BUILTIN_MOBILENETV2, loadBackboneFile } from '../../../node/backbone';
import { initNodeBackend } from '../../../node/tfNode';
import { backboneFiles, backboneTensors, initialWeightsOf, netTensors, weightFiles, withoutBackbone, type NetTensor } from './weights';
import { CHECK_PY, f32Bytes, PYTHON, requireTorch, run, tempDir, writeFiles } from './pythonTestHelpers';

interface Case {
  name: string;
  model: ModelName;
  width?: number;
  input: InputMode;
  peers: number;
  backbone?: BackboneConfig;
  batch?: number;
}

const CASES: Case[] = [
  // 34×30: stride-2 'same' padding on odd and even sizes, and height ≠ width.
  { name: 'tiny, 2 peers', model: 'tiny', input: { kind: 'resize', width: 34, height: 30 }, peers: 2 },
  { name: 'tiny, 3 peers (mimicry = mean over the others)', model: 'tiny', input: { kind: 'resize', width: 32, height: 32 }, peers: 3 },
  { name: 'cnniqa', model: 'cnniqa', input: { kind: 'resize', width: 32, height: 32 }, peers: 2 },
  { name: 'resnet18 ×0.25', model: 'resnet18', width: 0.25, input: { kind: 'resize', width: 40, height: 32 }, peers: 2 },
  // The pretrained MobileNetV2 at 64×48 (stride-2 stages meet odd sizes: 3 rows at block_13), batch 4.
  { name: 'mobilenetv2, body frozen (trainFrom head), GAP at out_relu', model: 'mobilenetv2', input: { kind: 'resize', width: 64, height: 48 }, peers: 2, batch: 4, backbone: { trainFrom: 'head' } },
  { name: 'mobilenetv2, all of it trains', model: 'mobilenetv2', input: { kind: 'resize', width: 64, height: 48 }, peers: 2, batch: 4, backbone: { trainFrom: 'all' } },
  {
    name: 'mobilenetv2, MLSP over every block, trains from block_13_expand',
    model: 'mobilenetv2',
    input: { kind: 'resize', width: 64, height: 48 },
    peers: 2,
    batch: 4,
    backbone: { trainFrom: 'block_13_expand', cuts: MOBILENETV2_NSFWJS.mlspCuts },
  },
];

const SEED = 7;
const BATCH = 6;
/** Weights and moments must agree to this, relative to the tensor's largest value (float32 sums in another order). */
const REL = 1e-4;
/**
 * The pretrained MobileNetV2's losses are measured against the same step in float64 (check.py
 * takes it too): through its body float32 moves them by up to 2e-5 even with the body frozen
 * (measured over 5 image sets), so within PRETRAINED_LOSS_REL of the float64 losses.
 */
const PRETRAINED_LOSS_REL = 1e-4;
/**
 * A MobileNetV2 that trains its body is another matter: float32 alone, in either framework, moves
 * its gradients by about 1e-4 of a tensor's largest, and in about every other batch a ReLU6 input
 * lies within rounding of its kink in one framework and not in the other, which on 2×1 feature
 * maps moves that layer's gradients by up to 1e-1 and the layers below it by 1e-3. So there,
 * against the float64 step: the median tensor within MEDIAN_REL, every tensor within MAX_REL, the
 * losses within LOSS_REL (measured over 5 image sets: medians up to 5e-4, worst tensors 9e-2,
 * losses 8e-4). A mistake moves most gradients by their own size.
 */
const BODY_TRAINING = { MEDIAN_REL: 2e-3, MAX_REL: 0.25, LOSS_REL: 3e-3 };

type Moments = Map<string, { m: Float32Array; v: Float32Array }>;

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

function median(a: readonly number[]): number {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
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

/**
 * Images that differ as real ones do: each its own brightness per channel, contrast and stripe
 * direction, plus noise. A pretrained body sees pure noise images as nearly alike, so the head's
 * BatchNorm over a batch of them would divide cancelled differences, amplifying float32 rounding.
 */
function variedStore(n: number, w: number, h: number): ImageStore {
  const store = new ImageStore(n, w, h);
  const rng = makeRng(98);
  for (let i = 0; i < n; i++) {
    const level = [0, 1, 2].map(() => 30 + 190 * rng.next());
    const contrast = 10 + 60 * rng.next();
    const [fx, fy, phase] = [0.05 + 0.5 * rng.next(), 0.05 + 0.5 * rng.next(), 6 * rng.next()];
    const data = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let c = 0; c < 3; c++) {
          const v = level[c]! + contrast * Math.sin(fx * x + fy * y + phase + c) + 20 * (rng.next() - 0.5);
          data[(y * w + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
        }
    store.add({ width: w, height: h, data });
  }
  return store;
}

interface Outcome {
  losses: { tf: number[][]; torch: number[][] };
  /** Over every weight; and over those whose gradient float32 resolves (see the test). */
  maxWeightDiff: number;
  maxResolvedWeightDiff: number;
  maxRelGradientDiff: number;
  /** Of the resolved trained weights alone, and of the BatchNorm moving statistics alone. */
  maxTrainedWeightDiff: number;
  maxStatisticsDiff: number;
  /** Where the body trains: TF.js's gradients against the float64 step (per tensor, relative), their median, and PyTorch float32's worst. */
  relToFloat64: number[];
  medianRelToFloat64: number;
  float32Error: number;
  lossRelToFloat64: number;
  /** Weights whose gradient is below float32's resolution, of all elements. */
  unresolved: number;
  elements: number;
  zeroGradient: string[];
  /** Weights of frozen layers, checked to stay as they were. */
  frozenElements: number;
}

/** The built-in MobileNetV2 and its feature weights as the export writes them, loaded once. */
let mobilenet: { base: tf.LayersModel; tensors: NetTensor[] } | undefined;

async function stepBoth(c: Case): Promise<Outcome> {
  const config: TrainConfig = {
    ...QUICK_DEMO,
    model: c.model,
    width: c.width,
    backbone: c.backbone,
    input: c.input,
    peers: c.peers,
    lambda: 1,
    lr: 1e-3,
    seed: SEED,
    flipAugment: false,
  };
  const n = c.batch ?? BATCH;
  const pretrained = MODEL_INFO[c.model].pretrained;
  const store = (pretrained ? variedStore : randomStore)(n, c.input.width, c.input.height);
  const mos = Array.from({ length: n }, (_, i) => 1 + (4 * ((i * 7) % n)) / n);
  const view = testViews(c.input, MODEL_INFO[c.model].patchSize)[0]!;
  const idxs = mos.map((_, i) => i);
  const host = makeBatch(store, idxs, idxs.map(() => view), idxs.map(() => false), inputScalingOf(config), mos);
  const bias = mos.reduce((s, v) => s + v, 0) / mos.length;
  if (pretrained && !mobilenet) {
    const base = await loadBackboneFile(BUILTIN_MOBILENETV2);
    mobilenet = { base, tensors: await backboneTensors(base, MOBILENETV2_NSFWJS.defaultCut) };
  }

  const cohort = createCohort('dml', config, bias, pretrained ? mobilenet!.base : undefined);
  const dir = tempDir('pt-step-');
  try {
    const before = await initialWeightsOf(SEED, cohort.nets);
    // As the export writes them: a pretrained body in backbone/, each peer's head in weights/.
    if (pretrained) writeFiles(dir, [...backboneFiles(c.model, mobilenet!.tensors, 'test'), ...weightFiles(withoutBackbone(before, mobilenet!.tensors))]);
    else writeFiles(dir, weightFiles(before));
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
    type Entry = { peer: number; kind: 'w' | 'm' | 'v'; name: string; offset: number; length: number };
    const out = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { losses: number[][]; losses64: number[][]; tensors: Entry[]; tensors64: Entry[] };
    const bin = readFileSync(join(dir, 'out.bin'));
    const all = new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 4);
    const bin64 = readFileSync(join(dir, 'out64.bin'));
    const all64 = new Float64Array(bin64.buffer.slice(bin64.byteOffset, bin64.byteOffset + bin64.byteLength));
    const torchOf = (peer: number, kind: string) =>
      new Map(out.tensors.filter((t) => t.peer === peer && t.kind === kind).map((t) => [t.name, all.subarray(t.offset, t.offset + t.length)]));
    const exactOf = (peer: number) =>
      new Map(out.tensors64.filter((t) => t.peer === peer && t.kind === 'm').map((t) => [t.name, all64.subarray(t.offset, t.offset + t.length)]));

    // A pretrained body that trains: measured against the float64 step (see BODY_TRAINING).
    const bodyTrains = Boolean(pretrained) && c.backbone?.trainFrom !== 'head';
    const o = {
      maxWeightDiff: 0,
      maxResolvedWeightDiff: 0,
      maxTrainedWeightDiff: 0,
      maxStatisticsDiff: 0,
      maxRelGradientDiff: 0,
      relToFloat64: [] as number[],
      medianRelToFloat64: NaN,
      float32Error: 0,
      lossRelToFloat64: NaN,
      unresolved: 0,
      elements: 0,
      zeroGradient: [] as string[],
    };
    let frozenElements = 0;
    for (let k = 0; k < c.peers; k++) {
      // The weights of frozen layers (BatchNorm statistics included): they must not move at all, on either side.
      const frozen = new Set(cohort.nets[k]!.layers.filter((l) => !l.trainable).flatMap((l) => l.weights.map((w) => w.originalName.replace(`peer${k}_`, ''))));
      const wTorch = torchOf(k, 'w');
      const mTorch = torchOf(k, 'm');
      const vTorch = torchOf(k, 'v');
      const mExact = exactOf(k);
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
        if (frozen.has(name)) {
          const s0 = start.get(name)!;
          expect(maxAbsDiff(t.values, s0), `frozen ${name} (peer ${k}) in TF.js`).toBe(0);
          expect(maxAbsDiff(wt, s0), `frozen ${name} (peer ${k}) in PyTorch`).toBe(0);
          frozenElements += t.values.length;
          continue;
        }
        if (!moments) {
          // Not trained by Adam: BatchNorm's moving statistics, updated by the forward pass.
          o.maxResolvedWeightDiff = Math.max(o.maxResolvedWeightDiff, d);
          o.maxStatisticsDiff = Math.max(o.maxStatisticsDiff, d);
          expect(d, `${name} (peer ${k})`).toBeLessThanOrEqual(REL * Math.max(1, maxAbs(t.values)));
          continue;
        }
        const { m, v } = moments;
        const mt = mTorch.get(name)!;
        const m64 = mExact.get(name)!;
        // A gradient that is zero but for rounding, as the float64 step shows (a bias just before a BatchNorm;
        // a BatchNorm's beta whose every path meets another BatchNorm; the output bias and the last BatchNorm's
        // beta while the output bias is the batch's MOS mean): tiny on both sides.
        if (maxAbs(m64) < 1e-5 * gScale) {
          o.zeroGradient.push(`${name} (peer ${k})`);
          expect(maxAbs(m), `${name}: TF.js's gradient should be zero up to rounding`).toBeLessThan(1e-4 * gScale);
          expect(maxAbs(mt), `${name}: PyTorch's gradient should be zero up to rounding`).toBeLessThan(1e-4 * gScale);
          o.unresolved += m.length;
          continue;
        }
        // Gradients (Adam's first moment is 0.1·g after one step) and squared gradients, tensor-wise.
        const gMax = maxAbs(m);
        const rel = maxAbsDiff(m, mt) / gMax;
        o.maxRelGradientDiff = Math.max(o.maxRelGradientDiff, rel);
        if (bodyTrains) {
          const tf64 = maxAbsDiff(m, m64) / maxAbs(m64);
          o.relToFloat64.push(tf64);
          o.float32Error = Math.max(o.float32Error, maxAbsDiff(mt, m64) / maxAbs(m64));
          expect(tf64, `gradient of ${name} (peer ${k}) against the float64 step`).toBeLessThan(BODY_TRAINING.MAX_REL);
        } else {
          expect(rel, `gradient of ${name} (peer ${k})`).toBeLessThan(REL);
          expect(maxAbsDiff(v, vTorch.get(name)!) / maxAbs(v), `squared gradient of ${name} (peer ${k})`).toBeLessThan(2 * REL);
        }
        // Adam's first step moves every weight by about ±lr whatever |g| is, so where g is a cancelling
        // sum below float32's resolution (|g| < 1e-3 of the tensor's largest; where the body trains,
        // also within the two gradients' difference of zero) the two may step apart by up to 2·lr.
        // Everywhere else the step and the weight must agree.
        const s0 = start.get(name)!;
        const resolution = Math.max(1e-3, bodyTrains ? 2 * rel : 0) * gMax;
        let worstStep = 0;
        let worstUnresolvedStep = 0;
        for (let i = 0; i < m.length; i++) {
          const dStep = Math.abs(t.values[i]! - s0[i]! - (wt[i]! - s0[i]!));
          if (Math.abs(m[i]!) < resolution && !(m[i] === 0 && mt[i] === 0)) {
            o.unresolved++;
            worstUnresolvedStep = Math.max(worstUnresolvedStep, dStep);
          } else {
            worstStep = Math.max(worstStep, dStep);
            o.maxResolvedWeightDiff = Math.max(o.maxResolvedWeightDiff, Math.abs(t.values[i]! - wt[i]!));
            o.maxTrainedWeightDiff = Math.max(o.maxTrainedWeightDiff, Math.abs(t.values[i]! - wt[i]!));
          }
        }
        expect(worstStep, `update of ${name} (peer ${k})`).toBeLessThan(1e-2 * config.lr);
        expect(worstUnresolvedStep, `update of ${name} (peer ${k}) where |g| is below resolution`).toBeLessThanOrEqual(2 * config.lr * (1 + 1e-3));
      }
    }
    expect(o.maxResolvedWeightDiff).toBeLessThan(REL);
    const tfRows = losses.supervised.map((s, k) => [s, losses.mimicry[k]!, losses.total[k]!]);
    tfRows.forEach((row, k) =>
      row.forEach((v, j) => {
        if (pretrained)
          expect(Math.abs(v - out.losses64[k]![j]!), `loss ${j} of peer ${k} against the float64 step`).toBeLessThanOrEqual(
            (bodyTrains ? BODY_TRAINING.LOSS_REL : PRETRAINED_LOSS_REL) * Math.abs(v),
          );
        else expect(Math.abs(v - out.losses[k]![j]!), `loss ${j} of peer ${k}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(v)));
      }),
    );
    if (pretrained) o.lossRelToFloat64 = Math.max(...tfRows.flatMap((r, k) => r.map((v, j) => Math.abs(v - out.losses64[k]![j]!) / Math.abs(v))));
    if (bodyTrains) {
      o.medianRelToFloat64 = median(o.relToFloat64);
      expect(o.medianRelToFloat64, 'the median gradient tensor against the float64 step').toBeLessThan(BODY_TRAINING.MEDIAN_REL);
      expect(o.float32Error, "PyTorch's float32 gradients against its float64 step").toBeLessThan(BODY_TRAINING.MAX_REL);
    }
    return { losses: { tf: tfRows, torch: out.losses }, ...o, frozenElements };
  } finally {
    cohort.dispose();
    rmSync(dir, { recursive: true, force: true }); // a MobileNetV2 step leaves some 100 MB
  }
}

describe('PyTorch export: one DML step equals the studio\'s', () => {
  beforeAll(async () => {
    requireTorch();
    await initNodeBackend('wasm');
  });
  afterAll(() => mobilenet?.base.dispose());

  for (const c of CASES)
    it(c.name, async () => {
      const o = await stepBoth(c);
      const e = (v: number) => v.toExponential(2);
      console.log(
        `${c.name}: losses TF.js ${JSON.stringify(o.losses.tf.map((r) => r.map((v) => +v.toFixed(6))))}; ` +
          `max |Δweight| ${e(o.maxResolvedWeightDiff)} (trained weights ${e(o.maxTrainedWeightDiff)}, BatchNorm statistics ${e(o.maxStatisticsDiff)}; ` +
          `${e(o.maxWeightDiff)} with the ${o.unresolved} of ${o.elements} weights whose gradient is below float32's resolution), ` +
          `max relative gradient difference ${e(o.maxRelGradientDiff)}` +
          (o.relToFloat64.length
            ? `; against the float64 step: median tensor ${e(o.medianRelToFloat64)}, worst ${e(Math.max(...o.relToFloat64))} (PyTorch float32's worst ${e(o.float32Error)})`
            : '') +
          (Number.isNaN(o.lossRelToFloat64) ? '' : `; losses against the float64 step ${e(o.lossRelToFloat64)}`) +
          `; zero-gradient tensors: ${o.zeroGradient.join(', ') || 'none'}` +
          `${o.frozenElements ? `; ${o.frozenElements} frozen weights unmoved on both sides` : ''}`,
      );
      // The mimicry term is live (peers differ at init), so the test covers it.
      expect(Math.min(...o.losses.tf.map((r) => r[1]!))).toBeGreaterThan(0);
    });
});
