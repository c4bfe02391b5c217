/**
 * Train / validation / test splits: random by image (seeded), by reference content so no
 * content is on both sides, or the score file's official split. Indices point into items.
 */
import { parseDistortedName } from './data/datasetHints';
import type { LabelledItem } from './data/types';
import { deriveSeed, makeRng, shuffleInPlace } from './rng';

export type SplitKind = 'random' | 'ref' | 'official';

export interface SplitOptions {
  kind: SplitKind;
  /** Share of images (random) or of reference contents (ref) that go to test; unused by official. */
  testFrac: number;
  /**
   * Share (of all images or references) carved from the training side for validation, by the
   * same rule; 0 = none. An official split's own validation rows are its validation set.
   */
  valFrac?: number;
  seed: number;
}

export interface Split {
  /** Indices into items, ascending. */
  train: number[];
  /** Chooses checkpoints and epochs; never trained on, never the test set. Empty when there is none. */
  val: number[];
  test: number[];
  kind: SplitKind;
  /** What was done, in words for the user. */
  reason: string;
}

/** A split cannot be made; the message says why and what to do. */
export class SplitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SplitError';
  }
}

const TRAIN_LABEL = /^(train|training)$/i;
const VAL_LABEL = /^(val|valid|validation)$/i;
const TEST_LABEL = /^(test|testing)$/i;

/** Which side an official split label puts an image on, or null for a label we do not know. */
export function officialSplitSide(label: string): 'train' | 'val' | 'test' | null {
  const v = label.trim();
  if (TRAIN_LABEL.test(v)) return 'train';
  if (VAL_LABEL.test(v)) return 'val';
  if (TEST_LABEL.test(v)) return 'test';
  return null;
}

/**
 * Official split if any item has one, else by reference if items name at least two
 * references (one would leave a side empty), else random. "Any" on purpose: a file with
 * the column but a blank cell gets an error naming that row from makeSplit rather than a
 * silent fall-back to another kind.
 */
export function defaultSplitKind(items: readonly LabelledItem[]): SplitKind {
  if (items.some((it) => it.officialSplit !== undefined)) return 'official';
  const refs = new Set(items.flatMap((it) => (it.ref === undefined ? [] : [it.ref])));
  if (refs.size >= 2) return 'ref';
  return 'random';
}

/** How many of n go to test: rounded, but at least one on each side. */
function testCount(n: number, testFrac: number): number {
  return Math.min(n - 1, Math.max(1, Math.round(n * testFrac)));
}

const ascending = (a: number, b: number) => a - b;

/** How many of n go to validation: none for valFrac 0, else rounded but at least one. */
function valCount(n: number, valFrac: number): number {
  return valFrac > 0 ? Math.max(1, Math.round(n * valFrac)) : 0;
}

function randomSplit(items: readonly LabelledItem[], testFrac: number, valFrac: number, seed: number): Split {
  const n = items.length;
  // Sort by file first so the split depends on the seed and the images, not on the row order.
  const order = items.map((_, i) => i).sort((a, b) => cmp(items[a]!.file, items[b]!.file) || a - b);
  shuffleInPlace(order, makeRng(deriveSeed(seed, 'split:random')));
  const k = testCount(n, testFrac);
  const v = valCount(n, valFrac);
  // Names that show their content (KADID/TID-style I01_03_02): a random split puts one content on both sides.
  const shared = items.filter((it) => parseDistortedName(it.file)).length > n / 2;
  return {
    kind: 'random',
    test: order.slice(0, k).sort(ascending),
    val: order.slice(k, k + v).sort(ascending),
    train: order.slice(k + v).sort(ascending),
    reason:
      `Random split by image (seed ${seed}): ${k} of ${n} images in test, ${v ? `${v} in validation, ` : ''}${n - k - v} in train.` +
      (shared ? ' The names show shared content (I01_…): one content is on both sides, which flatters the test scores; split by reference instead.' : ''),
  };
}

