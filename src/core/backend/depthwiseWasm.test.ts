import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../node/tfNode';
import { expectOnlyOutputAllocated, on, randomValues, relDiff, type Backend } from './backendTestHelpers';
import { isWasmTrainingKernel } from './wasmKernels';

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

beforeAll(async () => {
  // cpu is the reference; both backends stay initialised and we switch per computation.
  expect(await initNodeBackend('cpu')).toBe('cpu');
  expect(await initNodeBackend('wasm')).toBe('wasm');
});

interface DepthwiseCase {
  x: [number, number, number, number];
  w: [number, number, number, number]; // [KH, KW, C, channel multiplier]
  strides: number | [number, number];
  pad: Pad;
}

// strides 1/2 (and mixed), same/valid/explicit, batch 1/3, odd and even sizes,
// kernels 3 (and 1, 5, 3×2), channel multiplier 1 (and 2, 3).
const DEPTHWISE_CASES: DepthwiseCase[] = [
  { x: [1, 8, 8, 4], w: [3, 3, 4, 1], strides: 1, pad: 'same' },
  { x: [3, 7, 9, 5], w: [3, 3, 5, 1], strides: 1, pad: 'same' },
  { x: [1, 9, 9, 3], w: [3, 3, 3, 1], strides: 1, pad: 'valid' },
  { x: [3, 8, 6, 4], w: [3, 3, 4, 1], strides: 1, pad: 'valid' },
  { x: [1, 8, 8, 4], w: [3, 3, 4, 1], strides: 2, pad: 'same' },
  { x: [3, 9, 7, 6], w: [3, 3, 6, 1], strides: 2, pad: 'same' },
  { x: [3, 10, 8, 4], w: [3, 3, 4, 1], strides: 2, pad: 'valid' }, // stride leaves the last row unread
  { x: [1, 9, 11, 3], w: [3, 3, 3, 1], strides: 2, pad: 'valid' },
  { x: [3, 9, 9, 4], w: [3, 3, 4, 1], strides: 2, pad: [[0, 0], [0, 1], [0, 1], [0, 0]] }, // ZeroPadding2D + valid
  { x: [1, 9, 8, 3], w: [3, 3, 3, 1], strides: 2, pad: [[0, 0], [4, 1], [0, 3], [0, 0]] }, // pads wider than the filter
  { x: [3, 11, 10, 2], w: [5, 5, 2, 1], strides: 2, pad: 'same' },
  { x: [1, 9, 8, 3], w: [1, 1, 3, 1], strides: 2, pad: 'same' },
  { x: [3, 9, 10, 4], w: [3, 2, 4, 1], strides: [2, 1], pad: 'same' },
  { x: [3, 7, 7, 2], w: [3, 3, 2, 2], strides: 1, pad: 'same' },
  { x: [1, 8, 9, 2], w: [3, 3, 2, 3], strides: 2, pad: 'valid' },
];

const label = (c: DepthwiseCase) =>
  `x ${c.x.join('×')}, w ${c.w.join('×')}, stride ${c.strides}, pad ${JSON.stringify(c.pad)}`;

async function depthwiseGrads(backend: Backend, c: DepthwiseCase, seed: number): Promise<{ dw: Float32Array; dx: Float32Array }> {
  const xv = randomValues(tf.util.sizeFromShape(c.x), seed);
  const wv = randomValues(tf.util.sizeFromShape(c.w), seed + 1);
  return on(backend, () =>
    tf.tidy(() => {
      const loss = (x: tf.Tensor, w: tf.Tensor) => {
        // The gradient w.r.t. the conv output is a fixed, non-uniform pattern.
        const y = tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad);
        return tf.sum(tf.mul(y, tf.sin(tf.reshape(tf.range(0, y.size), y.shape))));
      };
      const [dx, dw] = tf.grads(loss)([tf.tensor4d(xv, c.x), tf.tensor4d(wv, c.w)]);
      return { dw: dw!.dataSync() as Float32Array, dx: dx!.dataSync() as Float32Array };
    }),
  );
}

