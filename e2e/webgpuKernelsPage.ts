/**
 * The page side of e2e/webgpuKernels.spec.ts (bundled by the spec with esbuild, no app build):
 * runs conv gradients on the webgpu backend, with the project's filter-gradient kernel and
 * with tfjs's own, and on the cpu backend (the reference), on the same seeded inputs.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { isWebgpuTrainingKernel, registerWebgpuTrainingKernels, restoreTfjsWebgpuKernels } from '../src/core/backend/webgpuKernels';
import { makeRng } from '../src/core/rng';

export type Shape4 = [number, number, number, number];
export type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

export interface ConvCase {
  x: Shape4;
  /** Filter [KH, KW, CI, CO]. */
  w: Shape4;
  strides: number | [number, number];
  pad: Pad;
}

export interface CaseResult {
  /** max |got − cpu| / max |cpu|. */
  rel: number;
  /** max |cpu|, so a test can tell that the reference is not all zeros. */
  scale: number;
  /** Wall time of the kernel on webgpu, warm, including the read back (SwiftShader: CPU time, not a GPU's). */
  ms: number;
}

export interface FilterResult {
  tiled: CaseResult;
  tfjs: CaseResult;
}

export interface StepResult {
  /** Per variable: the gradient's error against cpu. */
  grads: Record<string, number>;
  loss: { cpu: number; webgpu: number };
}

export interface KernelsHarness {
  adapter(): Promise<{ description: string; isFallbackAdapter: boolean } | null>;
  registered(): boolean;
  /** Whether tfjs runs its naive input-gradient program (its default in 4.22). */
  naiveInputGradient(): boolean;
  filter(c: ConvCase): Promise<FilterResult>;
  /** naive: tfjs's default program, one thread per input element (flag WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE); else its matrix-product one. */
  input(c: ConvCase, naive: boolean): Promise<CaseResult>;
  step(): Promise<StepResult>;
  memory(): tf.MemoryInfo & { numBytesAllocatedInGPU?: number };
}

function values(n: number, seed: number): Float32Array {
  const rng = makeRng(seed);
  return Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
}

