import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../node/tfNode';
import { expectOnlyOutputAllocated, on, randomValues, relDiff, type Backend } from './backendTestHelpers';
import { setIm2colMaxFloats } from './conv2dBackpropFilterWasm';
import { setCol2imMaxFloats } from './conv2dBackpropInputWasm';
import { isWasmTrainingKernel, registerWasmTrainingKernels } from './wasmKernels';

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

beforeAll(async () => {
  // cpu is the reference; both backends stay initialised and we switch per computation.
  expect(await initNodeBackend('cpu')).toBe('cpu');
  expect(await initNodeBackend('wasm')).toBe('wasm');
});

/** A loss whose gradient w.r.t. the conv output is a fixed, non-uniform pattern. */
function convLoss(x: tf.Tensor4D, w: tf.Tensor4D, strides: number | [number, number], pad: Pad): tf.Scalar {
  const y = tf.conv2d(x, w, strides, pad);
  const pattern = tf.sin(tf.reshape(tf.range(0, y.size), y.shape));
  return tf.sum(tf.mul(y, pattern));
}

interface ConvCase {
  x: [number, number, number, number];
  w: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
}

// strides 1/2 (and 3, mixed), same/valid/explicit, kernels 1/3/7 (and 2, 4, 5, 3×2),
// channels 1/3/16/32/33, batch 1/2/3, square and non-square inputs.
const CONV_CASES: ConvCase[] = [
  { x: [1, 5, 7, 1], w: [3, 3, 1, 2], strides: 1, pad: 'same' },
  { x: [3, 9, 6, 3], w: [3, 3, 3, 16], strides: 2, pad: 'same' },
  { x: [3, 8, 8, 16], w: [1, 1, 16, 4], strides: 2, pad: 'valid' },
  { x: [1, 8, 8, 16], w: [1, 1, 16, 8], strides: 1, pad: 'same' },
  { x: [1, 13, 11, 3], w: [7, 7, 3, 5], strides: 2, pad: 'same' },
  { x: [3, 10, 9, 3], w: [7, 7, 3, 4], strides: 1, pad: 'valid' },
  { x: [3, 12, 10, 1], w: [7, 7, 1, 3], strides: 2, pad: 'valid' },
  { x: [1, 10, 9, 16], w: [3, 3, 16, 16], strides: 2, pad: 'valid' }, // stride leaves the last row unread
  { x: [1, 16, 16, 3], w: [3, 3, 3, 16], strides: 1, pad: 'valid' },
  { x: [3, 11, 8, 4], w: [3, 2, 4, 5], strides: [2, 3], pad: 'same' },
  { x: [1, 7, 7, 3], w: [5, 5, 3, 4], strides: 3, pad: 'same' },
  { x: [1, 8, 8, 2], w: [4, 4, 2, 3], strides: 2, pad: 'same' },
  { x: [1, 9, 9, 2], w: [3, 3, 2, 3], strides: 2, pad: [[0, 0], [2, 1], [0, 3], [0, 0]] },
  { x: [3, 7, 9, 4], w: [1, 1, 4, 12], strides: 1, pad: 'valid' }, // 1×1 as a product, x transposed
  { x: [1, 6, 6, 3], w: [1, 1, 3, 5], strides: 1, pad: [[0, 0], [0, 1], [1, 0], [0, 0]] }, // 1×1 with padding: conv form
  // 32 channels and more: the input gradient as a product and col2im.
  { x: [2, 7, 6, 32], w: [3, 3, 32, 8], strides: 2, pad: 'same' },
  { x: [1, 9, 9, 33], w: [3, 3, 33, 4], strides: 1, pad: 'valid' },
  { x: [2, 8, 7, 32], w: [2, 3, 32, 5], strides: [2, 3], pad: [[0, 0], [1, 0], [2, 1], [0, 0]] },
];

const label = (c: ConvCase) => `x ${c.x.join('×')}, w ${c.w.join('×')}, stride ${c.strides}, pad ${JSON.stringify(c.pad)}`;

