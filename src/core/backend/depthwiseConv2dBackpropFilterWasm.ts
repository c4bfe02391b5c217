/**
 * DepthwiseConv2dNativeBackpropFilter (the filter gradient of depthwiseConv2d)
 * for the wasm backend, which has none in tfjs-backend-wasm 4.22.
 */
import * as tf from '@tensorflow/tfjs';
import {
  backend_util,
  DepthwiseConv2dNativeBackpropFilter,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs';
import { asTensor } from './kernelTensors';

/**
 * dW[kh,kw,c,m] = sum over b,oh,ow of xPad[b, kh + s*oh, kw + s*ow, c] * dy[b,oh,ow,c*M+m].
 *
 * With (b, c) as the channels of a single image and (oh, ow) as a filter tap
 * dilated by the stride s, this is itself a depthwise convolution:
 *   dW' = depthwiseConv2d(x as [1, H, W, B*C], dy as [OH, OW, B*C, M], dilation s) : [1, KH, KW, B*C*M]
 * followed by a sum over b, so the work runs in the wasm backend's XNNPACK
 * depthwise conv. Only for batch > 1 are x and dy transposed (b next to c).
 * Summing kh*kw products of shifted slices was 3-50x slower (the wasm Slice
 * copies its whole input per call, StridedSlice goes element by element).
 * The padding goes to the conv as explicit pads; where the stride leaves the
 * last input rows unread, dy gets zero rows instead of x being cropped.
 */
function depthwiseConv2dBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: KernelBackend;
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    dilations ?? 1,
    pad,
    dimRoundingMode,
    true,
    'channelsLast',
  );
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) {
    throw new Error(
      `DepthwiseConv2dNativeBackpropFilter on wasm supports only dilation 1, got ${info.dilationHeight}×${info.dilationWidth}.`,
    );
  }
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } =
    info;
  const multiplier = info.outChannels / inChannels;

  return tf.tidy(() => {
    if (tf.util.sizeFromShape(x.shape) === 0 || tf.util.sizeFromShape(dy.shape) === 0) return tf.zeros(filterShape);
    const xT = asTensor(x, backend) as tf.Tensor4D;
    let dyT = asTensor(dy, backend) as tf.Tensor4D;

    // The taps read padded rows 0 .. (OH-1)*s + KH - 1, i.e. input rows
    // -top .. (OH-1)*s + KH - 1 - top; beyond the input is zero padding. If
    // that ends before the input does, zero rows of dy extend the range.
    const top = padInfo.top;
    const left = padInfo.left;
    let bottom = (outHeight - 1) * strideHeight + filterHeight - top - inHeight;
    let right = (outWidth - 1) * strideWidth + filterWidth - left - inWidth;
    const extraRows = bottom < 0 ? Math.ceil(-bottom / strideHeight) : 0;
    const extraCols = right < 0 ? Math.ceil(-right / strideWidth) : 0;
    if (extraRows > 0 || extraCols > 0) {
      dyT = tf.pad(dyT, [[0, 0], [0, extraRows], [0, extraCols], [0, 0]]);
      bottom += extraRows * strideHeight;
      right += extraCols * strideWidth;
    }
    const [, dyHeight, dyWidth, channels] = dyT.shape;

    const image =
      batchSize === 1
        ? tf.reshape(xT, [1, inHeight, inWidth, inChannels])
        : tf.reshape(tf.transpose(xT, [1, 2, 0, 3]), [1, inHeight, inWidth, batchSize * inChannels]);
    const taps =
      batchSize === 1
        ? tf.reshape(dyT, [dyHeight, dyWidth, inChannels, multiplier])
        : tf.reshape(tf.transpose(dyT, [1, 2, 0, 3]), [dyHeight, dyWidth, batchSize * inChannels, multiplier]);
    const dw = tf.depthwiseConv2d(
      image as tf.Tensor4D,
      taps as tf.Tensor4D,
      1,
      [[0, 0], [top, bottom], [left, right], [0, 0]],
      'NHWC',
      [strideHeight, strideWidth],
    );
    const perImage = batchSize === 1 ? dw : tf.sum(tf.reshape(dw, [filterHeight * filterWidth, batchSize, channels]), 1);
    return tf.reshape(perImage, filterShape);
  });
}

export const depthwiseConv2dBackpropFilterWasmConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dBackpropFilter as unknown as KernelFunc,
};