describe('depthwise conv gradients on wasm', () => {
  it('are registered', () => {
    for (const name of ['DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput']) {
      expect(isWasmTrainingKernel(name), name).toBe(true);
    }
  });

  it.each(DEPTHWISE_CASES.map((c, i) => [label(c), c, i] as const))('match the cpu backend: %s', async (_name, c, i) => {
    const cpu = await depthwiseGrads('cpu', c, 300 + i);
    const wasm = await depthwiseGrads('wasm', c, 300 + i);
    expect(relDiff(cpu.dw, wasm.dw), 'filter gradient').toBeLessThan(1e-4);
    expect(relDiff(cpu.dx, wasm.dx), 'input gradient').toBeLessThan(1e-4);
  });

  const t = (shape: number[], seed: number) => tf.tensor(randomValues(tf.util.sizeFromShape(shape), seed), shape);
  it.each([
    [
      'DepthwiseConv2dNativeBackpropFilter',
      () => [t([2, 8, 6, 3], 1), t([2, 4, 3, 3], 2)],
      ([x, dy]: tf.Tensor[]) =>
        tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: x!, dy: dy! }, {
          strides: 2, pad: 'same', dilations: 1, filterShape: [3, 3, 3, 1],
        }) as tf.Tensor,
    ],
    [
      'DepthwiseConv2dNativeBackpropInput',
      () => [t([2, 4, 3, 3], 2), t([3, 3, 3, 1], 3)],
      ([dy, filter]: tf.Tensor[]) =>
        tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: dy!, filter: filter! }, {
          strides: 2, pad: 'same', dilations: 1, inputShape: [2, 8, 6, 3],
        }) as tf.Tensor,
    ],
  ] as const)('%s keeps its inputs and allocates only its output', (_name, make, run) => expectOnlyOutputAllocated(make, run));
});

describe('ReLU6 gradients on wasm match the cpu backend', () => {
  // Values on both sides of 0 and 6 and exactly at them: the masks differ there.
  const xv = Float32Array.from([-1, -0, 0, 0.5, 3, 5.99, 6, 6.01, 9, ...randomValues(31, 5).map((v) => v * 8)]);
  const dyv = randomValues(xv.length, 6);
  const relu6Forms: Record<string, (x: tf.Tensor) => tf.Tensor> = {
    'tf.relu6': (x) => tf.relu6(x),
    "activation 'relu6' (minimum(6, relu))": (x) => tf.layers.activation({ activation: 'relu6' }).apply(x) as tf.Tensor,
    'tf.layers.reLU({ maxValue: 6 }) (clipByValue(relu))': (x) => tf.layers.reLU({ maxValue: 6 }).apply(x) as tf.Tensor,
  };
  it.each(Object.keys(relu6Forms))('%s', async (form) => {
    const f = relu6Forms[form]!;
    const run = (b: Backend) =>
      on(b, () =>
        tf.tidy(() => {
          const [dx] = tf.grads((x: tf.Tensor) => tf.sum(tf.mul(f(x), tf.tensor(dyv, [xv.length]))))([tf.tensor(xv, [xv.length])]);
          return Array.from(dx!.dataSync());
        }),
      );
    const cpu = await run('cpu');
    expect(cpu.some((v) => v === 0) && cpu.some((v) => v !== 0)).toBe(true);
    expect(await run('wasm')).toEqual(cpu);
  });
});

/**
 * A MobileNetV2-style net: stem (ZeroPadding2D + 3×3 conv stride 2 'valid' →
 * BN → ReLU6), an inverted residual block with stride 2 (1×1 expand → BN →
 * ReLU6 → depthwise 3×3 stride 2 'same' → BN → ReLU6 → 1×1 project → BN), one
 * with stride 1 and the residual add, then GAP → Dense(1).
 */
