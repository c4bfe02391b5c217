import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importDataset } from './data/importDataset';
import type { LabelledItem } from './data/types';
import {
  defaultSplitKind,
  makeSplit,
  officialSplitSide,
  SplitError,
  type Split,
} from './splits';

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/formats/${name}`, import.meta.url), 'utf8');

/** Import a fixture against a folder holding exactly its images. */
function importFixture(name: string) {
  const text = fixture(name);
  const files = text
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',')[0]!);
  return importDataset({ scoreFileName: name, scoreText: text, files }).items;
}

/** KADID-like: `refs` contents × `per` distortions each, in a dmos.csv. */
function kadidLike(refs: number, per: number): LabelledItem[] {
  const lines = ['dist_img,ref_img,dmos,var'];
  const files: string[] = [];
  for (let r = 1; r <= refs; r++)
    for (let d = 1; d <= per; d++) {
      const img = `I${String(r).padStart(2, '0')}_${String(d).padStart(2, '0')}_01.png`;
      lines.push(`${img},I${String(r).padStart(2, '0')}.png,${(1 + ((r * 7 + d) % 40) / 10).toFixed(2)},0.5`);
      files.push(`images/${img}`);
    }
  return importDataset({ scoreFileName: 'dmos.csv', scoreText: lines.join('\n'), files }).items;
}

function expectPartition(split: Split, n: number) {
  expect([...split.train, ...split.test].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
  expect(split.train.length).toBeGreaterThan(0);
  expect(split.test.length).toBeGreaterThan(0);
}

function expectSplitError(fn: () => unknown, words: RegExp) {
  expect(fn).toThrow(SplitError);
  expect(fn).toThrow(words);
}

describe('random split', () => {
  const items = importFixture('iqa-dataset-LIVE_Challenge.head40.csv');

  it('puts testFrac of the images in test, every image exactly once', () => {
    const s = makeSplit(items, { kind: 'random', testFrac: 0.25, seed: 3 });
    expectPartition(s, items.length);
    expect(s.test).toHaveLength(10);
    expect(s.kind).toBe('random');
    expect(s.reason).toMatch(/10 of 40 images in test/);
  });

  it('is reproducible from the seed, differs between seeds, and ignores row order', () => {
    const a = makeSplit(items, { kind: 'random', testFrac: 0.3, seed: 11 });
    expect(makeSplit(items, { kind: 'random', testFrac: 0.3, seed: 11 })).toEqual(a);
    expect(makeSplit(items, { kind: 'random', testFrac: 0.3, seed: 12 }).test).not.toEqual(a.test);

    const reversed = [...items].reverse();
    const b = makeSplit(reversed, { kind: 'random', testFrac: 0.3, seed: 11 });
    const files = (its: LabelledItem[], idx: number[]) => idx.map((i) => its[i]!.file).sort();
    expect(files(reversed, b.test)).toEqual(files(items, a.test));
  });

  it('keeps at least one image on each side', () => {
    const two = items.slice(0, 2);
    expect(makeSplit(two, { kind: 'random', testFrac: 0.01, seed: 1 }).test).toHaveLength(1);
    expect(makeSplit(two, { kind: 'random', testFrac: 0.99, seed: 1 }).train).toHaveLength(1);
  });
});

describe('split by reference', () => {
  const items = kadidLike(10, 4);

  it('never puts one content in both train and test', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const s = makeSplit(items, { kind: 'ref', testFrac: 0.2, seed });
      expectPartition(s, items.length);
      const trainRefs = new Set(s.train.map((i) => items[i]!.ref));
      const testRefs = new Set(s.test.map((i) => items[i]!.ref));
      expect([...testRefs].filter((r) => trainRefs.has(r))).toEqual([]);
      expect(testRefs.size).toBe(2); // 20 % of 10 references
      expect(s.test).toHaveLength(8);
    }
  });

  it('is reproducible from the seed and changes with it', () => {
    const a = makeSplit(items, { kind: 'ref', testFrac: 0.3, seed: 7 });
    expect(makeSplit(items, { kind: 'ref', testFrac: 0.3, seed: 7 })).toEqual(a);
    const others = [8, 9, 10].map((seed) => makeSplit(items, { kind: 'ref', testFrac: 0.3, seed }).test);
    expect(others.some((t) => JSON.stringify(t) !== JSON.stringify(a.test))).toBe(true);
  });

  it('keeps one reference on each side with two references', () => {
    const two = kadidLike(2, 3);
    for (const testFrac of [0.05, 0.95]) {
      const s = makeSplit(two, { kind: 'ref', testFrac, seed: 1 });
      expect(s.test).toHaveLength(3);
      expect(s.train).toHaveLength(3);
    }
  });

  it('refuses one reference (the real KADID excerpt holds only I01) or a row without one', () => {
    const kadid = importFixture('iqa-dataset-KADID-10k.head125.csv');
    expectSplitError(() => makeSplit(kadid, { kind: 'ref', testFrac: 0.2, seed: 1 }), /all 125 images share one reference/);
    const holed = items.map((it, i) => (i === 5 ? { file: it.file, mos: it.mos, line: it.line } : it));
    expectSplitError(() => makeSplit(holed, { kind: 'ref', testFrac: 0.2, seed: 1 }), new RegExp(`line ${items[5]!.line} .*no reference`));
  });
});

describe('official split', () => {
  const name = 'koniq10k_distributions_sets.head40.csv';
  const items = importFixture(name);
  const sets = fixture(name)
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',')[9]!);

  it('honours the KonIQ set column: training, validation and test rows', () => {
    const s = makeSplit(items, { kind: 'official', testFrac: 0.5, seed: 1 });
    expect(s.kind).toBe('official');
    expect(s.train).toEqual(sets.flatMap((v, i) => (v === 'training' ? [i] : [])));
    expect(s.val).toEqual(sets.flatMap((v, i) => (v === 'validation' ? [i] : [])));
    expect(s.test).toEqual(sets.flatMap((v, i) => (v === 'test' ? [i] : [])));
    expect(s.val.length).toBeGreaterThan(0);
    expect(s.reason).toMatch(/in validation/);
    // Seed and test fraction do not change an official split.
    expect(makeSplit(items, { kind: 'official', testFrac: 0.1, seed: 99 })).toEqual(s);
  });

  it('names an unknown split value and its line', () => {
    const odd = items.map((it, i) => (i === 3 ? { ...it, officialSplit: 'holdout' } : it));
    expectSplitError(() => makeSplit(odd, { kind: 'official', testFrac: 0.2, seed: 1 }), new RegExp(`line ${items[3]!.line} .*"holdout"`));
  });

  it('refuses a split that leaves one side empty', () => {
    const allTrain = items.map((it) => ({ ...it, officialSplit: 'train' }));
    expectSplitError(() => makeSplit(allTrain, { kind: 'official', testFrac: 0.2, seed: 1 }), /test set would be empty/);
    const noLabel = items.map(({ officialSplit: _drop, ...it }) => it);
    expectSplitError(() => makeSplit(noLabel, { kind: 'official', testFrac: 0.2, seed: 1 }), /line 2 .*no split value/);
  });

  it('maps labels case-insensitively', () => {
    expect(['Train', 'training', 'TEST', 'testing', 'val', 'Validation', 'holdout'].map(officialSplitSide)).toEqual([
      'train',
      'train',
      'test',
      'test',
      'val',
      'val',
      null,
    ]);
  });
});

describe('defaultSplitKind and errors', () => {
  it('prefers official, then ref, then random', () => {
    expect(defaultSplitKind(importFixture('koniq10k_distributions_sets.head40.csv'))).toBe('official');
    expect(defaultSplitKind(kadidLike(3, 2))).toBe('ref');
    expect(defaultSplitKind(importFixture('iqa-dataset-LIVE_Challenge.head40.csv'))).toBe('random');
    // The TID2013 excerpt has a reference column but only one reference (i01): a ref split is impossible.
    expect(defaultSplitKind(importFixture('iqa-dataset-TID2013.head40.csv'))).toBe('random');
  });

  it('refuses a bad test fraction or too few images', () => {
    const items = kadidLike(3, 2);
    for (const testFrac of [0, 1, -0.2, Number.NaN])
      expectSplitError(() => makeSplit(items, { kind: 'random', testFrac, seed: 1 }), /test fraction must be between 0 and 1/);
    expectSplitError(() => makeSplit(items.slice(0, 1), { kind: 'random', testFrac: 0.2, seed: 1 }), /at least 2 are needed/);
    expectSplitError(() => makeSplit([], { kind: 'ref', testFrac: 0.2, seed: 1 }), /at least 2 are needed/);
  });
});
