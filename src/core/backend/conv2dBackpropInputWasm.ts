/**
 * A faster Conv2DBackpropInput (the input gradient of conv2d) for the wasm
 * backend. tfjs-backend-wasm 4.22 has one, but it is a plain C++ loop nest
 * several times slower than its XNNPACK Conv2D; this one recasts the gradient
 * as one XNNPACK Conv2D. Cases it does not cover go to the original kernel.
 */
import * as tf from '@tensorflow/tfjs';
import {
  backend_util,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs';
import { col2imSum } from './im2colWasm';
import { asTensor, heapOutput } from './kernelTensors';

/** Largest dy · Wᵀ (floats) for the product form; beyond it the sub-pixel conv runs, which needs no such buffer. */
let col2imMaxFloats = 1 << 24;

/** Sets the largest product the input gradient builds (0: always the sub-pixel conv), returns the previous; for tests and benchmarks. */
export function setCol2imMaxFloats(n: number): number {
  const previous = col2imMaxFloats;
  col2imMaxFloats = n;
  return previous;
}

/**
 * How one spatial axis of the transposed conv splits into stride phases.
 * Output position h = q*s + i (phase i) receives dy[q - t] * w[a_i + t*s]
 * for every integer t with 0 <= a_i + t*s < K, where a_i = i + padBefore.
 * All phases share one window of taps t in [tLo, tHi]; taps a phase lacks
 * point at the zero tap (index -1 here).
 */
interface AxisPlan {
  phases: number; // s
  outBlocks: number; // ceil(inputLength / s)
  taps: number; // tHi - tLo + 1
  tapIndex: number[][]; // [phase][m] -> filter index, or -1 for zero
  padBefore: number; // zero rows before dy
  padAfter: number;
  cropBegin: number; // first dy row used
  cropSize: number; // dy rows used
}

function planAxis(k: number, s: number, padBefore: number, dyLength: number, inputLength: number): AxisPlan | null {
  let tLo = Infinity;
  let tHi = -Infinity;
  for (let i = 0; i < s; i++) {
    const a = i + padBefore;
    const lo = Math.ceil(-a / s);
    const hi = Math.floor((k - 1 - a) / s);
    if (lo <= hi) {
      tLo = Math.min(tLo, lo);
      tHi = Math.max(tHi, hi);
    }
  }
  if (!Number.isFinite(tLo)) return null;
  const taps = tHi - tLo + 1;
  const tapIndex: number[][] = [];
  for (let i = 0; i < s; i++) {
    const row: number[] = [];
    for (let m = 0; m < taps; m++) {
      const kk = i + padBefore + (tHi - m) * s;
      row.push(kk >= 0 && kk < k ? kk : -1);
    }
    tapIndex.push(row);
  }
  // out[q] = sum_m dy[q - tHi + m] * f[m] for q < outBlocks: dy rows -tHi .. outBlocks-1-tLo.
  const outBlocks = Math.ceil(inputLength / s);
  const first = -tHi;
  const last = outBlocks - 1 - tLo;
  const cropBegin = Math.max(0, first);
  const cropEnd = Math.min(dyLength - 1, last);
  if (cropEnd < cropBegin) return null;
  return {
    phases: s,
    outBlocks,
    taps,
    tapIndex,
    padBefore: Math.max(0, -first),
    padAfter: Math.max(0, last - (dyLength - 1)),
    cropBegin,
    cropSize: cropEnd - cropBegin + 1,
  };
}

/**
 * The sub-pixel filter [MH, MW, CO, sH*sW*CI]: output channel (i, j, ci) of
 * tap (m, n) holds w[kh(i,m), kw(j,n), ci, :], or zero. Written in JavaScript
 * over the heap: the wasm GatherV2 that built it before costs ~50 ns per
 * element, 10-20 ms a step for the tiny net's filters, more than its conv.
 */
function subPixelFilter(filter: TensorInfo, backend: KernelBackend, rows: AxisPlan, cols: AxisPlan): tf.Tensor4D {
  const [, kw, ci, co] = filter.shape as [number, number, number, number];
  const phases = rows.phases * cols.phases;
  const { out, outView, views } = heapOutput(backend, [rows.taps, cols.taps, co, phases * ci], [filter]);
  const wv = views[0]!;
  let o = 0;
  for (let m = 0; m < rows.taps; m++) {
    for (let n = 0; n < cols.taps; n++) {
      for (let c = 0; c < co; c++) {
        for (let i = 0; i < rows.phases; i++) {
          for (let j = 0; j < cols.phases; j++) {
            const r = rows.tapIndex[i]![m]!;
            const q = cols.tapIndex[j]![n]!;
            if (r < 0 || q < 0) {
              outView.fill(0, o, o + ci);
              o += ci;
              continue;
            }
            let src = (r * kw + q) * ci * co + c;
            for (let k = 0; k < ci; k++, src += co) outView[o++] = wv[src]!;
          }
        }
      }
    }
  }
  return tf.engine().makeTensorFromTensorInfo(out, backend) as tf.Tensor4D;
}

/**
 * dx = conv2dTranspose(dy, w). With stride s each output phase (h mod s,
 * w mod s) is an ordinary stride-1 conv of dy with a sub-filter of w; all
 * s*s phases run as ONE XNNPACK conv whose output channels are (phase, ci),
 * and a rank-4 transpose interleaves them into the image (depth-to-space;
 * the wasm DepthToSpace kernel itself is element by element and slow).
 * That conv multiplies by the zero taps too (1.8x the work for 3×3 stride 2), so
 * at 32 input channels or more, while dy · Wᵀ fits in col2imMaxFloats (64 MiB), the gradient is that one XNNPACK
 * product, scattered into dx by col2im in JavaScript on the heap.
 */
function makeConv2dBackpropInput(original: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as {
      inputs: { dy: TensorInfo; filter: TensorInfo };
      backend: KernelBackend;
      attrs: Conv2DBackpropInputAttrs;
    };
    const { dy, filter } = inputs;
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
    if (dataFormat !== 'NHWC' || dy.dtype !== 'float32' || filter.dtype !== 'float32') return original(args);
    const info = backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      'channelsLast',
    );
    const [batch, inHeight, inWidth, inChannels] = inputShape;
    const K = info.filterHeight * info.filterWidth * inChannels;
    const P = batch * info.outHeight * info.outWidth;
    // Under 32 input channels col2im's runs are short and the sub-pixel conv was faster
    // (tiny's first two layers: 3.3 vs 8.6 ms and 7.4 vs 10.9 ms; at 32 and 64 channels 8.0 vs 7.3, 7.2 vs 4.3).
    if (K * P <= col2imMaxFloats && P > 0 && inChannels >= 32) {
      // dcol = dy · Wᵀ [P, K] (the forward conv's multiply count, no zero taps), scattered into dx.
      return tf.tidy(() => {
        const dy2d = tf.reshape(asTensor(dy, backend), [P, info.outChannels]);
        const w2d = tf.reshape(asTensor(filter, backend), [K, info.outChannels]);
        const dcol = tf.matMul(dy2d, w2d, false, true);
        return col2imSum(dcol, {
          batch, inHeight, inWidth, inChannels, outHeight: info.outHeight, outWidth: info.outWidth,
          filterHeight: info.filterHeight, filterWidth: info.filterWidth, strideHeight: info.strideHeight,
          strideWidth: info.strideWidth, padTop: info.padInfo.top, padLeft: info.padInfo.left,
        }, backend);
      });
    }
    const rows = planAxis(info.filterHeight, info.strideHeight, info.padInfo.top, info.outHeight, inHeight);
    const cols = planAxis(info.filterWidth, info.strideWidth, info.padInfo.left, info.outWidth, inWidth);
    if (rows == null || cols == null || tf.util.sizeFromShape(dy.shape) === 0) return original(args);

    return tf.tidy(() => {
      let dyT = asTensor(dy, backend) as tf.Tensor4D;
      const [b, oh, ow, co] = dyT.shape;
      if (rows.cropBegin > 0 || rows.cropSize < oh || cols.cropBegin > 0 || cols.cropSize < ow) {
        dyT = tf.slice(dyT, [0, rows.cropBegin, cols.cropBegin, 0], [b, rows.cropSize, cols.cropSize, co]);
      }
      const phased = tf.conv2d(dyT, subPixelFilter(filter, backend, rows, cols), 1, [
        [0, 0],
        [rows.padBefore, rows.padAfter],
        [cols.padBefore, cols.padAfter],
        [0, 0],
      ]);
      // [B, Qh, Qw, (i, j, ci)] -> [B*Qh, i, Qw, (j, ci)] -> [B, Qh*sH, Qw*sW, CI]
      let dx: tf.Tensor4D = phased;
      if (rows.phases > 1 || cols.phases > 1) {
        const split = tf.reshape(phased, [batch * rows.outBlocks, cols.outBlocks, rows.phases, cols.phases * inChannels]);
        dx = tf.reshape(tf.transpose(split, [0, 2, 1, 3]), [
          batch,
          rows.outBlocks * rows.phases,
          cols.outBlocks * cols.phases,
          inChannels,
        ]);
      }
      if (dx.shape[1] !== inHeight || dx.shape[2] !== inWidth) {
        dx = tf.slice(dx, [0, 0, 0, 0], [batch, inHeight, inWidth, inChannels]);
      }
      return dx;
    });
  };
}

/** The replacement config; setup/dispose stay those of the original kernel. */
export function conv2dBackpropInputWasmConfig(original: KernelConfig): KernelConfig {
  return { ...original, kernelName: Conv2DBackpropInput, kernelFunc: makeConv2dBackpropInput(original.kernelFunc) };
}
