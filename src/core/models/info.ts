import type { ModelInfo, ModelName } from './types';

/** What the page needs to know of each model, without importing tfjs (the builders live in zoo.ts). */
const CNNIQA_PATCH = 32;

export const MODEL_INFO: Record<ModelName, ModelInfo> = {
  tiny: { name: 'tiny', scaling: 'imagenet', describe: 'Four conv3×3-BN-ReLU stride-2 stages (16-32-64-128), GAP, Dense(256)-BN-Dense(1)' },
  cnniqa: {
    name: 'cnniqa',
    scaling: 'imagenet',
    patchSize: CNNIQA_PATCH,
    describe: 'Kang et al. 2014: 32×32 patches, conv7×7×50, max‖min pooling, Dense 800-800-1; image score = mean over patches',
  },
  resnet18: { name: 'resnet18', scaling: 'imagenet', describe: 'ResNet-18 shape with a width multiplier (default 0.25), GAP, Dense(256)-BN-Dense(1)' },
  mobilenetv2: {
    name: 'mobilenetv2',
    scaling: 'unit',
    pretrained: true,
    describe:
      'Pretrained MobileNetV2 (α 1.0) body up to out_relu, GAP, Dense 512 → Dense 256 → BN → Dense 1. Weights from nsfwjs 4.4.0: ImageNet-initialised, then fine-tuned by its authors on a 5-class image set, so not the paper\'s pure ImageNet weights. Input x/255',
  },
  backbone: {
    name: 'backbone',
    scaling: 'imagenet',
    pretrained: true,
    describe: 'Your own TF.js Layers CNN as the body, cut at the layer(s) you choose (several: mean and SD pooled per level, MLSP), then Dense 512 → Dense 256 → BN → Dense 1',
  },
};

/**
 * Layers of the built-in MobileNetV2 (Keras names) that the studio offers: its native input
 * size, the proposed cut, the MLSP levels and the starts of its last blocks, where the
 * trainable part can begin with one tensor crossing from the frozen part. The MLSP levels are
 * every block's output (its `add`, or its projection where it has no residual) and out_relu,
 * as Hosu et al. pool every Inception module rather than a chosen few. Here rather than in
 * pretrained.ts so the page can use them without loading tfjs.
 */
export const MOBILENETV2_LAYERS = {
  nativeSize: [224, 224] as [number, number],
  defaultCut: 'out_relu',
  mlspCuts: [
    'expanded_conv_project_BN', 'block_1_project_BN', 'block_2_add', 'block_3_project_BN', 'block_4_add', 'block_5_add',
    'block_6_project_BN', 'block_7_add', 'block_8_add', 'block_9_add', 'block_10_project_BN', 'block_11_add', 'block_12_add',
    'block_13_project_BN', 'block_14_add', 'block_15_add', 'block_16_project_BN', 'out_relu',
  ],
  trainFromPoints: [
    ['block_13_expand', 'blocks 13–16 and Conv_1 train (7×7 resolution)'],
    ['block_16_expand', 'block 16 and Conv_1 train'],
    ['Conv_1', 'only the last 1×1 conv (Conv_1) trains'],
  ] as [string, string][],
};

export const MODEL_NAMES = Object.keys(MODEL_INFO) as ModelName[];

export function isModelName(s: string): s is ModelName {
  return s in MODEL_INFO;
}