async function convGrads(backend: Backend, c: ConvCase, seed: number): Promise<{ dw: Float32Array; dx: Float32Array }> {
  const xv = randomValues(tf.util.sizeFromShape(c.x), seed);
  const wv = randomValues(tf.util.sizeFromShape(c.w), seed + 1);
  return on(backend, () =>
    tf.tidy(() => {
      const x = tf.tensor4d(xv, c.x);
      const w = tf.tensor4d(wv, c.w);
      const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => convLoss(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad))([x, w]);
      return { dw: dw!.dataSync() as Float32Array, dx: dx!.dataSync() as Float32Array };
    }),
  );
}

describe('registerWasmTrainingKernels', () => {
  it('installs the missing filter gradient and the faster kernels, once', () => {
    for (const name of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Tile', 'BatchMatMul', 'Equal', 'Maximum', 'Pow', 'Sum', 'Mean', 'Identity', 'Cast', 'Reverse']) {
      expect(isWasmTrainingKernel(name), name).toBe(true);
    }
    const before = tf.getKernel('Conv2DBackpropInput', 'wasm')!.kernelFunc;
    registerWasmTrainingKernels();
    registerWasmTrainingKernels();
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')!.kernelFunc).toBe(before);
  });
});

describe('conv2d gradients on wasm match the cpu backend', () => {
  it.each(CONV_CASES.map((c, i) => [label(c), c, i] as const))('%s', async (_name, c, i) => {
    const cpu = await convGrads('cpu', c, 100 + i);
    const wasm = await convGrads('wasm', c, 100 + i);
    expect(relDiff(cpu.dw, wasm.dw), 'filter gradient (Conv2DBackpropFilter)').toBeLessThan(1e-4);
    expect(relDiff(cpu.dx, wasm.dx), 'input gradient (Conv2DBackpropInput)').toBeLessThan(1e-4);
  });

  // Above its im2col limit the filter gradient runs as a conv with the batch as channels.
  it.each(CONV_CASES.map((c, i) => [label(c), c, i] as const))('filter gradient in its conv form: %s', async (_name, c, i) => {
    const cpu = await convGrads('cpu', c, 200 + i);
    const limit = setIm2colMaxFloats(0);
    try {
      const wasm = await convGrads('wasm', c, 200 + i);
      expect(relDiff(cpu.dw, wasm.dw)).toBeLessThan(1e-4);
    } finally {
      setIm2colMaxFloats(limit);
    }
  });

  // Above its product limit the input gradient runs as one sub-pixel conv.
  it.each(CONV_CASES.map((c, i) => [label(c), c, i] as const))('input gradient as a sub-pixel conv: %s', async (_name, c, i) => {
    const cpu = await convGrads('cpu', c, 400 + i);
    const limit = setCol2imMaxFloats(0);
    try {
      const wasm = await convGrads('wasm', c, 400 + i);
      expect(relDiff(cpu.dx, wasm.dx)).toBeLessThan(1e-4);
    } finally {
      setCol2imMaxFloats(limit);
    }
  });

  it('a tiny-net layer shape (2×16×16×32 → 64, 3×3, stride 2) in both forms', async () => {
    const c: ConvCase = { x: [2, 16, 16, 32], w: [3, 3, 32, 64], strides: 2, pad: 'same' };
    const cpu = await convGrads('cpu', c, 300);
    const im2col = await convGrads('wasm', c, 300);
    const limits = [setIm2colMaxFloats(0), setCol2imMaxFloats(0)] as const;
    const conv = await convGrads('wasm', c, 300).finally(() => {
      setIm2colMaxFloats(limits[0]);
      setCol2imMaxFloats(limits[1]);
    });
    expect(relDiff(cpu.dw, im2col.dw)).toBeLessThan(1e-4);
    expect(relDiff(cpu.dw, conv.dw)).toBeLessThan(1e-4);
    expect(relDiff(cpu.dx, im2col.dx)).toBeLessThan(1e-4);
    expect(relDiff(cpu.dx, conv.dx)).toBeLessThan(1e-4);
  });
});