function makeMobileNetBlocks(channels: number, expansion: number) {
  const layers: tf.layers.Layer[] = [];
  const add = <L extends tf.layers.Layer>(l: L): L => (layers.push(l), l);
  const relu6 = () => add(tf.layers.reLU({ maxValue: 6 }));
  const stem = [
    add(tf.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]] })),
    add(tf.layers.conv2d({ filters: channels, kernelSize: 3, strides: 2, padding: 'valid', useBias: false })),
    add(tf.layers.batchNormalization()),
    relu6(),
  ];
  const block = (inCh: number, outCh: number, stride: number) => [
    add(tf.layers.conv2d({ filters: inCh * expansion, kernelSize: 1, useBias: false })),
    add(tf.layers.batchNormalization()),
    relu6(),
    add(tf.layers.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: 'same', useBias: false })),
    add(tf.layers.batchNormalization()),
    // The other ReLU6 form tfjs offers: minimum(6, relu(x)).
    add(tf.layers.activation({ activation: 'relu6' })),
    add(tf.layers.conv2d({ filters: outCh, kernelSize: 1, useBias: false })),
    add(tf.layers.batchNormalization()),
  ];
  const down = block(channels, channels + 4, 2);
  const same = block(channels + 4, channels + 4, 1);
  const gap = add(tf.layers.globalAveragePooling2d({}));
  const head = add(tf.layers.dense({ units: 1 }));
  const chain = (ls: tf.layers.Layer[], x: tf.Tensor, training: boolean) =>
    ls.reduce((h, l) => l.apply(h, { training }) as tf.Tensor, x);
  const forward = (x: tf.Tensor, training: boolean): tf.Tensor => {
    const h0 = chain(stem, x, training);
    const h1 = chain(down, h0, training);
    const h2 = tf.add(h1, chain(same, h1, training));
    return chain([gap, head], h2, training);
  };
  return { layers, forward };
}

const BLOCK_X: [number, number, number, number] = [3, 18, 14, 3];

describe('a MobileNetV2-style net on wasm', () => {
  const xv = randomValues(tf.util.sizeFromShape(BLOCK_X), 41).map((v) => v * 3);
  const yv = randomValues(BLOCK_X[0], 42);
  let init: Float32Array[] = [];

  const build = () => {
    const net = makeMobileNetBlocks(8, 3);
    tf.tidy(() => net.forward(tf.zeros(BLOCK_X), false)); // creates the weights
    const weights = net.layers.flatMap((l) => l.weights);
    if (init.length) tf.tidy(() => weights.forEach((w, i) => w.write(tf.tensor(init[i]!, w.shape as number[]))));
    const trainable = net.layers.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
    return { ...net, weights, trainable };
  };

  beforeAll(async () => {
    init = await on('cpu', () => {
      const net = build();
      // Moving statistics away from 0/1, so that inference mode differs from training mode.
      const values = net.weights.map((w, i) => {
        const n = tf.util.sizeFromShape(w.shape as number[]);
        if (w.name.includes('moving_variance')) return randomValues(n, 50 + i).map((v) => 1 + 0.5 * v);
        if (w.name.includes('moving_mean')) return randomValues(n, 50 + i).map((v) => 0.3 * v);
        return w.read().dataSync().slice() as Float32Array;
      });
      net.layers.forEach((l) => l.dispose());
      return values;
    });
  });

  it.each([
    ['training mode (batch statistics)', true],
    ['inference mode (moving statistics)', false],
  ] as const)('gives the same output and gradients as cpu, BatchNorm in %s', async (_name, training) => {
    const run = (b: Backend) =>
      on(b, () => {
        const net = build();
        const out = tf.tidy(() => {
          const x = tf.tensor4d(xv, BLOCK_X);
          const y = tf.tensor2d(yv, [BLOCK_X[0], 1]);
          const { value, grads } = tf.variableGrads(
            () => tf.losses.meanSquaredError(y, net.forward(x, training)) as tf.Scalar,
            net.trainable,
          );
          return { loss: value.dataSync()[0]!, grads: net.trainable.map((v) => grads[v.name]!.dataSync().slice()) };
        });
        net.layers.forEach((l) => l.dispose());
        return out;
      });
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    // Stem conv + BN (gamma, beta), 2 × (3 convs + 3 BNs), Dense kernel and bias.
    expect(cpu.grads.length).toBe(1 + 2 + 2 * (3 + 3 * 2) + 2);
    expect(Math.abs(wasm.loss - cpu.loss) / cpu.loss).toBeLessThan(1e-4);
    const all = Math.max(...cpu.grads.map((g) => Math.max(...g.map(Math.abs))));
    cpu.grads.forEach((g, i) => expect(relDiff(g, wasm.grads[i]!, 1e-3 * all), `gradient ${i}`).toBeLessThan(1e-3));
  });
});
