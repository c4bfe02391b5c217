import * as tf from '@tensorflow/tfjs';
import { bodyKernelInit, headKernelInit } from './init';
import { GlobalMinPooling2D } from './globalMinPooling';
import { paperHead } from './head';
import type { BuildArgs } from './types';


/**
 * Kang et al., CVPR 2014: a 32×32 patch → conv 7×7×50 → global max ‖ global min → Dense 800 → Dense 800 → 1.
 * The image score is the mean over patches (the input pipeline's job, not the net's).
 * Kang uses ReLU and dropout in the dense layers; we keep ReLU and skip dropout (short runs).
 * All three dense layers form the head, so they carry the peer's He/Xavier init.
 */
export function buildCnniqa(args: BuildArgs): tf.LayersModel {
  const { prefix, bodySeed } = args;
  const input = tf.input({ shape: args.inputShape, name: `${prefix}input` });
  const conv = tf.layers
    .conv2d({ filters: 50, kernelSize: 7, padding: 'valid', kernelInitializer: bodyKernelInit(bodySeed, 'conv7'), name: `${prefix}conv7` })
    .apply(input) as tf.SymbolicTensor;
  const maxP = tf.layers.globalMaxPooling2d({ name: `${prefix}gmax` }).apply(conv) as tf.SymbolicTensor;
  const minP = new GlobalMinPooling2D({ name: `${prefix}gmin` }).apply(conv) as tf.SymbolicTensor;
  let x = tf.layers.concatenate({ name: `${prefix}maxmin` }).apply([maxP, minP]) as tf.SymbolicTensor;
  for (const i of [1, 2]) {
    x = tf.layers
      .dense({ units: 800, activation: 'relu', name: `${prefix}fc${i}`, kernelInitializer: headKernelInit(args.headInit, args.headSeed, `fc${i}`) })
      .apply(x) as tf.SymbolicTensor;
  }
  const out = paperHead(x, args.headInit, args.headSeed, prefix, []);
  return tf.model({ inputs: input, outputs: out, name: `${prefix}cnniqa` });
}