describe('replaced kernels match the cpu backend', () => {
  it.each([
    [[1, 1, 1, 5], [2, 3, 4, 1]],
    [[2, 3], [3, 2]],
    [[4], [3]],
    [[2, 1, 3], [1, 5, 1]],
  ])('tile %j by %j', async (shape, reps) => {
    const v = randomValues(tf.util.sizeFromShape(shape), 7);
    const run = (b: Backend) => on(b, () => tf.tidy(() => tf.tile(tf.tensor(v, shape), reps).dataSync()));
    const cpu = await run('cpu');
    expect(Array.from(await run('wasm'))).toEqual(Array.from(cpu));
  });

  it.each([
    [[2, 5, 7, 3], [2]],
    [[2, 5, 7, 3], [1, 2]],
    [[3, 4, 20], [0]],
    [[2, 3, 4, 5], [0, 2]],
    [[6, 4], [1]], // the last axis: left to the original kernel
    [[4, 5], []],
  ])('reverse %j over %j', async (shape, axes) => {
    const v = randomValues(tf.util.sizeFromShape(shape), 12);
    const run = (b: Backend) => on(b, () => tf.tidy(() => tf.reverse(tf.tensor(v, shape), axes).dataSync()));
    expect(Array.from(await run('wasm'))).toEqual(Array.from(await run('cpu')));
  });

  it.each([
    [[7, 5], [7, 3], true, false],
    [[7, 5], [3, 5], false, true],
    [[5, 7], [3, 5], true, true],
    [[1, 6, 4], [1, 6, 3], true, false],
    [[2, 5, 7], [2, 5, 3], true, false], // batched: left to the original kernel
  ] as const)('matMul %j · %j (transposeA %s, transposeB %s)', async (as, bs, ta, tb) => {
    const av = randomValues(tf.util.sizeFromShape([...as]), 8);
    const bv = randomValues(tf.util.sizeFromShape([...bs]), 9);
    const run = (b: Backend) =>
      on(b, () => tf.tidy(() => tf.matMul(tf.tensor(av, [...as]), tf.tensor(bv, [...bs]), ta, tb).dataSync()));
    expect(relDiff(await run('cpu'), await run('wasm'))).toBeLessThan(1e-5);
  });

  it.each([
    ['sum', [4, 6, 8, 100], [0, 1, 2], false], // 192 = 64 pooled × 3 summed
    ['sum', [4, 6, 8, 100], [2, 0, 1], true],
    ['mean', [3, 5, 7, 100], [0, 1, 2], true],
    ['mean', [300, 128], [0], false],
    ['sum', [40, 6, 20], [0], false],
    ['sum', [3, 48, 5], [1], false], // middle axis: 16 pooled, then 3 summed
    ['mean', [3, 8, 9, 7], [1, 2], true], // middle axes, as global average pooling
    ['sum', [3, 5, 7, 10], [1, 2], false], // odd size: left to the original kernel
    ['mean', [3, 4, 100], [0, 2], false], // not contiguous: left to the original kernel
  ] as const)('%s of %j over %j (keepDims %s)', async (op, shape, axes, keepDims) => {
    const v = randomValues(tf.util.sizeFromShape([...shape]), 11);
    const f = op === 'sum' ? tf.sum : tf.mean;
    const run = (b: Backend) =>
      on(b, () => tf.tidy(() => {
        const r = f(tf.tensor(v, [...shape]), [...axes], keepDims);
        return { shape: r.shape, values: r.dataSync() };
      }));
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    expect(wasm.shape).toEqual(cpu.shape);
    expect(relDiff(cpu.values, wasm.values)).toBeLessThan(1e-5);
  });

  it('sums integers exactly over outer axes', async () => {
    // 1000 = 8 × 125 values per column: pooled by 8, then summed; 0/1 values as in a count.
    const v = Float32Array.from({ length: 1000 * 3 }, (_, i) => ((i * 7919) % 13 < 5 ? 1 : 0));
    const run = (b: Backend) => on(b, () => tf.tidy(() => Array.from(tf.sum(tf.tensor(v, [1000, 3]), 0).dataSync())));
    const cpu = await run('cpu');
    expect(cpu.every((c) => Number.isInteger(c) && c > 100)).toBe(true);
    expect(await run('wasm')).toEqual(cpu);
  });

  it('clone and same-dtype cast share the data, which outlives the original', async () => {
    await tf.setBackend('wasm');
    const v = randomValues(24, 12);
    const x = tf.tensor(v, [2, 3, 4]);
    const ids = tf.engine().backend.numDataIds();
    const copies = [tf.clone(x), tf.cast(x, 'float32'), tf.engine().runKernel('Identity', { x }) as tf.Tensor];
    expect(tf.engine().backend.numDataIds()).toBe(ids);
    x.dispose();
    copies.forEach((c) => expect(Array.from(c.dataSync())).toEqual(Array.from(v)));
    tf.dispose(copies.slice(1));
    expect(tf.engine().backend.numDataIds()).toBe(ids);
    copies[0]!.dispose();
    expect(tf.engine().backend.numDataIds()).toBe(ids - 1);
    // Other casts still convert.
    const i = tf.tidy(() => Array.from(tf.cast(tf.tensor([1.7, -2.2, 0]), 'int32').dataSync()));
    expect(i).toEqual([1, -2, 0]);
  });

  const binaryOps = { equal: tf.equal, greater: tf.greater, lessEqual: tf.lessEqual, maximum: tf.maximum, minimum: tf.minimum, pow: tf.pow };
  it.each(Object.keys(binaryOps).flatMap((op) => [
    [op, [3, 4, 5, 2], [3, 1, 1, 2]],
    [op, [1, 5], [4, 1]],
    [op, [4, 3], []],
  ]))('%s broadcasting %j with %j', async (op, as, bs) => {
    const av = randomValues(tf.util.sizeFromShape(as as number[]), 10);
    // Half the second operand's values come from the first, the rest are larger.
    const bv = av.slice(0, tf.util.sizeFromShape(bs as number[])).map((v, i) => (i % 2 ? v : Math.abs(v) + 0.5));
    const f = binaryOps[op as keyof typeof binaryOps] as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
    const run = (b: Backend) =>
      on(b, () => tf.tidy(() => Array.from(f(tf.abs(tf.tensor(av, as as number[])), tf.tensor(bv, bs as number[])).dataSync())));
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    if (op === 'pow') expect(relDiff(cpu, wasm)).toBeLessThan(1e-5);
    else expect(wasm).toEqual(cpu);
  });
});

