import type * as tf from '@tensorflow/tfjs';
import { buildCnniqa } from './cnniqa';
import { buildPretrainedNet } from './pretrained';
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
    case 'mobilenetv2':
    case 'backbone': {
      // Every peer copies the same pretrained body; the body seed plays no part.
      const p = options.pretrained;
      if (!p) throw new Error(`The ${options.name} model needs its pretrained body loaded before the networks are built.`);
      return buildPretrainedNet(p.base, {
        cuts: p.cuts,
        trainFrom: p.trainFrom,
        headInit: args.headInit,
        headSeed: args.headSeed,
        prefix: args.prefix,
        inputShape: args.inputShape,
      });
    }
  }
}
