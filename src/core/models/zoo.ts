import type * as tf from '@tensorflow/tfjs';
import { buildCnniqa, CNNIQA_PATCH } from './cnniqa';
import { buildResnet18 } from './resnet';
import { buildTiny } from './tiny';
import type { BuildArgs, ModelInfo, ModelName, ModelOptions } from './types';

export const MODEL_INFO: Record<ModelName, ModelInfo> = {
  tiny: { name: 'tiny', describe: 'Four conv3×3-BN-ReLU stride-2 stages (16-32-64-128), GAP, Dense(256)-BN-Dense(1)' },
  cnniqa: {
    name: 'cnniqa',
    patchSize: CNNIQA_PATCH,
    describe: 'Kang et al. 2014: 32×32 patches, conv7×7×50, max‖min pooling, Dense 800-800-1; image score = mean over patches',
  },
  resnet18: { name: 'resnet18', describe: 'ResNet-18 shape with a width multiplier (default 0.25), GAP, Dense(256)-BN-Dense(1)' },
};

export const MODEL_NAMES = Object.keys(MODEL_INFO) as ModelName[];

export function buildModel(args: BuildArgs, options: ModelOptions): tf.LayersModel {
  switch (options.name) {
    case 'tiny':
      return buildTiny(args);
    case 'cnniqa':
      return buildCnniqa(args);
    case 'resnet18':
      return buildResnet18(args, options.width ?? 0.25);
  }
}

export function isModelName(s: string): s is ModelName {
  return s in MODEL_INFO;
}
