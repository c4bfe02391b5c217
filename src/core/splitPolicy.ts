/**
 * Which split a run trains on: the one policy the CLI, the page's preview and the worker use.
 * The split is made once, from the imported rows, and kept as file names, so a continued run
 * trains on the same images in the same order however the re-supplied folder is ordered.
 */
import type { LabelledItem } from './data/types';
import { deriveSeed, makeRng, shuffleInPlace } from './rng';
import { defaultSplitKind, makeSplit, SplitError, type Split, type SplitKind, type SplitOptions } from './splits';

export interface SplitChoice {
  split: Split;
  /** The same split as file names: what a run keeps and the worker is given. */
  names: SplitNames;
  /** Set when the asked-for kind could not be used at all and another was taken instead. */
  warning?: string;
}

const KIND_WORDS: Record<SplitKind, string> = {
  random: 'a random split by image',
  ref: 'a split by reference content',
  official: "the score file's official split",
};

/**
 * The asked-for split when the data carries what it needs; otherwise the data's default
 * kind, with a warning. "Carries nothing" (no reference column, no split column) falls
 * back; a column with some cells blank is the user's to fix, so makeSplit's error naming
 * the row stands.
 */
export function chooseSplit(items: readonly LabelledItem[], opts: SplitOptions): SplitChoice {
  const { kind } = opts;
  let use = kind;
  let warning: string | undefined;
  const why = whyUnusable(items, kind);
  if (why) {
    use = defaultSplitKind(items);
    if (use === kind || whyUnusable(items, use)) use = 'random';
    warning = `You chose ${KIND_WORDS[kind]}, but ${why}: using ${KIND_WORDS[use]} instead.`;
  }
  const split = makeSplit(items, { ...opts, kind: use });
  if (split.train.length < 2)
    throw new SplitError(
      `Only ${split.train.length} image is left for training after the split (${split.val.length} in validation, ${split.test.length} in test): ` +
        'BatchNorm needs at least 2. Add images, or lower the test or validation fraction.',
    );
  return { split, names: splitNames(split, items), warning };
}

/** Repeat i's seed: the experiment's own for the first, one derived from it for each further repeat. */
export function repeatSeed(seed: number, i: number): number {
  return i === 0 ? seed : deriveSeed(seed, `repeat:${i}`);
}

/**
 * The splits of n repeats: each from its repeat's seed (repeatSeed), so random and by-reference
 * splits differ between repeats. A fixed official split is the same in every repeat (only the
 * seeds of the networks and the batches differ).
 */
export function chooseSplits(items: readonly LabelledItem[], opts: SplitOptions, n: number): SplitChoice[] {
  if (!Number.isInteger(n) || n < 1) throw new SplitError(`The number of repeats must be a whole number ≥ 1 (got ${n}).`);
  return Array.from({ length: n }, (_, i) => chooseSplit(items, { ...opts, seed: repeatSeed(opts.seed, i) }));
}

function whyUnusable(items: readonly LabelledItem[], kind: SplitKind): string | null {
  if (kind === 'ref') {
    const withRef = items.filter((it) => it.ref?.trim());
    const refs = new Set(withRef.map((it) => it.ref));
    if (withRef.length === 0) return 'no image in the score file has a reference (content) name';
    if (withRef.length === items.length && refs.size < 2)
      return `all images share one reference ("${withRef[0]!.ref}"), so the test set would show the same content as training`;
  }
  if (kind === 'official' && !items.some((it) => it.officialSplit?.trim())) return 'the score file has no train/test split column';
  return null;
}

/** The split as file names (relative paths), in the order training sees them. */
export interface SplitNames {
  train: string[];
  /** Absent in runs stored before there was a validation set. */
  val?: string[];
  test: string[];
  kind: SplitKind;
  reason: string;
}

export function splitNames(split: Split, items: readonly LabelledItem[]): SplitNames {
  const name = (i: number) => items[i]!.file;
  return { train: split.train.map(name), val: split.val.map(name), test: split.test.map(name), kind: split.kind, reason: split.reason };
}

/**
 * Indices into `items` of a split given by file names (order kept). With `dropMissing`, names
 * not among the items (images that failed to decode, already reported) are left out; without
 * it, a missing name is a SplitError naming the files.
 */
export function splitFromNames(names: SplitNames, items: readonly LabelledItem[], dropMissing = false): Split {
  const index = new Map(items.map((it, i) => [it.file, i]));
  const val = names.val ?? [];
  const missing = [...names.train, ...val, ...names.test].filter((f) => !index.has(f));
  if (missing.length && !dropMissing) {
    const shown = missing.slice(0, 3).join(', ') + (missing.length > 3 ? ` and ${missing.length - 3} more` : '');
    throw new SplitError(
      `The run cannot continue on the same split: ${missing.length} of its images could not be read this time (${shown}). ` +
        'Choose the same folder as before, with every image in it.',
    );
  }
  const at = (files: string[]) => files.flatMap((f) => (index.has(f) ? [index.get(f)!] : []));
  return { train: at(names.train), val: at(val), test: at(names.test), kind: names.kind, reason: names.reason };
}

/** Why `size` is no training size (null when it is one): a fraction in (0, 1], or a whole number of images. */
export function trainSizeProblem(size: number): string | null {
  return size > 0 && (size <= 1 || Number.isInteger(size)) ? null : `A training size must be a fraction in (0, 1] or a whole number of images (got ${size}).`;
}

/**
 * A smaller training side for the training-size sweep: `size` as a fraction (≤ 1) of the
 * training images or a count (> 1) of them, drawn with `seed`, whole references at a time when
 * the split is by reference. Validation and test are untouched, so every size is scored on the
 * same images; a smaller size's training set is a subset of a larger one's (one order, prefixes).
 */
export function trainSubset(split: Split, items: readonly LabelledItem[], size: number, seed: number): Split {
  const n = split.train.length;
  const bad = trainSizeProblem(size);
  if (bad) throw new SplitError(bad);
  if (size > n) throw new SplitError(`A training size of ${size} images is more than the ${n} the training side holds: give at most ${n}, or a fraction.`);
  const target = size <= 1 ? Math.round(size * n) : size;
  // Groups drawn whole: references for a split by reference, single images otherwise.
  const groups = new Map<string, number[]>();
  for (const i of split.train) {
    const key = split.kind === 'ref' ? `ref:${items[i]!.ref ?? ''}` : `img:${i}`;
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  }
  const keys = [...groups.keys()].sort();
  shuffleInPlace(keys, makeRng(deriveSeed(seed, 'train-size')));
  const train: number[] = [];
  for (const k of keys) {
    if (train.length >= target && train.length >= 2) break;
    train.push(...groups.get(k)!);
  }
  train.sort((a, b) => a - b);
  const unit = split.kind === 'ref' ? 'references' : 'images';
  const used = split.kind === 'ref' ? new Set(train.map((i) => items[i]!.ref)).size : train.length;
  return { ...split, train, reason: `${split.reason} Training on ${train.length} of its ${n} training images (${used} ${unit}, size ${size}).` };
}
