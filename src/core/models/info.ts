import type { ModelInfo, ModelName } from './types';

/** What the page needs to know of each model, without importing tfjs (the builders live in zoo.ts). */
const CNNIQA_PATCH = 32;

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

export function isModelName(s: string): s is ModelName {
  return s in MODEL_INFO;
}
