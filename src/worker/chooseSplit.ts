import type { LabelledItem } from '../core/data/types';
import { defaultSplitKind, makeSplit, SplitError, type Split, type SplitKind } from '../core/splits';

export interface SplitChoice {
  split: Split;
  /** Set when the asked-for kind could not be used at all and another was taken instead. */
  warning?: string;
}

const KIND_WORDS: Record<SplitKind, string> = {
  random: 'a random split by image',
  ref: 'a split by reference content',
  official: "the score file's official split",
};

/**
 * The config's split when the data carries what it needs; otherwise the data's default
 * kind, with a warning. "Carries nothing" (no reference column, no split column) falls
 * back; a column with some cells blank is the user's to fix, so makeSplit's error naming
 * the row stands.
 */
export function chooseSplit(items: readonly LabelledItem[], kind: SplitKind, testFrac: number, seed: number): SplitChoice {
  let use = kind;
  let warning: string | undefined;
  const why = whyUnusable(items, kind);
  if (why) {
    use = defaultSplitKind(items);
    if (use === kind || whyUnusable(items, use)) use = 'random';
    warning = `You chose ${KIND_WORDS[kind]}, but ${why}: using ${KIND_WORDS[use]} instead.`;
  }
  const split = makeSplit(items, { kind: use, testFrac, seed });
  if (split.train.length < 2)
    throw new SplitError(
      `Only ${split.train.length} image is left for training after the split (${split.test.length} in test): ` +
        'BatchNorm needs at least 2. Add images or lower the test fraction.',
    );
  return { split, warning };
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
