/**
 * Conv2DBackpropFilter (the filter gradient of conv2d) for the wasm backend,
 * which has none in tfjs-backend-wasm 4.22.
 */
import * as tf from '@tensorflow/tfjs';
import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs';
import { im2colTransposed } from './im2colWasm';
import { asTensor } from './kernelTensors';

/** Largest im2col (floats) built for the product form; beyond it the conv form runs, which needs no such buffer. */
let im2colMaxFloats = 1 << 24;

/** Sets the largest im2col the filter gradient builds (0: always the conv form), returns the previous; for tests and benchmarks. */
export function setIm2colMaxFloats(n: number): number {
  const previous = im2colMaxFloats;
  im2colMaxFloats = n;
  return previous;
}

/**
 * dW[kh,kw,ci,co] = sum over b,oh,ow of xPad[b, kh + s*oh, kw + s*ow, ci] * dy[b,oh,ow,co].
 *
 * Read with ci as the batch, (kh, kw) as the output pixel, b as the input
 * channel and (oh, ow) as a filter tap dilated by the stride s, this is itself
 * a stride-1 convolution:
 *   dW' = conv2d(x as [CI, H, W, B], dy as [OH, OW, B, CO], dilation s) : [CI, KH, KW, CO]
 * so the work runs in the wasm backend's XNNPACK Conv2D. An im2col built from
 * strided slices and one matMul was ~10x slower: the wasm StridedSlice and
 * Slice kernels copy element by element or re-read their whole input per call.
 * The padding goes to the conv as explicit pads (no padded copy of x); only
 * the transposes move data, and the one of the result is filter-sized.
 *
 * Faster still, whenever its buffer is at most im2colMaxFloats (64 MiB): im2col(x)ᵀ built in
 * JavaScript on the heap (im2colWasm.ts), then dW = im2col(x)ᵀ · dy as one XNNPACK product
 * with no transpose (the conv form above is ~4-6x slower: XNNPACK gets the batch as its
 * channels, 8 of them, and a dilated filter).
 */
function conv2dBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: KernelBackend;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (dataFormat !== 'NHWC') {
    throw new Error(
      `Conv2DBackpropFilter on wasm supports only channels-last (NHWC) data, got ${dataFormat}. ` +
        'Build the model with dataFormat "channelsLast".',
    );
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { inHeight, inWidth, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;

  return tf.tidy(() => {
    if (tf.util.sizeFromShape(x.shape) === 0 || tf.util.sizeFromShape(dy.shape) === 0) {
      return tf.zeros(filterShape);
    }
    let xT = asTensor(x, backend) as tf.Tensor4D;
    const dyT = asTensor(dy, backend) as tf.Tensor4D;
    const pointwise = filterHeight === 1 && filterWidth === 1 && strideHeight === 1 && strideWidth === 1;
    if (pointwise && padInfo.top === 0 && padInfo.left === 0 && outHeight === inHeight && outWidth === inWidth) {
      return pointwiseFilterGradient(xT, dyT, filterShape);
    }

    const K = filterHeight * filterWidth * info.inChannels;
    const P = info.batchSize * outHeight * outWidth;
    if (x.dtype === 'float32' && dy.dtype === 'float32' && K * P <= im2colMaxFloats) {
      const colT = im2colTransposed(x, {
        batch: info.batchSize, inHeight, inWidth, inChannels: info.inChannels, outHeight, outWidth,
        filterHeight, filterWidth, strideHeight, strideWidth, padTop: padInfo.top, padLeft: padInfo.left,
      }, backend);
      return tf.reshape(tf.matMul(colT, tf.reshape(dyT, [P, info.outChannels])), filterShape);
    }

    // The taps read padded rows 0 .. (OH-1)*s + KH - 1, i.e. input rows
    // -top .. (OH-1)*s + KH - 1 - top. Beyond the input is zero padding;
    // input rows beyond that range are never read and are cropped (this
    // happens with 'valid' when the stride does not divide the input).
    const top = padInfo.top;
    const left = padInfo.left;
    const bottom = (outHeight - 1) * strideHeight + filterHeight - top - inHeight;
    const right = (outWidth - 1) * strideWidth + filterWidth - left - inWidth;
    if (bottom < 0 || right < 0) {
      const [b, , , c] = xT.shape;
      xT = tf.slice(xT, [0, 0, 0, 0], [b, inHeight + Math.min(bottom, 0), inWidth + Math.min(right, 0), c]);
    }

    const xCHWB = tf.transpose(xT, [3, 1, 2, 0]);
    const dyAsFilter = tf.transpose(dyT, [1, 2, 0, 3]);
    const dwCKKO = tf.conv2d(
      xCHWB,
      dyAsFilter,
      1,
      [[0, 0], [top, Math.max(bottom, 0)], [left, Math.max(right, 0)], [0, 0]],
      'NHWC',
      [strideHeight, strideWidth],
    );
    return tf.transpose(dwCKKO, [1, 2, 0, 3]);
  });
}

/**
 * A 1×1 stride-1 conv (MobileNet's expand and project layers): dW = xᵀ·dy over
 * all pixels, one XNNPACK product, with the narrower operand transposed
 * (~4-9x faster than the conv form for 8×112×112×32 -> 192 and 24 -> 144).
 */
function pointwiseFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: [number, number, number, number]): tf.Tensor {
  const [b, h, w, ci] = x.shape;
  const co = dy.shape[3];
  const x2d = tf.reshape(x, [b * h * w, ci]);
  const dy2d = tf.reshape(dy, [b * h * w, co]);
  const dw = ci <= co ? tf.matMul(x2d, dy2d, true, false) : tf.transpose(tf.matMul(dy2d, x2d, true, false));
  return tf.reshape(dw, filterShape);
}

export const conv2dBackpropFilterWasmConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as KernelFunc,
};
