/**
 * DepthwiseConv2dNativeBackpropInput (the input gradient of depthwiseConv2d)
 * for the wasm backend, which has none in tfjs-backend-wasm 4.22.
 */
import * as tf from '@tensorflow/tfjs';
import {
  backend_util,
  DepthwiseConv2dNativeBackpropInput,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs';
import { asTensor } from './kernelTensors';

/**
 * One spatial axis of dx[h] = sum_k z[h + padTop - k] * w[k], where z is dy
 * with s - 1 zeros after each element (length s * dyLength). With the filter
 * flipped this is a stride-1 correlation of z padded by `before` / `after`;
 * z elements that only ever meet padding are cropped (explicit pads, or
 * 1-wide filters with stride 2 on odd sizes).
 */
function planAxis(k: number, s: number, padTop: number, dyLength: number, inputLength: number) {
  const zLength = s * dyLength;
  const before = k - 1 - padTop;
  const after = inputLength + k - 1 - zLength - before;
  const cropBegin = Math.max(0, -before);
  return {
    before: Math.max(0, before),
    after: Math.max(0, after),
    cropBegin,
    cropSize: zLength - cropBegin - Math.max(0, -after),
  };
}

/**
 * dx = depthwise conv (XNNPACK, stride 1) of the zero-inserted, padded dy
 * with the spatially flipped filter. The zeros go in with one pad of a rank-6
 * view, [B, OH, 1, OW, 1, C] -> [B, OH, s, OW, s, C]: the wasm DepthToSpace,
 * Concat-based interleaving or the s*s-phase form with a rank-5 transpose were
 * slower. With a channel multiplier M the C*M gradients of a channel are summed.
 */
function depthwiseConv2dBackpropInput(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: KernelBackend;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs;
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    dilations ?? 1,
    pad,
    dimRoundingMode,
    true,
    'channelsLast',
  );
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) {
    throw new Error(
      `DepthwiseConv2dNativeBackpropInput on wasm supports only dilation 1, got ${info.dilationHeight}×${info.dilationWidth}.`,
    );
  }
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth } =
    info;
  const multiplier = info.outChannels / inChannels;
  const rows = planAxis(filterHeight, strideHeight, info.padInfo.top, outHeight, inHeight);
  const cols = planAxis(filterWidth, strideWidth, info.padInfo.left, outWidth, inWidth);

  return tf.tidy(() => {
    if (tf.util.sizeFromShape(dy.shape) === 0 || tf.util.sizeFromShape(inputShape) === 0) return tf.zeros(inputShape);
    if (rows.cropSize <= 0 || cols.cropSize <= 0) return tf.zeros(inputShape); // no dy element reaches the input
    const dyT = asTensor(dy, backend) as tf.Tensor4D;
    const w = asTensor(filter, backend) as tf.Tensor4D;
    const channels = info.outChannels;

    let z: tf.Tensor4D = dyT;
    if (strideHeight > 1 || strideWidth > 1) {
      const view = tf.reshape(dyT, [batchSize, outHeight, 1, outWidth, 1, channels]);
      const spread = tf.pad(view, [[0, 0], [0, 0], [0, strideHeight - 1], [0, 0], [0, strideWidth - 1], [0, 0]]);
      z = tf.reshape(spread, [batchSize, outHeight * strideHeight, outWidth * strideWidth, channels]);
    }
    if (rows.cropBegin > 0 || rows.cropSize < z.shape[1] || cols.cropBegin > 0 || cols.cropSize < z.shape[2]) {
      z = tf.slice(z, [0, rows.cropBegin, cols.cropBegin, 0], [batchSize, rows.cropSize, cols.cropSize, channels]);
    }
    const flipped = tf.reshape(tf.reverse(w, [0, 1]), [filterHeight, filterWidth, channels, 1]) as tf.Tensor4D;
    const dx = tf.depthwiseConv2d(z, flipped, 1, [
      [0, 0],
      [rows.before, rows.after],
      [cols.before, cols.after],
      [0, 0],
    ]);
    if (multiplier === 1) return dx;
    return tf.sum(tf.reshape(dx, [batchSize, inHeight, inWidth, inChannels, multiplier]), 4);
  });
}

export const depthwiseConv2dBackpropInputWasmConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dBackpropInput as unknown as KernelFunc,
};
