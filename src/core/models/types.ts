/** From-scratch nets, the built-in pretrained MobileNetV2, and 'backbone': a TF.js Layers CNN the user brings. */
export type ModelName = 'tiny' | 'cnniqa' | 'resnet18' | 'mobilenetv2' | 'backbone';

/**
 * How a model wants its pixels: 'unit' = x/255 in [0, 1] (Keras MobileNetV2 as nsfwjs ships
 * it); 'imagenet' = (x/255 − mean)/std with the ImageNet mean (0.485, 0.456, 0.406) and std
 * (0.229, 0.224, 0.225) (torchvision-style weights, and the studio's from-scratch nets).
 */
export type InputScaling = 'unit' | 'imagenet';

/** Head initialisation: DML-IQA gives peer A Kaiming-normal and peer B Xavier/Glorot-normal dense layers. */
export type HeadInit = 'he' | 'xavier';

export interface ModelOptions {
  name: ModelName;
  /** Width multiplier, used by resnet18 (1 = 64-128-256-512 channels). */
  width?: number;
  /** A pretrained model's body: the loaded base network, where to cut it, and how much of it trains. */
  pretrained?: { base: import('@tensorflow/tfjs').LayersModel; cuts?: string[]; trainFrom: string };
}

export interface BuildArgs {
  /** [height, width, 3] of one network input (a whole resized image, a crop, or a patch). */
  inputShape: [number, number, number];
  headInit: HeadInit;
  /** Seed of the body's initialisers (shared by all peers, like a common pretrained backbone). */
  bodySeed: number;
  /** Seed of the head's initialisers (one per peer). */
  headSeed: number;
  /** Layer-name prefix, so several nets can live in one tfjs engine without name clashes. */
  prefix: string;
}

export interface ModelInfo {
  name: ModelName;
  /** The pixels it takes (a user backbone's come from its config). */
  scaling: InputScaling;
  /** Its body is a pretrained network (built-in or the user's), loaded before training. */
  pretrained?: boolean;
  /** A fixed network input size (cnniqa: 32×32 patches); undefined = any size the input mode gives. */
  patchSize?: number;
  describe: string;
}