describe('the wasm kernels keep their inputs and allocate only their output', () => {
  const t = (shape: number[], seed: number) => tf.tensor(randomValues(tf.util.sizeFromShape(shape), seed), shape);
  const cases: Array<[string, () => tf.Tensor[], (inputs: tf.Tensor[]) => tf.Tensor]> = [
    [
      'Conv2DBackpropFilter',
      () => [t([2, 8, 6, 3], 1), t([2, 4, 3, 4], 2)],
      ([x, dy]) =>
        tf.engine().runKernel('Conv2DBackpropFilter', { x: x!, dy: dy! }, {
          strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4],
        }) as tf.Tensor,
    ],
    [
      'Conv2DBackpropInput',
      () => [t([2, 4, 3, 4], 2), t([3, 3, 3, 4], 3)],
      ([dy, filter]) =>
        tf.engine().runKernel('Conv2DBackpropInput', { dy: dy!, filter: filter! }, {
          strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape: [2, 8, 6, 3],
        }) as tf.Tensor,
    ],
    ['Tile', () => [t([1, 1, 1, 5], 4)], ([x]) => tf.tile(x!, [2, 3, 4, 1])],
    ['BatchMatMul', () => [t([6, 3], 5), t([4, 6], 6)], ([a, b]) => tf.matMul(a!, b!, true, true)],
    ['Maximum', () => [t([2, 3, 4], 7), t([2, 1, 4], 8)], ([a, b]) => tf.maximum(a!, b!)],
    ['Sum', () => [t([2, 3, 4, 100], 9)], ([x]) => tf.sum(x!, [0, 1, 2])],
    ['Mean', () => [t([2, 3, 4, 100], 10)], ([x]) => tf.mean(x!, [0, 1, 2])],
    ['Reverse', () => [t([2, 3, 4, 3], 11)], ([x]) => tf.reverse(x!, [2])],
  ];
  it.each(cases)('%s', (_name, make, run) => expectOnlyOutputAllocated(make, run));
});

