/**
 * Train/test splits: random by image (seeded), by reference content so no
 * content is on both sides, or the score file's official split. Indices point into items.
 */
import type { LabelledItem } from './data/types';
import { deriveSeed, makeRng, shuffleInPlace } from './rng';

export type SplitKind = 'random' | 'ref' | 'official';

export interface SplitOptions {
  kind: SplitKind;
  /** Share of images (random) or of reference contents (ref) that go to test; unused by official. */
  testFrac: number;
  seed: number;
}

export interface Split {
  /** Indices into items, ascending. */
  train: number[];
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
/** Validation rows count as test: the studio has no separate validation set, and they are unseen in training. */
const TEST_LABEL = /^(test|testing|val|validation)$/i;

/** Which side an official split label puts an image on, or null for a label we do not know. */
export function officialSplitSide(label: string): 'train' | 'test' | null {
  const v = label.trim();
  if (TRAIN_LABEL.test(v)) return 'train';
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

function randomSplit(items: readonly LabelledItem[], testFrac: number, seed: number): Split {
  const n = items.length;
  // Sort by file first so the split depends on the seed and the images, not on the row order.
  const order = items.map((_, i) => i).sort((a, b) => cmp(items[a]!.file, items[b]!.file) || a - b);
  shuffleInPlace(order, makeRng(deriveSeed(seed, 'split:random')));
  const k = testCount(n, testFrac);
  return {
    kind: 'random',
    test: order.slice(0, k).sort(ascending),
    train: order.slice(k).sort(ascending),
    reason: `Random split by image (seed ${seed}): ${k} of ${n} images in test, ${n - k} in train.`,
  };
}

function refSplit(items: readonly LabelledItem[], testFrac: number, seed: number): Split {
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
  const test = keys.slice(0, k).flatMap((key) => groups.get(key)!).sort(ascending);
  const train = keys.slice(k).flatMap((key) => groups.get(key)!).sort(ascending);
  return {
    kind: 'ref',
    train,
    test,
    reason:
      `Split by reference content (seed ${seed}): ${k} of ${keys.length} references in test ` +
      `(${test.length} images), ${keys.length - k} in train (${train.length} images); no content is on both sides.`,
  };
}

function officialSplit(items: readonly LabelledItem[]): Split {
  const train: number[] = [];
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
          'which is neither training nor test/validation. Change it, or choose a random or by-reference split.',
      );
    (side === 'train' ? train : test).push(i);
    labels.set(label, (labels.get(label) ?? 0) + 1);
  });
  if (train.length === 0 || test.length === 0)
    throw new SplitError(
      `Cannot use the official split: every image is marked ${train.length ? 'training' : 'test'}, so the ` +
        `${train.length ? 'test' : 'training'} set would be empty. Choose a random or by-reference split.`,
    );
  const counts = [...labels].map(([l, c]) => `${c} "${l}"`).join(', ');
  return {
    kind: 'official',
    train,
    test,
    reason:
      `Official split from the score file (${counts}): ${train.length} in train, ${test.length} in test. ` +
      'Validation rows count as test.',
  };
}

/** Plain code-unit order: the same on every machine, unlike localeCompare. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function makeSplit(items: readonly LabelledItem[], { kind, testFrac, seed }: SplitOptions): Split {
  if (kind === 'official') return officialSplit(items);
  if (!(testFrac > 0 && testFrac < 1))
    throw new SplitError(`The test fraction must be between 0 and 1 (got ${testFrac}), for example 0.2 for 20 %.`);
  if (items.length < 2)
    throw new SplitError(
      `Cannot split ${items.length} image${items.length === 1 ? '' : 's'} into train and test: at least 2 are needed.`,
    );
  return kind === 'ref' ? refSplit(items, testFrac, seed) : randomSplit(items, testFrac, seed);
}
