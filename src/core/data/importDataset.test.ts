import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeSplit } from '../splits';
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
      'not-image': 0, // the score file is in the folder: not news
    });
    expect(problems.filter((p) => p.kind === 'missing-image').map((p) => p.line)).toEqual([2, 3]);
  });

  it("TID2013's mos_with_names.txt: references from the names, so a split by reference keeps each on one side", () => {
    // "MOS name" lines (no header, no reference column) built from the real excerpt's names and scores.
    const data = fixture('iqa-dataset-TID2013.head40.csv')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','))
      .map(([path, , , score]) => ({ name: path!.split('/').pop()!, score: score! }));
    // The excerpt shows only reference 01: the same distortions of references 02–05 are added
    // under TID2013's naming, so that there is something to split.
    const all = [1, 2, 3, 4, 5].flatMap((k) =>
      data.map((d) => ({ name: d.name.replace(/^i01_/, `i0${k}_`), score: d.score })),
    );
    const scoreText = all.map((d) => `${d.score} ${d.name}`).join('\n') + '\n';
    // On disk the names are upper case (I01_01_1.BMP); the reference images sit beside them.
    const files = [
      ...all.map((d) => `distorted_images/${d.name.toUpperCase()}`),
      ...[1, 2, 3, 4, 5].map((k) => `reference_images/I0${k}.BMP`),
    ];
    const { layout, items, problems } = importDataset({ scoreFileName: 'mos_with_names.txt', scoreText, files });

    expect(layout).toMatchObject({ hasHeader: false, imageColumn: 1, scoreColumn: 0, refFromNames: true, datasetGuess: 'TID2013' });
    expect(layout.refColumn).toBeUndefined();
    expect(layout.reasons.join(' ')).toMatch(/Reference content taken from file names \(I01_…\)/);
    expect(items).toHaveLength(200);
    items.forEach((it, i) => {
      const [ref, type] = all[i]!.name.slice(1).split('_');
      expect(it.file).toBe(files[i]);
      expect(it.ref).toBe(ref);
      expect(it.distortion).toBe(type);
      expect(it.mos).toBe(Number(all[i]!.score));
    });
    expect(new Set(items.map((it) => it.distortion)).size).toBe(8);
    // Only the reference images are left over, and they are called reference images.
    expect(problems).toHaveLength(5);
    expect(problems.every((p) => p.kind === 'unlabelled-image' && /is a reference image/.test(p.message))).toBe(true);

    for (const seed of [1, 2, 3]) {
      const split = makeSplit(items, { kind: 'ref', testFrac: 0.4, seed });
      const trainRefs = new Set(split.train.map((i) => items[i]!.ref));
      const testRefs = new Set(split.test.map((i) => items[i]!.ref));
      expect(trainRefs.size + testRefs.size).toBe(5);
      for (const r of testRefs) expect(trainRefs.has(r)).toBe(false);
      expect(split.train.length + split.test.length).toBe(200);
    }
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