/**
 * A small conv net with every layer kind our models train: conv (no bias) →
 * BN → ReLU, a residual add, max pooling, a conv with bias, global average /
 * max / min pooling, Dense + ReLU, Dense → BN (1-D), Dense(1).
 */
function makeNet() {
  const conv1 = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false });
  const bn1 = tf.layers.batchNormalization();
  const conv2 = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false });
  const bn2 = tf.layers.batchNormalization();
  const pool = tf.layers.maxPooling2d({ poolSize: 2 });
  const conv3 = tf.layers.conv2d({ filters: 12, kernelSize: 3, padding: 'valid' });
  const gap = tf.layers.globalAveragePooling2d({});
  const dense1 = tf.layers.dense({ units: 16, activation: 'relu' });
  // No bias before BN: its gradient is zero up to rounding, and Adam would
  // turn that noise into a full-size, backend-dependent step.
  const dense2 = tf.layers.dense({ units: 8, useBias: false });
  const bn3 = tf.layers.batchNormalization();
  const out = tf.layers.dense({ units: 1 });
  const layers = [conv1, bn1, conv2, bn2, pool, conv3, gap, dense1, dense2, bn3, out];
  const apply = (l: tf.layers.Layer, x: tf.Tensor, training: boolean) => l.apply(x, { training }) as tf.Tensor;
  const forward = (x: tf.Tensor, training: boolean): tf.Tensor => {
    const h1 = tf.relu(apply(bn1, apply(conv1, x, training), training));
    const h2 = tf.relu(apply(bn2, apply(conv2, h1, training), training));
    const h3 = apply(conv3, apply(pool, tf.add(h1, h2), training), training);
    const feats = tf.concat([apply(gap, h3, training), tf.max(h3, [1, 2]), tf.min(h3, [1, 2])], 1);
    const d = apply(bn3, apply(dense2, apply(dense1, feats, training), training), training);
    return apply(out, d, training);
  };
  return { layers, forward };
}

const NET_X: [number, number, number, number] = [4, 20, 16, 3];

/** Builds the net on the active backend, with `init` weights when given. */
function buildNet(init?: Float32Array[]) {
  const net = makeNet();
  tf.tidy(() => net.forward(tf.zeros(NET_X), false)); // creates the weights
  const weights = net.layers.flatMap((l) => l.weights);
  if (init) tf.tidy(() => weights.forEach((w, i) => w.write(tf.tensor(init[i]!, w.shape as number[]))));
  const trainable = net.layers.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
  return { ...net, weights, trainable };
}

type Net = ReturnType<typeof buildNet>;

function trainStep(net: Net, opt: tf.Optimizer, x: tf.Tensor, y: tf.Tensor): number {
  const loss = opt.minimize(() => tf.losses.meanSquaredError(y, net.forward(x, true)) as tf.Scalar, true, net.trainable);
  const value = loss!.dataSync()[0]!;
  loss!.dispose();
  return value;
}

