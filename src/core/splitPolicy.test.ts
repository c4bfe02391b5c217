import { describe, expect, it } from 'vitest';
import type { LabelledItem } from './data/types';
import { makeSplit, SplitError } from './splits';
import { deriveSeed } from './rng';
import { chooseSplit, chooseSplits, repeatSeed, trainSubset } from './splitPolicy';

const items = (n: number, extra: (i: number) => Partial<LabelledItem> = () => ({})): LabelledItem[] =>
  Array.from({ length: n }, (_, i) => ({ file: `img${i}.png`, mos: i, line: i + 2, ...extra(i) }));

describe('chooseSplit', () => {
  it('uses the chosen kind when the data supports it, with no warning', () => {
    const r = chooseSplit(items(20, (i) => ({ ref: `r${i % 5}` })), { kind: 'ref', testFrac: 0.2, seed: 1 });
    expect(r.split.kind).toBe('ref');
    expect(r.warning).toBeUndefined();
  });

  it('falls back from a by-reference split when no item has a reference, and says so', () => {
    const r = chooseSplit(items(20), { kind: 'ref', testFrac: 0.25, seed: 1 });
    expect(r.split.kind).toBe('random');
    expect(r.warning).toMatch(/split by reference content.*no image .* reference.*random split/);
  });

  it('falls back from the official split to the by-reference default when there is no split column', () => {
    const r = chooseSplit(items(20, (i) => ({ ref: `r${i % 4}` })), { kind: 'official', testFrac: 0.25, seed: 1 });
    expect(r.split.kind).toBe('ref');
    expect(r.warning).toMatch(/official split.*no train\/test split column.*split by reference/);
  });

  it('falls back when all images share one reference', () => {
    const r = chooseSplit(items(10, () => ({ ref: 'same' })), { kind: 'ref', testFrac: 0.3, seed: 1 });
    expect(r.split.kind).toBe('random');
    expect(r.warning).toMatch(/share one reference \("same"\)/);
  });

  it('keeps the row-naming error when only some rows lack a reference', () => {
    expect(() => chooseSplit(items(10, (i) => ({ ref: i === 3 ? '' : `r${i % 3}` })), { kind: 'ref', testFrac: 0.3, seed: 1 })).toThrow(/line 5/);
  });

  it('refuses a split that leaves fewer than 2 training images', () => {
    expect(() => chooseSplit(items(2), { kind: 'random', testFrac: 0.5, seed: 1 })).toThrow(SplitError);
  });
});

describe('chooseSplits (repeats)', () => {
  const refs = (n: number) => items(n, (i) => ({ ref: `r${i % 6}` }));

  it("one split from the seed itself, or n splits each from its repeat's seed", () => {
    expect(chooseSplits(refs(24), { kind: 'ref', testFrac: 0.25, seed: 5 }, 1)[0]!.split).toEqual(makeSplit(refs(24), { kind: 'ref', testFrac: 0.25, seed: 5 }));
    const splits = chooseSplits(refs(24), { kind: 'ref', testFrac: 0.25, seed: 5 }, 4);
    expect(splits).toHaveLength(4);
    splits.forEach((s, i) => expect(s.split).toEqual(makeSplit(refs(24), { kind: 'ref', testFrac: 0.25, seed: i === 0 ? 5 : deriveSeed(5, `repeat:${i}`) })));
    expect(splits.map((_, i) => repeatSeed(5, i))).toEqual([5, deriveSeed(5, 'repeat:1'), deriveSeed(5, 'repeat:2'), deriveSeed(5, 'repeat:3')]);
    expect(new Set(splits.map((s) => JSON.stringify(s.split.test))).size).toBeGreaterThan(1);
    expect(chooseSplits(refs(24), { kind: 'ref', testFrac: 0.25, seed: 5 }, 4)).toEqual(splits);
  });

  it('repeats a fixed official split as it is (only the seeds differ), and refuses a count that is not a whole number ≥ 1', () => {
    const official = items(20, (i) => ({ officialSplit: i < 15 ? 'training' : 'test' }));
    const three = chooseSplits(official, { kind: 'official', testFrac: 0.2, seed: 1 }, 3);
    expect(three.map((c) => c.split.test)).toEqual([0, 1, 2].map(() => [15, 16, 17, 18, 19]));
    expect(() => chooseSplits(refs(24), { kind: 'random', testFrac: 0.2, seed: 1 }, 0)).toThrow(/whole number/);
  });
});

