import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../rng';
import type { HeadInit } from './types';

/**
 * Seeded initialisers. tfjs's defaults draw from Math.random, which would make two runs
 * with the same seed differ; every layer gets an explicit seed derived from its name.
 */
export function bodyKernelInit(seed: number, layerName: string) {
  return tf.initializers.heNormal({ seed: deriveSeed(seed, layerName) });
}

/** Dense layers of the regression head: the one place the DML peers differ at init. */
export function headKernelInit(init: HeadInit, seed: number, layerName: string) {
  const s = deriveSeed(seed, layerName);
  return init === 'he' ? tf.initializers.heNormal({ seed: s }) : tf.initializers.glorotNormal({ seed: s });
}

/** PyTorch's BatchNorm momentum 0.1 is Keras momentum 0.9; tfjs's default 0.99 lags badly in short runs. */
export const BN_MOMENTUM = 0.9;
