import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importDataset } from './importDataset';
import { ImportError } from './scoreFile';

const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/fixtures/formats/${name}`, import.meta.url), 'utf8');

describe('importDataset', () => {
  it('imports the LIVE Challenge excerpt and counts every problem by kind', () => {
    const name = 'iqa-dataset-LIVE_Challenge.head40.csv';
    const text = fixture(name);
    const images = text
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')[0]!.replace('LIVE_Challenge/', '')); // "Images/101.bmp"
    // Two images missing from the folder, one extra image and the score file itself.
    const files = [...images.slice(2), 'Images/stray.jpg', name];
    const { layout, items, problems, summary } = importDataset({ scoreFileName: name, scoreText: text, files });

    expect(layout.datasetGuess).toBe('LIVE Challenge');
    expect(items).toHaveLength(images.length - 2);
    expect(items.every((it) => it.ref === undefined)).toBe(true);
    expect(summary.rows).toBe(images.length);
    expect(summary.usable).toBe(images.length - 2);
    expect(summary.byKind).toEqual({
      'missing-image': 2,
      'unreadable-image': 0,
      'bad-score': 0,
      'missing-score': 0,
      'duplicate-row': 0,
      'unlabelled-image': 1,
      'malformed-row': 0,
    });
    expect(problems.filter((p) => p.kind === 'missing-image').map((p) => p.line)).toEqual([2, 3]);
  });

  it('counts malformed rows among the rows and in the summary', () => {
    const text = 'image,score\na.jpg,3\nb.jpg\nc.jpg,x\n';
    const { summary, items } = importDataset({ scoreFileName: 's.csv', scoreText: text, files: ['a.jpg', 'b.jpg', 'c.jpg'] });
    expect(items.map((it) => it.file)).toEqual(['a.jpg']);
    expect(summary.rows).toBe(3);
    expect(summary.byKind['malformed-row']).toBe(1);
    expect(summary.byKind['bad-score']).toBe(1);
    expect(summary.byKind['unlabelled-image']).toBe(1); // b.jpg: its row could not be read
  });

  it('passes overrides through', () => {
    const text = 'image,score\na.jpg,1\nb.jpg,3\n';
    const { items, layout } = importDataset({
      scoreFileName: 's.csv',
      scoreText: text,
      files: ['a.jpg', 'b.jpg'],
      overrides: { higherIsBetter: false },
    });
    expect(layout.higherIsBetter).toBe(false);
    expect(items.map((it) => it.mos)).toEqual([3, 1]);
  });

  it('throws "no usable rows" quoting the first problems when nothing matches', () => {
    const name = 'koniq10k_distributions_sets.head40.csv';
    let err: unknown;
    try {
      importDataset({ scoreFileName: name, scoreText: fixture(name), files: ['holiday/beach.jpg'] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ImportError);
    const e = err as ImportError;
    expect(e.file).toBe(name);
    expect(e.message).toMatch(/no usable rows/);
    expect(e.message).toMatch(/line 2 names image "10004473376\.jpg"/);
    expect(e.message).toMatch(/\(36 more problems/); // 40 missing + 1 unlabelled, 5 quoted
  });
});
