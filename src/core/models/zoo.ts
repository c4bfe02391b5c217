import type * as tf from '@tensorflow/tfjs';
import { buildCnniqa } from './cnniqa';
import { buildResnet18 } from './resnet';
import { buildTiny } from './tiny';
import type { BuildArgs, ModelOptions } from './types';


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
