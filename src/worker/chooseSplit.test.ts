import { describe, expect, it } from 'vitest';
import type { LabelledItem } from '../core/data/types';
import { SplitError } from '../core/splits';
import { chooseSplit } from './chooseSplit';

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
