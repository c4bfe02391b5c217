/**
 * Faster float32 Sum and Mean over outer axes for the wasm backend. The 4.22
 * kernels reduce only innermost axes, so for [B, H, W, C] reduced over
 * [0, 1, 2] (or [1, 2]) they first transpose the whole tensor: ~180 ms for
 * 8×112×112×192 here. Every BatchNorm in training does such reductions (the
 * batch moments, four sums in its gradient), as does the gradient of a
 * broadcast add. An average pool (XNNPACK) over the reduced axes reads the
 * input once instead: ~7 ms.
 *
 * Mean is that pool. Sum pools blocks of 2^k values (dividing by 2^k and
 * multiplying back is exact) and sums the remaining odd factor with the
 * original kernel, on a 2^k times smaller tensor: a sum of integers stays
 * exact, as it is with the original. Either way the order of additions
 * differs, so results differ from the original's in rounding only.
 */
import * as tf from '@tensorflow/tfjs';
import {
  Mean,
  Sum,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type SumAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs';
import { asTensor } from './kernelTensors';

/** Below this power-of-two factor of the reduced size, Sum leaves the work to the original. */
const MIN_BLOCK = 8;

/**
 * [lead, reduced, kept] when `axes` are one contiguous run that stops before
 * the last axis; else null (innermost reductions need no transpose, so the
 * original is fast there).
 */
function outerRun(shape: number[], axes: number[]): { lead: number; reduced: number; kept: number } | null {
  const sorted = [...new Set(axes)].sort((p, q) => p - q);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (first == null || last == null || last - first + 1 !== sorted.length || last === shape.length - 1) return null;
  return {
    lead: tf.util.sizeFromShape(shape.slice(0, first)),
    reduced: tf.util.sizeFromShape(shape.slice(first, last + 1)),
    kept: tf.util.sizeFromShape(shape.slice(last + 1)),
  };
}

function makeReduce(original: KernelFunc, mean: boolean): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as {
      inputs: { x: TensorInfo };
      backend: KernelBackend;
      attrs: SumAttrs; // Mean's attrs are the same
    };
    const { x } = inputs;
    if (x.dtype !== 'float32' || tf.util.sizeFromShape(x.shape) === 0) return original(args);
    const axes = tf.util.parseAxisParam(attrs.axis, x.shape);
    const run = outerRun(x.shape, axes);
    if (run == null || run.reduced < 2) return original(args);
    const { lead, reduced, kept } = run;
    const block = mean ? reduced : reduced & -reduced; // Mean pools everything at once
    if (block < MIN_BLOCK && !mean) return original(args);
    const outShape = attrs.keepDims
      ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
      : x.shape.filter((_, i) => !axes.includes(i));
    return tf.tidy(() => {
      const rest = reduced / block;
      const blocks = tf.reshape(asTensor(x, backend), [lead, rest, block, kept]) as tf.Tensor4D;
      const pooled = tf.avgPool(blocks, [1, block], 1, 'valid'); // [lead, rest, 1, kept]
      if (mean) return tf.reshape(pooled, outShape);
      const partial = tf.reshape(tf.mul(pooled, block), [lead, rest, kept]);
      return tf.reshape(rest > 1 ? tf.sum(partial, 1) : partial, outShape); // rest is odd: the original sums it
    });
  };
}

/** The replacement configs; setup/dispose stay those of the original kernels. */
export function sumWasmConfig(original: KernelConfig): KernelConfig {
  return { ...original, kernelName: Sum, kernelFunc: makeReduce(original.kernelFunc, false) };
}

export function meanWasmConfig(original: KernelConfig): KernelConfig {
  return { ...original, kernelName: Mean, kernelFunc: makeReduce(original.kernelFunc, true) };
}
