import * as tf from '@tensorflow/tfjs';
import { BN_MOMENTUM, bodyKernelInit } from './init';

/**
 * conv (no bias) → BatchNorm → optional ReLU: the unit every from-scratch body is made of.
 * The layer is named prefix+local; its init seed depends on `local` only, so the same layer
 * gets the same weights in the baseline and in a DML peer.
 */
export function convBn(
  x: tf.SymbolicTensor,
  filters: number,
  kernelSize: number,
  strides: number,
  seed: number,
  prefix: string,
  local: string,
  relu = true,
): tf.SymbolicTensor {
  const name = prefix + local;
  let y = tf.layers
    .conv2d({
      filters,
      kernelSize,
      strides,
      padding: 'same',
      useBias: false,
      kernelInitializer: bodyKernelInit(seed, local),
      name,
    })
    .apply(x) as tf.SymbolicTensor;
  y = tf.layers.batchNormalization({ momentum: BN_MOMENTUM, name: `${name}_bn` }).apply(y) as tf.SymbolicTensor;
  if (relu) y = tf.layers.reLU({ name: `${name}_relu` }).apply(y) as tf.SymbolicTensor;
  return y;
}
