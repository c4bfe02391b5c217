import { describe, expect, it } from 'vitest';
import type { LabelledItem } from './data/types';
import { makeSplit, SplitError } from './splits';
import { deriveSeed } from './rng';
import { chooseSplit, chooseSplits } from './splitPolicy';

const items = (n: number, extra: (i: number) => Partial<LabelledItem> = () => ({})): LabelledItem[] =>
  Array.from({ length: n }, (_, i) => ({ file: `img${i}.png`, mos: i, line: i + 2, ...extra(i) }));

describe('chooseSplit', () => {
  it('uses the chosen kind when the data supports it, with no warning', () => {
    const r = chooseSplit(items(20, (i) => ({ ref: `r${i % 5}` })), 'ref', 0.2, 1);
    expect(r.split.kind).toBe('ref');
    expect(r.warning).toBeUndefined();
  });

  it('falls back from a by-reference split when no item has a reference, and says so', () => {
    const r = chooseSplit(items(20), 'ref', 0.25, 1);
    expect(r.split.kind).toBe('random');
    expect(r.warning).toMatch(/split by reference content.*no image .* reference.*random split/);
  });

  it('falls back from the official split to the by-reference default when there is no split column', () => {
    const r = chooseSplit(items(20, (i) => ({ ref: `r${i % 4}` })), 'official', 0.25, 1);
    expect(r.split.kind).toBe('ref');
    expect(r.warning).toMatch(/official split.*no train\/test split column.*split by reference/);
  });

  it('falls back when all images share one reference', () => {
    const r = chooseSplit(items(10, () => ({ ref: 'same' })), 'ref', 0.3, 1);
    expect(r.split.kind).toBe('random');
    expect(r.warning).toMatch(/share one reference \("same"\)/);
  });

  it('keeps the row-naming error when only some rows lack a reference', () => {
    expect(() => chooseSplit(items(10, (i) => ({ ref: i === 3 ? '' : `r${i % 3}` })), 'ref', 0.3, 1)).toThrow(/line 5/);
  });

  it('refuses a split that leaves fewer than 2 training images', () => {
    expect(() => chooseSplit(items(2), 'random', 0.5, 1)).toThrow(SplitError);
  });
});

describe('chooseSplits (repeats)', () => {
  const refs = (n: number) => items(n, (i) => ({ ref: `r${i % 6}` }));

  it('one split from the seed itself, or n splits each from its own derived seed', () => {
    expect(chooseSplits(refs(24), 'ref', 0.25, 5, 1)[0]!.split).toEqual(makeSplit(refs(24), { kind: 'ref', testFrac: 0.25, seed: 5 }));
    const splits = chooseSplits(refs(24), 'ref', 0.25, 5, 4);
    expect(splits).toHaveLength(4);
    splits.forEach((s, i) => expect(s.split).toEqual(makeSplit(refs(24), { kind: 'ref', testFrac: 0.25, seed: deriveSeed(5, `cv:${i}`) })));
    expect(new Set(splits.map((s) => JSON.stringify(s.split.test))).size).toBeGreaterThan(1);
    expect(chooseSplits(refs(24), 'ref', 0.25, 5, 4)).toEqual(splits);
  });

  it('refuses repeating a fixed official split, and a count that is not a whole number ≥ 1', () => {
    const official = items(20, (i) => ({ officialSplit: i < 15 ? 'training' : 'test' }));
    expect(() => chooseSplits(official, 'official', 0.2, 1, 3)).toThrow(/official split is fixed/);
    expect(chooseSplits(official, 'official', 0.2, 1, 1)).toHaveLength(1);
    expect(() => chooseSplits(refs(24), 'random', 0.2, 1, 0)).toThrow(/whole number/);
  });
});