function refSplit(items: readonly LabelledItem[], testFrac: number, valFrac: number, seed: number): Split {
  const groups = new Map<string, number[]>();
  items.forEach((it, i) => {
    if (it.ref === undefined || it.ref.trim() === '')
      throw new SplitError(
        `Cannot split by reference: the row on line ${it.line} (${it.file}) has no reference image. ` +
          'Fill in its reference in the score file, or use a random split.',
      );
    const g = groups.get(it.ref);
    if (g) g.push(i);
    else groups.set(it.ref, [i]);
  });
  const keys = [...groups.keys()].sort(cmp);
  if (keys.length < 2)
    throw new SplitError(
      `Cannot split by reference: all ${items.length} images share one reference ("${keys[0]}"), so train and test ` +
        'would show the same content. Use a random split, or add images of other references.',
    );
  shuffleInPlace(keys, makeRng(deriveSeed(seed, 'split:ref')));
  const k = testCount(keys.length, testFrac);
  const v = valCount(keys.length, valFrac);
  if (keys.length - k - v < 1)
    throw new SplitError(
      `Cannot split ${keys.length} references into train, validation and test: ${k} go to test and ${v} to validation, leaving none to train on. ` +
        'Lower the test or validation fraction, or add images of other references.',
    );
  const of = (ks: string[]) => ks.flatMap((key) => groups.get(key)!).sort(ascending);
  const test = of(keys.slice(0, k));
  const val = of(keys.slice(k, k + v));
  const train = of(keys.slice(k + v));
  return {
    kind: 'ref',
    train,
    val,
    test,
    reason:
      `Split by reference content (seed ${seed}): ${k} of ${keys.length} references in test (${test.length} images), ` +
      (v ? `${v} in validation (${val.length} images), ` : '') +
      `${keys.length - k - v} in train (${train.length} images); no content is on two sides.`,
  };
}

function officialSplit(items: readonly LabelledItem[], valFrac: number, seed: number): Split {
  const train: number[] = [];
  const val: number[] = [];
  const test: number[] = [];
  const labels = new Map<string, number>();
  items.forEach((it, i) => {
    const label = it.officialSplit;
    if (label === undefined || label.trim() === '')
      throw new SplitError(
        `Cannot use the official split: the row on line ${it.line} (${it.file}) has no split value. ` +
          'Fill it in (training or test), or choose a random or by-reference split.',
      );
    const side = officialSplitSide(label);
    if (side === null)
      throw new SplitError(
        `Cannot use the official split: the row on line ${it.line} (${it.file}) has split value "${label}", ` +
          'which is neither training, validation nor test. Change it, or choose a random or by-reference split.',
      );
    (side === 'train' ? train : side === 'val' ? val : test).push(i);
    labels.set(label, (labels.get(label) ?? 0) + 1);
  });
  if (train.length === 0 || test.length === 0)
    throw new SplitError(
      `Cannot use the official split: every image is marked ${train.length ? 'training' : 'test'}, so the ` +
        `${train.length ? 'test' : 'training'} set would be empty. Choose a random or by-reference split.`,
    );
  const counts = [...labels].map(([l, c]) => `${c} "${l}"`).join(', ');
  // No validation rows of its own: carved at random from the official training rows.
  let carved = '';
  if (!val.length && valFrac > 0) {
    shuffleInPlace(train, makeRng(deriveSeed(seed, 'split:official-val')));
    val.push(...train.splice(0, Math.min(train.length - 2, valCount(items.length, valFrac))).sort(ascending));
    train.sort(ascending);
    carved = ` The file has no validation rows: ${val.length} were drawn at random (seed ${seed}) from its training rows.`;
  }
  return {
    kind: 'official',
    train,
    val,
    test,
    reason: `Official split from the score file (${counts}): ${train.length} in train, ${val.length} in validation, ${test.length} in test.${carved}`,
  };
}

/** Plain code-unit order: the same on every machine, unlike localeCompare. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function makeSplit(items: readonly LabelledItem[], { kind, testFrac, valFrac = 0, seed }: SplitOptions): Split {
  if (!(valFrac >= 0 && valFrac < 1))
    throw new SplitError(`The validation fraction must be at least 0 and below 1 (got ${valFrac}), for example 0.1 for 10 %, or 0 for none.`);
  if (kind === 'official') return officialSplit(items, valFrac, seed);
  if (!(testFrac > 0 && testFrac < 1))
    throw new SplitError(`The test fraction must be between 0 and 1 (got ${testFrac}), for example 0.2 for 20 %.`);
  if (testFrac + valFrac >= 1)
    throw new SplitError(`The test (${testFrac}) and validation (${valFrac}) fractions leave nothing to train on: together they must stay below 1.`);
  if (items.length < 2)
    throw new SplitError(
      `Cannot split ${items.length} image${items.length === 1 ? '' : 's'} into train and test: at least 2 are needed.`,
    );
  return kind === 'ref' ? refSplit(items, testFrac, valFrac, seed) : randomSplit(items, testFrac, valFrac, seed);
}
