import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ImportError, parseScoreFile, WHITESPACE } from './scoreFile';

const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/fixtures/formats/${name}`, import.meta.url), 'utf8');

/** Data lines of a fixture, split naively (the excerpts have no quoted cells): an independent reference. */
const fixtureLines = (name: string) =>
  fixture(name)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split(','));

function expectImportError(fn: () => unknown, file: string, words: RegExp): ImportError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ImportError);
    const err = e as ImportError;
    expect(err.file).toBe(file);
    expect(err.message).toMatch(words);
    return err;
  }
  throw new Error('expected an ImportError');
}

describe('parseScoreFile on the real excerpts', () => {
  it('KonIQ-10k: image_name, MOS (not SD or c1..c5), official set column', () => {
    const name = 'koniq10k_distributions_sets.head40.csv';
    const { layout, rows, problems } = parseScoreFile(name, fixture(name));
    const [header, ...data] = fixtureLines(name);
    expect(layout.delimiter).toBe(',');
    expect(layout.hasHeader).toBe(true);
    expect(layout.columns).toEqual(header);
    expect(layout.columns[layout.imageColumn]).toBe('image_name');
    expect(layout.columns[layout.scoreColumn]).toBe('MOS');
    expect(layout.columns[layout.splitColumn!]).toBe('set');
    expect(layout.refColumn).toBeUndefined();
    expect(layout.higherIsBetter).toBe(true);
    expect(layout.datasetGuess).toBe('KonIQ-10k');
    expect(problems).toEqual([]);
    expect(rows).toHaveLength(data.length);
    rows.forEach((r, i) => {
      expect(r.line).toBe(i + 2);
      expect(r.image).toBe(data[i]![0]);
      expect(r.score).toBeCloseTo(Number(data[i]![7]), 9);
      expect(r.split).toBe(data[i]![9]);
      expect(r.ref).toBeUndefined();
    });
    expect(rows[0]).toMatchObject({ line: 2, image: '10004473376.jpg', rawScore: '77.3836206897', split: 'training' });
    expect(new Set(rows.map((r) => r.split))).toEqual(new Set(['training', 'test', 'validation']));
  });

  it('KADID-10k (IQA-Dataset csv): dis_img_path, ref_img_path, score', () => {
    const name = 'iqa-dataset-KADID-10k.head125.csv';
    const { layout, rows, problems } = parseScoreFile(name, fixture(name));
    expect(layout.columns).toEqual(['dis_img_path', 'dis_type', 'ref_img_path', 'score']);
    expect(layout).toMatchObject({ imageColumn: 0, refColumn: 2, scoreColumn: 3, hasHeader: true, higherIsBetter: true });
    expect(layout.splitColumn).toBeUndefined();
    expect(layout.datasetGuess).toBe('KADID-10k');
    expect(problems).toEqual([]);
    expect(rows).toHaveLength(125);
    expect(rows[0]).toEqual({
      line: 2,
      image: 'KADID-10k/images/I01_01_01.png',
      score: 4.57,
      rawScore: '4.57',
      ref: 'KADID-10k/images/I01.png',
      distortion: '01',
    });
    // The reference column wins over the names; the distortion type comes from the names.
    expect(layout.refFromNames).toBeUndefined();
    expect(layout.distortionFromNames).toBe(true);
    const naive = fixtureLines(name).slice(1).map((f) => f[0]!.split('/').pop()!.split('_')[1]);
    expect(rows.map((r) => r.distortion)).toEqual(naive);
    expect(new Set(naive).size).toBe(25);
    // "Contrast Dist." has a space: still one cell of a comma file.
    expect(rows.at(-1)!.image).toBe('KADID-10k/images/I01_25_05.png');
  });

  it('TID2013 (IQA-Dataset csv): lower-case names, reference column', () => {
    const name = 'iqa-dataset-TID2013.head40.csv';
    const { layout, rows } = parseScoreFile(name, fixture(name));
    expect(layout).toMatchObject({ imageColumn: 0, refColumn: 2, scoreColumn: 3, datasetGuess: 'TID2013' });
    expect(rows).toHaveLength(40);
    expect(rows[0]).toMatchObject({ image: 'TID2013/distorted_images/i01_01_1.bmp', score: 5.5143 });
    expect(rows[0]!.ref).toBe('TID2013/reference_images/i01.bmp');
    expect(layout.refFromNames).toBeUndefined();
    // The distortion type from the names agrees one-to-one with the file's own dis_type column.
    const disType = fixtureLines(name).slice(1).map((f) => f[1]!);
    const codeOf = new Map<string, string>();
    const typeOf = new Map<string, string>();
    rows.forEach((r, i) => {
      expect(r.distortion).toMatch(/^\d\d$/);
      expect(codeOf.get(disType[i]!) ?? r.distortion).toBe(r.distortion);
      expect(typeOf.get(r.distortion!) ?? disType[i]).toBe(disType[i]);
      codeOf.set(disType[i]!, r.distortion!);
      typeOf.set(r.distortion!, disType[i]!);
    });
    expect(codeOf.size).toBe(8);
    expect(codeOf.get('AWGN')).toBe('01');
  });

  it('LIVE Challenge: no reference column and no split column', () => {
    const name = 'iqa-dataset-LIVE_Challenge.head40.csv';
    const { layout, rows } = parseScoreFile(name, fixture(name));
    expect(layout).toMatchObject({ imageColumn: 0, scoreColumn: 2, datasetGuess: 'LIVE Challenge' });
    expect(layout.refColumn).toBeUndefined();
    expect(layout.splitColumn).toBeUndefined();
    expect(rows).toHaveLength(40);
    expect(rows.every((r) => r.ref === undefined && r.split === undefined)).toBe(true);
    expect(layout.reasons.join(' ')).toMatch(/Reference column: none/);
    expect(layout.refFromNames).toBeUndefined();
    expect(layout.distortionFromNames).toBeUndefined();
    expect(rows.every((r) => r.distortion === undefined)).toBe(true);
  });
});

describe('parseScoreFile on layouts without an excerpt', () => {
  it("KADID-10k's own dmos.csv: dmos is the score and stays higher-is-better", () => {
    const text = 'dist_img,ref_img,dmos,var\nI01_01_01.png,I01.png,4.57,0.496\nI01_01_02.png,I01.png,4.33,0.869\nI02_01_01.png,I02.png,4.2,0.5\n';
    const { layout, rows } = parseScoreFile('dmos.csv', text);
    expect(layout).toMatchObject({ imageColumn: 0, refColumn: 1, scoreColumn: 2, higherIsBetter: true, datasetGuess: 'KADID-10k' });
    expect(layout.reasons.join(' ')).toMatch(/dmos/);
    expect(rows.map((r) => [r.image, r.score, r.ref])).toEqual([
      ['I01_01_01.png', 4.57, 'I01.png'],
      ['I01_01_02.png', 4.33, 'I01.png'],
      ['I02_01_01.png', 4.2, 'I02.png'],
    ]);
  });

  it("TID2013's mos_with_names.txt: whitespace separated MOS name, no header, CRLF", () => {
    const text = '5.51429 i01_01_1.bmp\r\n5.56757 i01_01_2.bmp\r\n\r\n4.94444   i01_01_3.bmp\r\n';
    const { layout, rows } = parseScoreFile('mos_with_names.txt', text);
    expect(layout).toMatchObject({
      delimiter: WHITESPACE,
      hasHeader: false,
      columns: ['column 1', 'column 2'],
      imageColumn: 1,
      scoreColumn: 0,
      datasetGuess: 'TID2013',
    });
    expect(rows.map((r) => [r.line, r.image, r.score])).toEqual([
      [1, 'i01_01_1.bmp', 5.51429],
      [2, 'i01_01_2.bmp', 5.56757],
      [4, 'i01_01_3.bmp', 4.94444],
    ]);
  });

  it('no reference column: reference and distortion type taken from I<ref>_<type>_<level> names', () => {
    const text = '5.5 i01_08_3.bmp\n4.1 I02_01_1.BMP\n3.0 tid/i25_24_5.bmp\n6.2 i03_08_1.bmp\n';
    const { layout, rows } = parseScoreFile('mos_with_names.txt', text);
    expect(layout.refColumn).toBeUndefined();
    expect(layout).toMatchObject({ refFromNames: true, distortionFromNames: true });
    expect(rows.map((r) => [r.ref, r.distortion])).toEqual([['01', '08'], ['02', '01'], ['25', '24'], ['03', '08']]);
    const why = layout.reasons.join(' ');
    expect(why).toMatch(/Reference content taken from file names \(I01_…\): 4 of 4 names/);
    expect(why).toMatch(/"i01_08_3\.bmp" → reference 01\), 4 reference contents/);
    expect(why).toMatch(/Distortion type taken from file names \("i01_08_3\.bmp" → type 08\), 3 types/);
    expect(why).not.toMatch(/random by image/);
  });

  it('the names guess can be overridden, and a chosen reference column wins', () => {
    const text = '5.5 i01_08_3.bmp\n4.1 i02_01_1.bmp\n3.0 i03_02_5.bmp\n';
    const off = parseScoreFile('mos_with_names.txt', text, { refFromNames: false, distortionFromNames: false });
    expect(off.layout).toMatchObject({ refFromNames: false, distortionFromNames: false });
    expect(off.rows.every((r) => r.ref === undefined && r.distortion === undefined)).toBe(true);
    expect(off.layout.reasons.join(' ')).toMatch(/Reference content from file names: not taken — as you chose/);
    expect(off.layout.reasons.join(' ')).toMatch(/Distortion type from file names: not taken — as you chose/);
    expect(off.layout.reasons.join(' ')).toMatch(/random by image/);

    const csv = 'image,content,score\ni01_08_3.bmp,sky,5.5\ni02_01_1.bmp,sea,4.1\ni03_02_5.bmp,sea,3\n';
    const withCol = parseScoreFile('s.csv', csv);
    expect(withCol.layout.refColumn).toBe(1);
    expect(withCol.layout.refFromNames).toBeUndefined();
    expect(withCol.rows.map((r) => [r.ref, r.distortion])).toEqual([['sky', '08'], ['sea', '01'], ['sea', '02']]);
  });

  it('names: nearly all must follow the pattern; the few that do not are named in the reason', () => {
    const names = Array.from({ length: 10 }, (_, i) => `i${String(i + 1).padStart(2, '0')}_0${(i % 3) + 1}_1.bmp`);
    const lines = (ns: string[]) => ns.map((n, i) => `${i + 1} ${n}`).join('\n');
    const oneOff = parseScoreFile('labels.txt', lines([...names.slice(0, 9), 'photo.jpg']));
    expect(oneOff.layout.refFromNames).toBe(true);
    expect(oneOff.rows.map((r) => r.ref)).toEqual(['01', '02', '03', '04', '05', '06', '07', '08', '09', undefined]);
    expect(oneOff.layout.reasons.join(' ')).toMatch(/9 of 10 names follow.*1 name does not follow it and gets no reference/);
    const twoOff = parseScoreFile('labels.txt', lines([...names.slice(0, 8), 'photo.jpg', 'x_1.jpg']));
    expect(twoOff.layout.refFromNames).toBeUndefined();
    expect(twoOff.layout.distortionFromNames).toBeUndefined();
    expect(twoOff.rows.every((r) => r.ref === undefined && r.distortion === undefined)).toBe(true);
    // Names that only look alike do not count.
    for (const n of ['i01_08.bmp', 'img01_08_3.bmp', 'i01-08-3.bmp', 'ia_08_3.bmp', 'i01_08_3_x.bmp', 'i01_08_3.bmp.png']) {
      const { layout, rows } = parseScoreFile('labels.txt', `1 a/${n}\n2 b/${n}\n3 c/${n}\n`);
      expect(rows).toHaveLength(3);
      expect(layout.refFromNames, n).toBeUndefined();
    }
    expect(parseScoreFile('labels.txt', '1 a/i01_08_3.bmp\n2 b/i01_08_3.bmp\n3 c/i01_08_3.bmp\n').layout.refFromNames).toBe(true);
  });

  it('KonIQ-10k alt file (quoted header, MOS,SD,MOS_zscore): MOS wins over MOS_zscore', () => {
    const text =
      '"image_name","c1","c2","c3","c4","c5","c_total","MOS","SD","MOS_zscore"\n' +
      '"10004473376.jpg",0,0,25,73,7,105,3.828571429,0.527277894,77.38362069\n' +
      '"10007357496.jpg",0,3,45,47,1,96,3.479166667,0.580003025,68.72857143\n';
    const { layout, rows } = parseScoreFile('koniq10k_scores_and_distributions.csv', text);
    expect(layout.columns[layout.scoreColumn]).toBe('MOS');
    expect(layout.columns[layout.imageColumn]).toBe('image_name');
    expect(rows.map((r) => r.score)).toEqual([3.828571429, 3.479166667]);
    expect(rows[0]!.image).toBe('10004473376.jpg');

    // Without a plain MOS column the z-score is the next best guess, over SD.
    const zOnly = parseScoreFile('z.csv', 'image_name,SD,MOS_zscore\na.jpg,0.5,71.2\nb.jpg,0.6,40.1\n');
    expect(zOnly.layout.columns[zOnly.layout.scoreColumn]).toBe('MOS_zscore');
  });

  it('seed-code label file: "MOS relative/path", names may hold spaces', () => {
    const text = '3.2 subdir/img1.jpg\n4.1 subdir/my photo 2.jpg\n2.75 other/img3.PNG\n';
    const { layout, rows, problems } = parseScoreFile('train_labels.txt', text);
    expect(layout).toMatchObject({ delimiter: WHITESPACE, hasHeader: false, imageColumn: 1, scoreColumn: 0 });
    expect(problems).toEqual([]);
    expect(rows.map((r) => [r.image, r.score])).toEqual([
      ['subdir/img1.jpg', 3.2],
      ['subdir/my photo 2.jpg', 4.1],
      ['other/img3.PNG', 2.75],
    ]);
  });

  it('CSIQ in the IQA-Dataset collection: lower is better, suggested with a reason', () => {
    const text =
      'dis_img_path,dis_type,ref_img_path,score\n' +
      'CSIQ/dst_imgs/awgn/1600.AWGN.1.png,awgn,CSIQ/src_imgs/1600.png,0.062\n' +
      'CSIQ/dst_imgs/awgn/1600.AWGN.2.png,awgn,CSIQ/src_imgs/1600.png,0.206\n';
    const { layout } = parseScoreFile('scores.txt', text);
    expect(layout.higherIsBetter).toBe(false);
    expect(layout.datasetGuess).toBe('CSIQ');
    expect(layout.reasons.join(' ')).toMatch(/CSIQ\/.*lower is better/);
    expect(layout).toMatchObject({ imageColumn: 0, refColumn: 2, scoreColumn: 3 });

    const overridden = parseScoreFile('scores.txt', text, { higherIsBetter: true });
    expect(overridden.layout.higherIsBetter).toBe(true);
  });

  it('tab-separated with a header, and semicolons with decimal commas', () => {
    const tab = parseScoreFile('t.tsv', 'name\tmos\tsd\na b.jpg\t3.5\t0.2\nc.jpg\t4\t0.1\n');
    expect(tab.layout).toMatchObject({ delimiter: '\t', hasHeader: true, imageColumn: 0, scoreColumn: 1 });
    expect(tab.rows[0]!.image).toBe('a b.jpg');

    const semi = parseScoreFile('s.csv', 'image;score\nx.jpg;3,5\ny.jpg;4,25\n');
    expect(semi.layout).toMatchObject({ delimiter: ';', imageColumn: 0, scoreColumn: 1 });
    expect(semi.rows.map((r) => r.score)).toEqual([3.5, 4.25]);
  });

  it('detects a split column by its values when there is no header', () => {
    const { layout, rows } = parseScoreFile('l.txt', 'a.jpg 3.1 train\nb.jpg 2.0 test\nc.jpg 4.2 validation\n');
    expect(layout).toMatchObject({ imageColumn: 0, scoreColumn: 1, splitColumn: 2, hasHeader: false });
    expect(rows.map((r) => r.split)).toEqual(['train', 'test', 'validation']);
  });
});

describe('parseScoreFile overrides', () => {
  const koniq = 'koniq10k_distributions_sets.head40.csv';

  it('every guess can be replaced', () => {
    const text = fixture(koniq);
    const { layout, rows } = parseScoreFile(koniq, text, { scoreColumn: 8, splitColumn: undefined, higherIsBetter: false });
    expect(layout.columns[layout.scoreColumn]).toBe('SD');
    expect(layout.splitColumn).toBeUndefined();
    expect(layout.higherIsBetter).toBe(false);
    expect(rows[0]!.score).toBeCloseTo(0.527277894494, 12);
    expect(rows[0]!.split).toBeUndefined();
  });

  it('hasHeader: false reads the first line as data (and reports it as such)', () => {
    const text = 'image_name,MOS\na.jpg,3\n';
    const { layout, rows, problems } = parseScoreFile('x.csv', text, { hasHeader: false, imageColumn: 0, scoreColumn: 1 });
    expect(layout.columns).toEqual(['column 1', 'column 2']);
    expect(rows.map((r) => [r.line, r.image, r.score])).toEqual([
      [1, 'image_name', null],
      [2, 'a.jpg', 3],
    ]);
    expect(problems).toEqual([]);
  });

  it('rejects a column that does not exist', () => {
    expectImportError(() => parseScoreFile(koniq, fixture(koniq), { imageColumn: 12 }), koniq, /column you chose \(13\).*10 columns/);
  });
});

describe('parseScoreFile problems and errors', () => {
  it('reports malformed rows with their file line, counting blank lines and quoted line breaks', () => {
    const text = 'image,score,ref\n"a.jpg",1,"r\n1"\n\nb.jpg,2\nc.jpg,3,r2\n,4,r3\nd.jpg,5,r2,extra\ne.jpg,6,r3,\n';
    const { rows, problems } = parseScoreFile('p.csv', text);
    expect(rows.map((r) => [r.line, r.image])).toEqual([
      [2, 'a.jpg'],
      [6, 'c.jpg'],
      [9, 'e.jpg'],
    ]);
    expect(problems.map((p) => [p.kind, p.line])).toEqual([
      ['malformed-row', 5],
      ['malformed-row', 7],
      ['malformed-row', 8],
    ]);
    expect(problems[0]!.message).toMatch(/p\.csv line 5 has 2 fields where 3 were expected/);
    expect(problems[1]!.message).toMatch(/no image name/);
  });

  it('keeps non-numeric and empty scores for matching to report', () => {
    const { rows } = parseScoreFile('s.csv', 'image,score\na.jpg,3\nb.jpg,n/a\nc.jpg,\nd.jpg,4\n');
    expect(rows.map((r) => [r.score, r.rawScore])).toEqual([
      [3, '3'],
      [null, 'n/a'],
      [null, ''],
      [4, '4'],
    ]);
  });

  it('throws ImportError for an empty file, a header without rows, and unknown layouts', () => {
    expectImportError(() => parseScoreFile('empty.csv', ' \n\n'), 'empty.csv', /empty/);
    expectImportError(() => parseScoreFile('h.csv', 'image,score\n'), 'h.csv', /no data rows/);
    expectImportError(() => parseScoreFile('n.csv', 'id,score\n1,3.2\n2,4.1\n'), 'n.csv', /no column holds image file names/);
    expectImportError(() => parseScoreFile('w.csv', 'image,grade\na.jpg,good\nb.jpg,bad\n'), 'w.csv', /no column holds numbers/);
    expectImportError(() => parseScoreFile('one.txt', 'a.jpg\nb.jpg\n'), 'one.txt', /could not split the lines into columns/);
  });
});