describe('validation sets', () => {
  it('are carved from the training side by the same rule: whole references, then the rest trains', () => {
    const refs = items(40, (i) => ({ ref: `r${i % 10}` }));
    const { split } = chooseSplit(refs, { kind: 'ref', testFrac: 0.2, valFrac: 0.2, seed: 3 });
    const refsOf = (idx: number[]) => new Set(idx.map((i) => refs[i]!.ref));
    expect([refsOf(split.test).size, refsOf(split.val).size, refsOf(split.train).size]).toEqual([2, 2, 6]);
    for (const r of refsOf(split.val)) expect(refsOf(split.train).has(r) || refsOf(split.test).has(r)).toBe(false);
    expect([...split.train, ...split.val, ...split.test].sort((a, b) => a - b)).toEqual(refs.map((_, i) => i));
    expect(split.reason).toMatch(/2 in validation \(8 images\)/);
  });

  it("an official split's validation rows are its validation set; without any, some training rows are drawn", () => {
    const labels = (i: number) => (i < 12 ? 'training' : i < 16 ? 'validation' : 'test');
    const { split } = chooseSplit(items(20, (i) => ({ officialSplit: labels(i) })), { kind: 'official', testFrac: 0.2, valFrac: 0, seed: 1 });
    expect([split.train.length, split.val, split.test.length]).toEqual([12, [12, 13, 14, 15], 4]);
    const drawn = chooseSplit(items(20, (i) => ({ officialSplit: i < 16 ? 'training' : 'test' })), { kind: 'official', testFrac: 0.2, valFrac: 0.1, seed: 1 }).split;
    expect([drawn.train.length, drawn.val.length, drawn.test.length]).toEqual([14, 2, 4]);
    expect(drawn.reason).toMatch(/no validation rows: 2 were drawn at random/);
  });

  it('says what to change when the fractions leave a side empty or too few references', () => {
    expect(() => chooseSplit(items(20), { kind: 'random', testFrac: 0.5, valFrac: 0.5, seed: 1 })).toThrow(/leave nothing to train on/);
    expect(() => chooseSplit(items(6, (i) => ({ ref: `r${i % 2}` })), { kind: 'ref', testFrac: 0.4, valFrac: 0.3, seed: 1 })).toThrow(
      /Cannot split 2 references into train, validation and test.*Lower the test or validation fraction/,
    );
  });

  it('a random split of names that show their content says so', () => {
    const kadid = items(12).map((it, i) => ({ ...it, file: `I0${1 + (i % 3)}_0${1 + (i % 4)}_01.png` }));
    expect(chooseSplit(kadid, { kind: 'random', testFrac: 0.25, seed: 1 }).split.reason).toMatch(/names show shared content .* split by reference/);
    expect(chooseSplit(items(12), { kind: 'random', testFrac: 0.25, seed: 1 }).split.reason).not.toMatch(/shared content/);
  });
});

describe('training-size subsets (the sweep)', () => {
  const refs = items(60, (i) => ({ ref: `r${i % 10}` }));
  const { split } = chooseSplit(refs, { kind: 'ref', testFrac: 0.2, valFrac: 0.2, seed: 2 });

  it('keep validation and test, take whole references, and nest: a smaller size is inside a larger one', () => {
    const sizes = [0.25, 0.5, 1].map((f) => trainSubset(split, refs, f, 7));
    for (const s of sizes) {
      expect(s.val).toEqual(split.val);
      expect(s.test).toEqual(split.test);
      // Whole references: every reference of the subset has all its training images in it.
      for (const r of new Set(s.train.map((i) => refs[i]!.ref))) expect(s.train.filter((i) => refs[i]!.ref === r)).toHaveLength(6);
    }
    expect(sizes.map((s) => s.train.length)).toEqual([12, 18, 36]);
    expect(sizes[0]!.train.every((i) => sizes[1]!.train.includes(i))).toBe(true);
    expect(sizes[2]!.train).toEqual(split.train);
    expect(trainSubset(split, refs, 12, 7).train).toEqual(sizes[0]!.train);
  });

  it('a random split subsets by image; sizes that cannot be met are refused with the reason', () => {
    const rnd = chooseSplit(items(40), { kind: 'random', testFrac: 0.25, seed: 1 }).split;
    expect(trainSubset(rnd, items(40), 0.5, 3).train).toHaveLength(15);
    expect(() => trainSubset(rnd, items(40), 500, 3)).toThrow(/more than the 30 the training side holds/);
    expect(() => trainSubset(rnd, items(40), -1, 3)).toThrow(/fraction in \(0, 1\] or a whole number/);
  });
});
