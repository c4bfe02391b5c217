import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { isInfoProblem, matchImages, problemsToCsv } from './matchImages';
import { parseScoreFile, type ScoreRow } from './scoreFile';

const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/fixtures/formats/${name}`, import.meta.url), 'utf8');

const row = (line: number, image: string, score: number | null, extra: Partial<ScoreRow> = {}): ScoreRow => ({
  line,
  image,
  score,
  rawScore: score === null ? '' : String(score),
  ...extra,
});

const up = { higherIsBetter: true, scoreFileName: 'scores.csv' };

describe('matchImages: finding the files', () => {
  it('matches the KADID excerpt when the folder pick has a shorter prefix than the csv paths', () => {
    const name = 'iqa-dataset-KADID-10k.head125.csv';
    const { rows, layout } = parseScoreFile(name, fixture(name));
    const files = rows.map((r) => r.image.replace('KADID-10k/', '')); // "images/I01_01_01.png"
    const { items, problems } = matchImages(rows, files, layout);
    expect(problems).toEqual([]);
    expect(items).toHaveLength(rows.length);
    items.forEach((it, i) => {
      expect(it.file).toBe(files[i]);
      expect(it.mos).toBe(rows[i]!.score);
      expect(it.ref).toBe('KADID-10k/images/I01.png');
      expect(it.line).toBe(rows[i]!.line);
    });
  });

  it('matches KonIQ names when the folder has a longer prefix, and keeps the official split', () => {
    const name = 'koniq10k_distributions_sets.head40.csv';
    const { rows, layout } = parseScoreFile(name, fixture(name));
    const files = [...rows.map((r) => `koniq/1024x768/${r.image}`).reverse(), 'koniq/koniq10k_distributions_sets.csv'];
    const { items, problems } = matchImages(rows, files, { ...layout, scoreFileName: name });
    // Files that are not images get one line (here another csv); the score file itself is not news.
    expect(problems.map((p) => p.message)).toEqual([
      '1 of the 41 files in the folder is not an image (by extension) and is ignored: 1 .csv; e.g. "koniq/koniq10k_distributions_sets.csv". ' +
        'Only .jpg, .jpeg, .png, .bmp, .webp, .gif, .tif, .tiff, .heic, .heif, .avif files are read.',
    ]);
    expect(matchImages(rows, [...files, name], { ...layout, scoreFileName: name }).problems).toHaveLength(1);
    expect(items.map((it) => it.file)).toEqual(rows.map((r) => `koniq/1024x768/${r.image}`));
    const want = (s: string) => (s === 'training' ? 'train' : s === 'validation' ? 'val' : 'test');
    expect(items.map((it) => it.officialSplit)).toEqual(rows.map((r) => want(r.split!)));
  });

  it('ignores case (TID2013 lists i01_01_1.bmp for I01_01_1.BMP) and backslashes', () => {
    const rows = [row(1, 'i01_01_1.bmp', 5.5), row(2, 'TID2013\\distorted_images\\i01_01_2.bmp', 5.1)];
    const files = ['distorted_images/I01_01_1.BMP', 'distorted_images/I01_01_2.BMP'];
    const { items, problems } = matchImages(rows, files, up);
    expect(problems).toEqual([]);
    expect(items.map((it) => [it.file, it.mos])).toEqual([
      ['distorted_images/I01_01_1.BMP', 5.5],
      ['distorted_images/I01_01_2.BMP', 5.1],
    ]);
  });

  it('uses the longest common path suffix when base names repeat, and reports a real ambiguity', () => {
    const files = ['set1/images/x.jpg', 'set2/images/x.jpg', 'set2/thumbs/x.jpg', 'other/y.jpg'];
    const rows = [
      row(2, 'data/set2/images/x.jpg', 3), // unique: three segments in common
      row(3, 'thumbs/X.JPG', 2), // unique: two segments in common
      row(4, 'images/x.jpg', 1), // set1 and set2 share "images/x.jpg": ambiguous
      row(5, 'y.jpg', 4),
    ];
    const { items, problems } = matchImages(rows, files, up);
    expect(items.map((it) => [it.line, it.file])).toEqual([
      [2, 'set2/images/x.jpg'],
      [3, 'set2/thumbs/x.jpg'],
      [5, 'other/y.jpg'],
    ]);
    const rowProblems = problems.filter((p) => !isInfoProblem(p));
    expect(rowProblems.map((p) => [p.kind, p.line])).toEqual([['missing-image', 4]]);
    expect(rowProblems[0]!.message).toMatch(/matches 2 files.*set1\/images\/x\.jpg.*set2\/images\/x\.jpg/);
    // Nothing silently picked: set1's x.jpg is not used, and said so.
    expect(problems.filter(isInfoProblem).map((p) => p.file)).toEqual(['set1/images/x.jpg']);
  });

  it('prefers the file whose case matches exactly when names differ only in case', () => {
    const { items, problems } = matchImages([row(1, 'a/X.jpg', 3)], ['a/x.jpg', 'a/X.jpg'], up);
    expect(items.map((it) => it.file)).toEqual(['a/X.jpg']);
    expect(problems.map((p) => [p.kind, p.file])).toEqual([['unlabelled-image', 'a/x.jpg']]);
  });
});

describe('matchImages: every problem kind, on the right line', () => {
  const rows: ScoreRow[] = [
    row(2, 'a.jpg', 3.5),
    row(3, 'gone.jpg', 2.0),
    { line: 4, image: 'b.jpg', score: null, rawScore: 'n/a' },
    row(5, 'c.jpg', null),
    row(6, 'A.JPG', 4.0), // same image as line 2, other case
    row(7, 'pics/a.jpg', 1.0), // other text, same file as line 2
    row(8, 'd.jpg', 1.5),
  ];
  const files = ['pics/a.jpg', 'pics/b.jpg', 'pics/c.jpg', 'pics/d.jpg', 'pics/extra.png', 'pics/ref.bmp', 'scores.csv', 'notes.txt'];
  const { items, problems } = matchImages(rows, files, up);

  it('keeps only the usable rows', () => {
    expect(items.map((it) => [it.line, it.file, it.mos])).toEqual([
      [2, 'pics/a.jpg', 3.5],
      [8, 'pics/d.jpg', 1.5],
    ]);
  });

  it('reports each unusable row and each unused image', () => {
    expect(problems.map((p) => [p.kind, p.line ?? p.file])).toEqual([
      ['missing-image', 3],
      ['bad-score', 4],
      ['missing-score', 5],
      ['duplicate-row', 6],
      ['duplicate-row', 7],
      ['unlabelled-image', 'pics/extra.png'],
      ['unlabelled-image', 'pics/ref.bmp'],
      ['not-image', undefined], // notes.txt; scores.csv is the score file
    ]);
    expect(problems.at(-1)!.message).toMatch(/^1 of the 8 files in the folder is not an image .*: 1 \.txt; e\.g\. "notes\.txt"\./);
    const byLine = (l: number) => problems.find((p) => p.line === l)!.message;
    expect(byLine(3)).toMatch(/scores\.csv line 3 .*"gone\.jpg".*not in the chosen folder/);
    expect(byLine(4)).toMatch(/score "n\/a".*not a number/);
    expect(byLine(5)).toMatch(/no score/);
    expect(byLine(6)).toMatch(/line 6 repeats .*line 2/);
    expect(byLine(7)).toMatch(/line 7 .*line 2 .*both refer to the file "pics\/a\.jpg"/);
  });

  it('a row with a bad score still claims its image, so the image is not called unlabelled', () => {
    expect(problems.some((p) => p.file === 'pics/b.jpg' || p.file === 'pics/c.jpg')).toBe(false);
  });

  it('says when an unused image is a reference image', () => {
    const withRef = matchImages([row(2, 'd1.png', 3, { ref: 'refs/R1.PNG' })], ['d1.png', 'R1.png', 'other.png'], up);
    const info = withRef.problems.filter(isInfoProblem);
    expect(info.map((p) => p.file)).toEqual(['R1.png', 'other.png']);
    expect(info[0]!.message).toMatch(/reference image/);
    expect(info[1]!.message).not.toMatch(/reference image/);
  });
});

describe('matchImages: score direction', () => {
  it('lower-is-better scores become (max + min) − score, keeping the range', () => {
    const rows = [row(1, 'a.png', 0.1), row(2, 'b.png', 0.5), row(3, 'c.png', 0.9), row(4, 'gone.png', 0.0)];
    const { items } = matchImages(rows, ['a.png', 'b.png', 'c.png'], { higherIsBetter: false });
    // min 0.0 comes from a row whose image is missing: the file's range, not the matched images', is kept.
    expect(items.map((it) => it.mos)).toEqual([0.9 - 0.1, 0.9 - 0.5, 0.9 - 0.9]);
    const up2 = matchImages(rows, ['a.png', 'b.png', 'c.png'], { higherIsBetter: true });
    expect(up2.items.map((it) => it.mos)).toEqual([0.1, 0.5, 0.9]);
  });

  it('reverses the order of a CSIQ-style file', () => {
    const text = 'dis_img_path,dis_type,ref_img_path,score\nCSIQ/d/a.png,awgn,CSIQ/r/1.png,0.062\nCSIQ/d/b.png,awgn,CSIQ/r/1.png,0.5\nCSIQ/d/c.png,blur,CSIQ/r/2.png,0.9\n';
    const { rows, layout } = parseScoreFile('CSIQ.txt', text);
    const { items } = matchImages(rows, ['d/a.png', 'd/b.png', 'd/c.png'], layout);
    const mos = items.map((it) => it.mos);
    expect(mos[0]).toBeCloseTo(0.9, 12);
    expect(mos[2]).toBeCloseTo(0.062, 12);
    expect(mos[0]! > mos[1]! && mos[1]! > mos[2]!).toBe(true);
  });
});

describe('problemsToCsv', () => {
  it('writes one row per problem, quoting messages with commas, and reads back', () => {
    const problems = [
      { kind: 'bad-score' as const, line: 4, message: 'scores.csv line 4 has score "n/a", not a number.' },
      { kind: 'unlabelled-image' as const, file: 'pics/x,1.png', message: 'not listed' },
    ];
    const csv = problemsToCsv(problems);
    const back = Papa.parse<string[]>(csv.trim()).data;
    expect(back).toEqual([
      ['severity', 'kind', 'line', 'file', 'message'],
      ['error', 'bad-score', '4', '', problems[0]!.message],
      ['info', 'unlabelled-image', '', 'pics/x,1.png', 'not listed'],
    ]);
  });
});