function compare(ref: ArrayLike<number>, got: ArrayLike<number>): { rel: number; scale: number } {
  if (ref.length !== got.length) throw new Error(`length ${got.length}, expected ${ref.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(ref[i]! - got[i]!));
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  return { rel: scale > 0 ? diff / scale : diff, scale };
}

function outShape(c: ConvCase): Shape4 {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.w, c.strides, 1, c.pad);
  return [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
}

/** One kernel run on `backend`: the result, and the time of a second (warm) run. */
async function timed(backend: 'cpu' | 'webgpu', run: () => tf.Tensor): Promise<{ data: Float32Array; ms: number }> {
  await tf.setBackend(backend);
  const warm = run();
  const data = (await warm.data()) as Float32Array;
  warm.dispose();
  const t0 = performance.now();
  const again = run();
  await again.data();
  const ms = performance.now() - t0;
  again.dispose();
  return { data, ms };
}

function filterGrad(c: ConvCase, xv: Float32Array, dyv: Float32Array): tf.Tensor {
  return tf.tidy(() => {
    const x = tf.tensor4d(xv, c.x);
    const dy = tf.tensor4d(dyv, outShape(c));
    return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.w }) as tf.Tensor;
  });
}

function inputGrad(c: ConvCase, dyv: Float32Array, wv: Float32Array): tf.Tensor {
  return tf.tidy(() => {
    const dy = tf.tensor4d(dyv, outShape(c));
    const w = tf.tensor4d(wv, c.w);
    return tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { inputShape: c.x, strides: c.strides, pad: c.pad, dataFormat: 'NHWC' }) as tf.Tensor;
  });
}

/** A small conv net's loss: conv 3×3/2 same (3→8), ReLU, conv 3×3/1 valid (8→20), ReLU, 1×1 (20→4), mean. */
function netLoss(x: tf.Tensor4D, w: tf.Tensor4D[]): tf.Scalar {
  let h = tf.relu(tf.conv2d(x, w[0]!, 2, 'same'));
  h = tf.relu(tf.conv2d(h, w[1]!, 1, 'valid'));
  h = tf.conv2d(h, w[2]!, 1, 'same');
  return tf.mean(tf.square(tf.sub(h, 0.5)));
}

const NET_X: Shape4 = [4, 40, 56, 3];
const NET_W: Shape4[] = [
  [3, 3, 3, 8],
  [3, 3, 8, 20],
  [1, 1, 20, 4],
];

async function netGrads(backend: 'cpu' | 'webgpu'): Promise<{ loss: number; grads: Float32Array[] }> {
  await tf.setBackend(backend);
  const x = tf.tensor4d(values(tf.util.sizeFromShape(NET_X), 101), NET_X);
  const w = NET_W.map((s, i) => tf.tensor4d(values(tf.util.sizeFromShape(s), 200 + i).map((v) => v * 0.5), s));
  const { value, grads } = tf.valueAndGrads((...ws: tf.Tensor[]) => netLoss(x, ws as tf.Tensor4D[]))(w);
  const out = { loss: (await value.data())[0]!, grads: (await Promise.all(grads.map((g) => g.data()))) as Float32Array[] };
  tf.dispose([x, ...w, value, ...grads]);
  return out;
}

const harness: KernelsHarness = {
  async adapter() {
    const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
    const a = await gpu?.requestAdapter();
    if (!a) return null;
    const info = ('info' in a ? a.info : {}) as Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean };
    return { description: `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.description ?? ''}`.trim(), isFallbackAdapter: Boolean(info.isFallbackAdapter) };
  },
  registered: () => isWebgpuTrainingKernel('Conv2DBackpropFilter'),
  naiveInputGradient: () => tf.env().getBool('WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE'),
  async filter(c) {
    const xv = values(tf.util.sizeFromShape(c.x), 1);
    const dyv = values(tf.util.sizeFromShape(outShape(c)), 2);
    const ref = await timed('cpu', () => filterGrad(c, xv, dyv));
    registerWebgpuTrainingKernels();
    const tiled = await timed('webgpu', () => filterGrad(c, xv, dyv));
    restoreTfjsWebgpuKernels();
    const own = await timed('webgpu', () => filterGrad(c, xv, dyv));
    registerWebgpuTrainingKernels();
    return { tiled: { ...compare(ref.data, tiled.data), ms: tiled.ms }, tfjs: { ...compare(ref.data, own.data), ms: own.ms } };
  },
  async input(c, naive) {
    const dyv = values(tf.util.sizeFromShape(outShape(c)), 3);
    const wv = values(tf.util.sizeFromShape(c.w), 4);
    const ref = await timed('cpu', () => inputGrad(c, dyv, wv));
    const flag = 'WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE';
    const before = tf.env().getBool(flag);
    tf.env().set(flag, naive);
    try {
      const got = await timed('webgpu', () => inputGrad(c, dyv, wv));
      return { ...compare(ref.data, got.data), ms: got.ms };
    } finally {
      tf.env().set(flag, before);
    }
  },
  async step() {
    registerWebgpuTrainingKernels();
    const ref = await netGrads('cpu');
    const got = await netGrads('webgpu');
    const grads: Record<string, number> = {};
    NET_W.forEach((s, i) => (grads[`w${i} ${s.join('×')}`] = compare(ref.grads[i]!, got.grads[i]!).rel));
    return { grads, loss: { cpu: ref.loss, webgpu: got.loss } };
  },
  memory: () => tf.memory() as tf.MemoryInfo & { numBytesAllocatedInGPU?: number },
};

registerWebgpuTrainingKernels();
(window as unknown as { __kernels: KernelsHarness }).__kernels = harness;
document.title = 'kernels ready';
