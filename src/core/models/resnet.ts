import * as tf from '@tensorflow/tfjs';
import { convBn } from './blocks';
import { paperHead } from './head';
import type { BuildArgs } from './types';

/** A ResNet-18 shape (stem, 4×2 basic blocks) with a width multiplier, GAP and the paper's head. */
export function buildResnet18(args: BuildArgs, width = 0.25): tf.LayersModel {
  const { prefix, bodySeed } = args;
  const ch = (c: number) => Math.max(4, Math.round(c * width));
  const input = tf.input({ shape: args.inputShape, name: `${prefix}input` });
  let x = convBn(input, ch(64), 7, 2, bodySeed, prefix, 'stem');
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: `${prefix}stem_pool` }).apply(x) as tf.SymbolicTensor;
  let inCh = ch(64);
  [64, 128, 256, 512].forEach((base, stage) => {
    for (let block = 0; block < 2; block++) {
      const stride = stage > 0 && block === 0 ? 2 : 1;
      const out = ch(base);
      const local = `s${stage + 1}b${block + 1}`;
      const name = prefix + local;
      let y = convBn(x, out, 3, stride, bodySeed, prefix, `${local}_c1`);
      y = convBn(y, out, 3, 1, bodySeed, prefix, `${local}_c2`, false);
      const shortcut = stride !== 1 || inCh !== out ? convBn(x, out, 1, stride, bodySeed, prefix, `${local}_proj`, false) : x;
      x = tf.layers.add({ name: `${name}_add` }).apply([y, shortcut]) as tf.SymbolicTensor;
      x = tf.layers.reLU({ name: `${name}_relu` }).apply(x) as tf.SymbolicTensor;
      inCh = out;
    }
  });
  const pooled = tf.layers.globalAveragePooling2d({ name: `${prefix}gap` }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: paperHead(pooled, args.headInit, args.headSeed, prefix), name: `${prefix}resnet18` });
}
