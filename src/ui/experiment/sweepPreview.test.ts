import { describe, expect, it } from 'vitest';
import type { LabelledItem } from '../../core/data/types';
import { chooseSplits } from '../../core/splitPolicy';
import { sweepPreview } from './sweepPreview';

const items: LabelledItem[] = Array.from({ length: 60 }, (_, i) => ({ file: `i${i}.png`, mos: i % 5, line: i + 2, ref: `r${i % 10}` }));

describe('the sweep preview', () => {
  it('says each size’s training images over the repeats, whole references at a time', () => {
    const choices = chooseSplits(items, { kind: 'ref', testFrac: 0.2, valFrac: 0.2, seed: 1 }, 2);
    // 6 training references of 6 images each in every repeat: half is 3 references, 18 images.
    expect(choices.map((c) => c.split.train.length)).toEqual([36, 36]);
    expect(sweepPreview(items, choices, { seed: 1, trainSizes: [0.5, 1, 12] })).toBe(
      'Training-size sweep: 0.5 → 18, 1 → 36, 12 → 12 training images; 6 runs, each size on the same validation and test images.',
    );
  });

  it('a size larger than a repeat’s training side is refused in the split’s words', () => {
    const choices = chooseSplits(items, { kind: 'random', testFrac: 0.5, seed: 1 }, 1);
    expect(() => sweepPreview(items, choices, { seed: 1, trainSizes: [40] })).toThrow(/more than the 30 the training side holds/);
  });
});
