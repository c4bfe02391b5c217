import type { ImageStore } from '../data/imageStore';
import { randomTrainView, type InputMode, type View } from '../data/inputMode';
import { shuffleInPlace, type Rng } from '../rng';

/** The epoch's mini-batches: a seeded shuffle of the training indices; a last batch of one is dropped (BatchNorm needs ≥ 2). */
export function epochBatches(trainIdx: readonly number[], batchSize: number, rng: Rng): number[][] {
  const order = shuffleInPlace([...trainIdx], rng);
  const batches: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
  if (batches.length > 1 && batches[batches.length - 1]!.length < 2) batches.pop();
  return batches;
}

export interface HostBatch {
  x: Float32Array;
  shape: [number, number, number, number];
  y: Float32Array;
}

/** Build a training batch on the host: random view (crop/patch) and random flip per image, from `rng`. */
export function makeTrainBatch(
  store: ImageStore,
  mos: ArrayLike<number>,
  idxs: readonly number[],
  mode: InputMode,
  rng: Rng,
  flipAugment: boolean,
  patchSize?: number,
): HostBatch {
  const views = idxs.map(() => randomTrainView(mode, rng.next, patchSize));
  const flips = idxs.map(() => flipAugment && rng.next() < 0.5);
  return makeBatch(store, idxs, views, flips, mos);
}

/** Pack the given views of the given images, ImageNet-normalised, into one NHWC float batch. */
export function makeBatch(
  store: ImageStore,
  idxs: readonly number[],
  views: readonly View[],
  flips: readonly boolean[],
  mos?: ArrayLike<number>,
): HostBatch {
  const { w, h } = views[0]!;
  const per = w * h * 3;
  const x = new Float32Array(idxs.length * per);
  idxs.forEach((i, b) => store.writeView(i, views[b]!, flips[b]!, x, b * per));
  const y = new Float32Array(idxs.length);
  if (mos) idxs.forEach((i, b) => (y[b] = mos[i]!));
  return { x, shape: [idxs.length, h, w, 3], y };
}
