import * as tf from '@tensorflow/tfjs';
import { convBn } from './blocks';
import { paperHead } from './head';
import type { BuildArgs } from './types';

/** Four conv3×3-BN-ReLU stride-2 stages (16-32-64-128), GAP, the paper's head. */
export function buildTiny(args: BuildArgs): tf.LayersModel {
  const { prefix, bodySeed } = args;
  const input = tf.input({ shape: args.inputShape, name: `${prefix}input` });
  let x: tf.SymbolicTensor = input;
  [16, 32, 64, 128].forEach((filters, i) => {
    x = convBn(x, filters, 3, 2, bodySeed, prefix, `stage${i + 1}`);
  });
  const pooled = tf.layers.globalAveragePooling2d({ name: `${prefix}gap` }).apply(x) as tf.SymbolicTensor;
  const out = paperHead(pooled, args.headInit, args.headSeed, prefix);
  return tf.model({ inputs: input, outputs: out, name: `${prefix}tiny` });
}
