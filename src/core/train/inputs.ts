/**
 * What a cohort's networks are fed: image batches, or — when the body of a pretrained net is
 * frozen — the frozen part's output, computed once per image and orientation and cached.
 * Both draw the batch's views and flips from the epoch's random stream in the same order, so
 * the baseline and DML (and a continued run) see the same data either way.
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageSet } from '../data/imageStore';
import { randomTrainView, type InputMode, type View } from '../data/inputMode';
import type { InputScaling } from '../models/types';
import { shuffleInPlace, type Rng } from '../rng';

/**
 * A batch as the networks take it. Images: the batch itself; a flipped peer mirrors it.
 * Features: the frozen part's outputs (one per tensor that crosses to the trainable part, in
 * its inputs' order: e.g. the map a trained block reads and the MLSP levels pooled below it)
 * for the batch as drawn (`plain`) and for its mirror (`mirrored`); a flipped peer takes the
 * mirror's features.
 */
export type CohortInput = { kind: 'images'; x: tf.Tensor4D } | { kind: 'features'; plain: tf.Tensor[]; mirrored: tf.Tensor[] };

export function disposeInput(input: CohortInput): void {
  if (input.kind === 'images') input.x.dispose();
  else tf.dispose([...input.plain, ...input.mirrored]);
}

export interface InputSource {
  /** The epoch's next training batch: a view and a flip per image, drawn from `rng`. The caller disposes both tensors. */
  trainBatch(idxs: readonly number[], rng: Rng): { input: CohortInput; y: tf.Tensor1D };
  /** The given test views of the given images (one view per entry), unflipped. The caller disposes it. */
  testBatch(idxs: readonly number[], views: readonly View[]): CohortInput;
  /** The test views each image is scored on (their predictions are averaged). */
  readonly testViews: readonly View[];
  /** Its training batches read the image store (a feature cache reads none): only then is reading ahead worth it. */
  readonly readsImages?: boolean;
  dispose(): void;
}

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

/** Pack the given views of the given images, scaled as the model wants, into one NHWC float batch. */
export function makeBatch(
  store: ImageSet,
  idxs: readonly number[],
  views: readonly View[],
  flips: readonly boolean[],
  scaling: InputScaling,
  mos?: ArrayLike<number>,
): HostBatch {
  const { w, h } = views[0]!;
  const per = w * h * 3;
  const x = new Float32Array(idxs.length * per);
  idxs.forEach((i, b) => store.writeView(i, views[b]!, flips[b]!, x, b * per, scaling));
  const y = new Float32Array(idxs.length);
  if (mos) idxs.forEach((i, b) => (y[b] = mos[i]!));
  return { x, shape: [idxs.length, h, w, 3], y };
}

/** What both sources need to know of the run. */
export interface SourceArgs {
  store: ImageSet;
  mos: ArrayLike<number>;
  mode: InputMode;
  patchSize?: number;
  flipAugment: boolean;
  scaling: InputScaling;
  testViews: readonly View[];
}

/** A random view (crop or patch) and a random flip per image, in this order: the epoch's stream as it has always been drawn. */
function drawViews(a: SourceArgs, idxs: readonly number[], rng: Rng): { views: View[]; flips: boolean[] } {
  const views = idxs.map(() => randomTrainView(a.mode, rng.next, a.patchSize));
  const flips = idxs.map(() => a.flipAugment && rng.next() < 0.5);
  return { views, flips };
}

/** The epoch's next training batch of images, on the host: what imageSource uploads. */
export function drawTrainBatch(a: SourceArgs, idxs: readonly number[], rng: Rng): HostBatch {
  const { views, flips } = drawViews(a, idxs, rng);
  return makeBatch(a.store, idxs, views, flips, a.scaling, a.mos);
}

export function imageSource(a: SourceArgs): InputSource {
  return {
    testViews: a.testViews,
    readsImages: true,
    trainBatch(idxs, rng) {
      const host = drawTrainBatch(a, idxs, rng);
      return { input: { kind: 'images', x: tf.tensor4d(host.x, host.shape) }, y: tf.tensor1d(host.y) };
    },
    testBatch(idxs, views) {
      const host = makeBatch(a.store, idxs, views, idxs.map(() => false), a.scaling);
      return { kind: 'images', x: tf.tensor4d(host.x, host.shape) };
    },
    dispose() {},
  };
}

