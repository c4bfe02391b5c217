/**
 * What an export takes from the studio's side, built the same way by the CLI and the worker:
 * the networks a run starts from, and the built-in MobileNetV2's weights and layer names.
 */
import type * as tf from '@tensorflow/tfjs';
import { MOBILENETV2_NSFWJS, proposeCut } from '../../models/pretrained';
import { createCohort } from '../../train/cohort';
import type { TrainConfig } from '../../train/config';
import type { PytorchBackbone } from './index';
import { backboneTensors, initialWeightsOf, type InitialWeights } from './weights';

/** The networks a run of `config` starts from with `seed`, before any step (the baseline starts from peer A's); a pretrained body is copied from `base`. */
export async function studioInitialWeights(config: TrainConfig, seed: number, base: tf.LayersModel | undefined): Promise<InitialWeights> {
  const cohort = createCohort(config.mode === 'baseline' ? 'baseline' : 'dml', { ...config, seed }, undefined, base);
  try {
    return await initialWeightsOf(seed, cohort.nets);
  } finally {
    cohort.dispose();
  }
}

/** The built-in MobileNetV2 as the export takes it: its feature layers' weights as TF.js loaded them, its layer names up to the proposed cut, and its licence. */
export async function mobilenetv2Backbone(base: tf.LayersModel, license: string | undefined): Promise<PytorchBackbone> {
  const last = proposeCut(base);
  const layers = base.layers.map((l) => l.name);
  return {
    tensors: await backboneTensors(base, last),
    layers: layers.slice(1, layers.indexOf(last) + 1), // the input layer is no cut
    source: MOBILENETV2_NSFWJS.describe,
    ...(license !== undefined && { license }),
  };
}
