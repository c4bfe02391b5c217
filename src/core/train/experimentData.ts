import type { LoadedImages } from '../data/loadImages';
import type { Split } from '../splits';
import type { ExperimentData } from './experiment';

/** Decoded images plus a split → what the trainer consumes. */
export function experimentData(loaded: LoadedImages, split: Split): ExperimentData {
  return { store: loaded.store, mos: Float64Array.from(loaded.items, (it) => it.mos), train: split.train, test: split.test };
}