/** The cache cannot be held in the memory allowed for it; the message says how much it needs and what to change. */
export class FeatureCacheTooLargeError extends Error {
  constructor(readonly bytes: number, readonly limit: number) {
    super(
      `Caching the frozen body's output needs ${(bytes / 2 ** 20).toFixed(0)} MB (every image and its mirror), over the ` +
        `${(limit / 2 ** 20).toFixed(0)} MB allowed for it. Use a smaller input size, train from a later layer (its input is smaller), or fewer images.`,
    );
    this.name = 'FeatureCacheTooLargeError';
  }
}

/** 1 GiB: the cache lives on the backend beside the networks and their optimizer state. */
export const FEATURE_CACHE_LIMIT = 2 ** 30;

/**
 * The frozen part's outputs for every stored image, as drawn (row 2i) and mirrored (row 2i+1),
 * held on the backend, one tensor per output of `frozen`. Images are whole (resize input: no
 * random crops, so the views never change).
 */
export async function featureSource(
  a: SourceArgs,
  frozen: tf.LayersModel,
  opts: { limit?: number; batch?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<InputSource & { bytes: number }> {
  if (a.mode.kind !== 'resize' || a.patchSize) throw new Error('The feature cache needs whole images (resize input): random crops change what the frozen body sees.');
  const n = a.store.count;
  const outputs = frozen.outputs.length;
  const bytes = 2 * n * frozen.outputs.reduce((s, o) => s + (o.shape.slice(1) as number[]).reduce((p, d) => p * d, 1), 0) * 4;
  const limit = opts.limit ?? FEATURE_CACHE_LIMIT;
  if (bytes > limit) throw new FeatureCacheTooLargeError(bytes, limit);
  const whole: View = { x: 0, y: 0, w: a.mode.width, h: a.mode.height };
  const step = opts.batch ?? 16;
  // Per output, its chunks.
  const parts: tf.Tensor[][] = Array.from({ length: outputs }, () => []);
  let caches: tf.Tensor[];
  try {
    for (let s = 0; s < n; s += step) {
      const idxs = Array.from({ length: Math.min(step, n - s) }, (_, j) => s + j);
      // Each image, then its mirror: rows 2i and 2i + 1.
      const pairs = idxs.flatMap((i) => [i, i]);
      const host = makeBatch(a.store, pairs, pairs.map(() => whole), pairs.map((_, j) => j % 2 === 1), a.scaling);
      const x = tf.tensor4d(host.x, host.shape);
      let out: tf.Tensor[];
      try {
        out = tf.tidy(() => [frozen.apply(x, { training: false }) as tf.Tensor | tf.Tensor[]].flat());
      } finally {
        x.dispose();
      }
      out.forEach((t, o) => parts[o]!.push(t));
      // One read per chunk keeps the backend's queue short and the progress honest: a read waits for
      // everything queued before it, so one output (the smallest to copy) is enough.
      await out.reduce((a, b) => (b.size < a.size ? b : a)).data();
      opts.onProgress?.(Math.min(n, s + step), n);
    }
    caches = parts.map((p) => tf.concat(p, 0));
  } finally {
    tf.dispose(parts.flat());
  }
  const gather = (idxs: readonly number[], flips: readonly boolean[]): CohortInput =>
    tf.tidy(() => {
      const rows = (mirror: boolean) => tf.tensor1d(idxs.map((i, b) => 2 * i + (flips[b] !== mirror ? 1 : 0)), 'int32');
      const plain = rows(false);
      const mirrored = rows(true);
      return { kind: 'features' as const, plain: caches.map((c) => tf.gather(c, plain)), mirrored: caches.map((c) => tf.gather(c, mirrored)) };
    });
  return {
    bytes,
    testViews: [whole],
    trainBatch(idxs, rng) {
      const { flips } = drawViews(a, idxs, rng);
      return { input: gather(idxs, flips), y: tf.tensor1d(idxs.map((i) => a.mos[i]!)) };
    },
    testBatch(idxs) {
      return gather(
        idxs,
        idxs.map(() => false),
      );
    },
    dispose() {
      tf.dispose(caches);
    },
  };
}
