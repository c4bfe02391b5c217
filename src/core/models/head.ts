import * as tf from '@tensorflow/tfjs';
import { BN_MOMENTUM, headKernelInit } from './init';
import type { HeadInit } from './types';

/**
 * The paper's regression head on pooled features: Dense(256) → BatchNorm → Dense(1).
 * `bn: 'last'` puts the BatchNorm after the last hidden Dense only (the paper's MobileNet-V2
 * head: Dense(512) → Dense(256) → BN → Dense(1)); 'each' after every hidden Dense.
 * (The global pooling before it belongs to the body: GAP for tiny/resnet, max‖min for cnniqa.)
 * Init seeds depend on the layer's local name, not the prefix (see blocks.ts).
 */
export function paperHead(
  features: tf.SymbolicTensor,
  init: HeadInit,
  seed: number,
  prefix: string,
  hidden: number[] = [256],
  bn: 'each' | 'last' = 'each',
): tf.SymbolicTensor {
  let x = features;
  hidden.forEach((units, i) => {
    const local = `head_dense${i + 1}`;
    x = tf.layers
      .dense({ units, name: prefix + local, kernelInitializer: headKernelInit(init, seed, local), biasInitializer: 'zeros' })
      .apply(x) as tf.SymbolicTensor;
    if (bn === 'each' || i === hidden.length - 1)
      x = tf.layers.batchNormalization({ momentum: BN_MOMENTUM, name: `${prefix}head_bn${i + 1}` }).apply(x) as tf.SymbolicTensor;
  });
  return tf.layers
    .dense({ units: 1, name: `${prefix}head_out`, kernelInitializer: headKernelInit(init, seed, 'head_out'), biasInitializer: 'zeros' })
    .apply(x) as tf.SymbolicTensor;
}