describe('a training step of a small conv net on wasm', () => {
  const xv = randomValues(tf.util.sizeFromShape(NET_X), 21);
  const yv = randomValues(NET_X[0], 22);
  let init: Float32Array[] = [];

  beforeAll(async () => {
    init = await on('cpu', () => {
      const net = buildNet();
      const values = net.weights.map((w) => w.read().dataSync().slice() as Float32Array);
      net.layers.forEach((l) => l.dispose());
      return values;
    });
  });

  it('gives the same gradients as cpu', async () => {
    const grads = (b: Backend) =>
      on(b, () => {
        const net = buildNet(init);
        const g = tf.tidy(() => {
          const x = tf.tensor4d(xv, NET_X);
          const y = tf.tensor2d(yv, [NET_X[0], 1]);
          const { grads } = tf.variableGrads(() => tf.losses.meanSquaredError(y, net.forward(x, true)) as tf.Scalar, net.trainable);
          return net.trainable.map((v) => grads[v.name]!.dataSync().slice());
        });
        net.layers.forEach((l) => l.dispose());
        return g;
      });
    const cpu = await grads('cpu');
    const wasm = await grads('wasm');
    expect(cpu.length).toBe(15); // every trainable weight of the net
    // A bias in front of a BatchNorm gets a gradient that is zero up to
    // rounding; such tensors are compared at the scale of all gradients.
    const all = Math.max(...cpu.map((g) => Math.max(...g.map(Math.abs))));
    cpu.forEach((g, i) => expect(relDiff(g, wasm[i]!, 1e-3 * all), `gradient ${i}`).toBeLessThan(1e-3));
  });

  it('gives the same losses and weights as cpu over two Adam steps', async () => {
    const train = (b: Backend) =>
      on(b, () => {
        const net = buildNet(init);
        // Adam's first steps are ~lr·sign(g): a gradient that is zero up to rounding
        // (a bias in front of a BatchNorm) would take a full, backend-dependent
        // step. An epsilon of 1e-4 damps those and leaves real gradients alone.
        const opt = tf.train.adam(1e-2, 0.9, 0.999, 1e-4);
        const x = tf.tensor4d(xv, NET_X);
        const y = tf.tensor2d(yv, [NET_X[0], 1]);
        const losses = [trainStep(net, opt, x, y), trainStep(net, opt, x, y)];
        const weights = net.weights.map((w) => w.read().dataSync().slice());
        tf.dispose([x, y]);
        opt.dispose();
        net.layers.forEach((l) => l.dispose());
        return { losses, weights };
      });
    const cpu = await train('cpu');
    const wasm = await train('wasm');
    cpu.losses.forEach((l, i) => expect(Math.abs(wasm.losses[i]! - l) / Math.abs(l)).toBeLessThan(1e-3));
    // Trainable weights move by up to 2e-2 in two steps; BN moving statistics too.
    let moved = 0;
    cpu.weights.forEach((w, i) => {
      for (let j = 0; j < w.length; j++) {
        expect(Math.abs(wasm.weights[i]![j]! - w[j]!), `weight ${i}[${j}]`).toBeLessThan(1e-3);
        moved = Math.max(moved, Math.abs(w[j]! - init[i]![j]!));
      }
    });
    expect(moved).toBeGreaterThan(1e-2); // the comparison is not of two untouched nets
  });

  it('leaks no tensor over three steps', async () => {
    await tf.setBackend('wasm');
    const net = buildNet(init);
    const opt = tf.train.adam(1e-3);
    const x = tf.tensor4d(xv, NET_X);
    const y = tf.tensor2d(yv, [NET_X[0], 1]);
    trainStep(net, opt, x, y); // Adam creates its moment slots here
    const tensors = tf.memory().numTensors;
    const dataIds = tf.engine().backend.numDataIds();
    for (let i = 0; i < 3; i++) trainStep(net, opt, x, y);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.engine().backend.numDataIds()).toBe(dataIds);
    tf.dispose([x, y]);
    opt.dispose();
    net.layers.forEach((l) => l.dispose());
  });
});
