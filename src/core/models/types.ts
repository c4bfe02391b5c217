export type ModelName = 'tiny' | 'cnniqa' | 'resnet18';

/** Head initialisation: DML-IQA gives peer A Kaiming-normal and peer B Xavier/Glorot-normal dense layers. */
export type HeadInit = 'he' | 'xavier';

export interface ModelOptions {
  name: ModelName;
  /** Width multiplier, used by resnet18 (1 = 64-128-256-512 channels). */
  width?: number;
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
  /** A fixed network input size (cnniqa: 32×32 patches); undefined = any size the input mode gives. */
  patchSize?: number;
  describe: string;
}
