/**
 * The split as the run store keeps it — file names, in the order training saw them — and
 * back: a continued run trains on the same images in the same order, however the re-supplied
 * folder happens to be ordered.
 */
import type { LabelledItem } from '../core/data/types';
import type { Split } from '../core/splits';
import { DataError } from './describeError';
import type { SplitMeta } from './storage/runRecord';

export function splitNames(split: Split, items: readonly LabelledItem[]): SplitMeta {
  const name = (i: number) => items[i]!.file;
  return { train: split.train.map(name), test: split.test.map(name), kind: split.kind, reason: split.reason };
}

/** Indices into `items` of the stored split's files (order kept); DataError naming the files that are missing. */
export function splitFromNames(meta: SplitMeta, items: readonly LabelledItem[]): Split {
  const index = new Map(items.map((it, i) => [it.file, i]));
  const missing = [...meta.train, ...meta.test].filter((f) => !index.has(f));
  if (missing.length) {
    const shown = missing.slice(0, 3).join(', ') + (missing.length > 3 ? ` and ${missing.length - 3} more` : '');
    throw new DataError(
      `The run cannot continue on the same split: ${missing.length} of its images could not be read this time (${shown}). ` +
        'Choose the same folder as before, with every image in it.',
    );
  }
  const at = (f: string) => index.get(f)!;
  return { train: meta.train.map(at), test: meta.test.map(at), kind: meta.kind, reason: meta.reason };
}
