/**
 * The bad-input corpus for score files and folders: each bad thing is reported naming its file
 * or line and the fix, and every valid row around it is kept.
 */
import { describe, expect, it } from 'vitest';
import { importDataset } from './importDataset';
import { ImportError, parseScoreFile } from './scoreFile';

const files5 = ['pics/a.jpg', 'pics/b.jpg', 'pics/c.jpg', 'pics/d.jpg', 'pics/e.jpg'];
const imp = (scoreText: string, files = files5, scoreFileName = 'mos.csv') => importDataset({ scoreFileName, scoreText, files });
const used = (r: ReturnType<typeof imp>) => r.items.map((i) => [i.file, i.mos, i.line]);
const thrown = (f: () => unknown): ImportError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ImportError);
    return e as ImportError;
  }
  throw new Error('expected an ImportError');
};

describe('score files', () => {
  it('a UTF-8 byte-order mark does not stick to the first header name', () => {
    const r = imp('\uFEFFimage,mos\na.jpg,3\nb.jpg,4\n');
    expect(r.layout.columns).toEqual(['image', 'mos']);
    expect(used(r)).toEqual([['pics/a.jpg', 3, 2], ['pics/b.jpg', 4, 3]]);
  });

  it("Excel's sep=; first line names the delimiter; # comment lines are skipped, line numbers kept", () => {
    const r = imp('sep=;\n# exported from the lab sheet\nimage;mos\n# a note in the middle\na.jpg;3,5\n  # indented note\nb.jpg;4\n#1.jpg;2\n', [...files5, 'pics/#1.jpg']);
    expect(r.layout.delimiter).toBe(';');
    expect(r.layout.reasons[0]).toBe('Delimiter: semicolon — the file\'s first line says "sep=;" (a spreadsheet\'s hint, not data).');
    expect(r.layout.reasons).toContain('Comments: 3 lines starting with # skipped (lines 2, 4, 6).');
    // "#1.jpg" is an image name, not a comment.
    expect(used(r)).toEqual([['pics/a.jpg', 3.5, 5], ['pics/b.jpg', 4, 7], ['pics/#1.jpg', 2, 8]]);
    expect(r.problems.filter((p) => p.kind !== 'unlabelled-image')).toEqual([]);
  });

  it('an unclosed quote costs its own line only; the rows after it are kept', () => {
    const r = imp('image,mos\na.jpg,3\n"b.jpg,4\nc.jpg,5\n"d.jpg",2\ne.jpg,"1\n');
    expect(used(r)).toEqual([['pics/a.jpg', 3, 2], ['pics/c.jpg', 5, 4], ['pics/d.jpg', 2, 5]]);
    const bad = r.problems.filter((p) => p.kind === 'malformed-row');
    expect(bad.map((p) => p.line)).toEqual([3, 6]);
    expect(bad[0]!.message).toBe(
      'mos.csv line 3 is not read: a cell opens with a quote (") that is not closed on that line, so it would take in the lines after it. ' +
        'Close the quote on that line or remove it; the lines after it are read as usual.',
    );
  });

  it('quoted decimal commas in a semicolon file', () => {
    const r = imp('"image";"mos"\n"a.jpg";"3,5"\n"b.jpg";"4,25"\n"c.jpg";"-0,5"\n');
    expect(used(r)).toEqual([['pics/a.jpg', 3.5, 2], ['pics/b.jpg', 4.25, 3], ['pics/c.jpg', -0.5, 4]]);
  });

  it('NFC names in the score file match NFD names from a macOS folder, and the other way round', () => {
    const nfc = 'caf\u00e9.jpg';
    const nfd = 'cafe\u0301.jpg';
    expect(nfc).not.toBe(nfd);
    expect(used(imp(`image,mos\n${nfc},3\nb.jpg,4\n`, [`pics/${nfd}`, 'pics/b.jpg']))).toEqual([[`pics/${nfd}`, 3, 2], ['pics/b.jpg', 4, 3]]);
    expect(used(imp(`image,mos\n${nfd},3\nb.jpg,4\n`, [`pics/${nfc}`, 'pics/b.jpg']))).toEqual([[`pics/${nfc}`, 3, 2], ['pics/b.jpg', 4, 3]]);
  });

  it('two files whose names differ only in case: a row with neither exact case is ambiguous, and says so', () => {
    const r = imp('image,mos\nPHOTO.JPG,3\nb.jpg,4\nPhoto.jpg,5\n', ['x/photo.jpg', 'x/Photo.jpg', 'x/b.jpg']);
    // The exact-case row finds its file; the other cannot choose.
    expect(used(r)).toEqual([['x/b.jpg', 4, 3], ['x/Photo.jpg', 5, 4]]);
    expect(r.problems.find((p) => p.line === 2)!.message).toBe(
      'mos.csv line 2 names image "PHOTO.JPG", which matches 2 files equally well ("x/photo.jpg", "x/Photo.jpg": their names differ only in upper ' +
        'and lower case), so the studio cannot tell which one is meant. Write the name in the score file with the exact case of the file you mean, ' +
        'or rename one of the files.',
    );
    expect(r.problems.find((p) => p.file === 'x/photo.jpg')!.message).toBe(
      '"x/photo.jpg" is one of the files mos.csv line 2 could mean (see that line), so it has no score and is not used.',
    );
  });

  it('names without an extension match the folder\'s images; the same name with two extensions is ambiguous', () => {
    const more = Array.from({ length: 10 }, (_, i) => `J${i}`);
    const r = imp(`name,mos\nI01,3\nI02,4\nsub/I03,5\nI04,2\nI05,1\n${more.map((m) => `${m}.png,1\n`).join('')}`, [
      'd/I01.bmp',
      'd/i02.png',
      'd/sub/I03.jpg',
      'd/I04.jpg',
      'd/I04.png',
      'd/I05.txt',
      ...more.map((m) => `d/${m}.png`),
    ]);
    expect(used(r).slice(0, 4)).toEqual([['d/I01.bmp', 3, 2], ['d/i02.png', 4, 3], ['d/sub/I03.jpg', 5, 4], ['d/J0.png', 1, 7]]);
    expect(r.items).toHaveLength(13);
    expect(r.layout.reasons).toContain(
      'Image column: "name" (column 1) — 14 of 15 values are image file names (4 without their extension, matched to the folder\'s images).',
    );
    expect(r.problems.find((p) => p.line === 5)!.message).toMatch(/"I04", which matches 2 files .*: the same name with different extensions\).*Write the name with its extension/);
    expect(r.problems.find((p) => p.line === 6)!.message).toMatch(/"I05", which is not in the chosen folder/);
    // Without the folder there is nothing to match them to: the message says to pick it.
    expect(thrown(() => parseScoreFile('mos.csv', 'name,mos\nI01,3\nI02,4\n')).message).toMatch(/If the names have no extension, pick the image folder too/);
  });

  it('numbered images without extension: the name column wins over a score column of small integers', () => {
    const files = Array.from({ length: 20 }, (_, i) => `${i + 1}.png`);
    const r = imp(['id,score', ...files.map((_, i) => `${i + 1},${(i % 5) + 1}`)].join('\n'), files);
    expect([r.layout.imageColumn, r.layout.scoreColumn]).toEqual([0, 1]);
    expect(r.items).toHaveLength(20);
  });

  it('100,000 rows import, every row kept, in time linear in the rows (an O(n²) name match would need minutes)', () => {
    const n = 100_000;
    const files = Array.from({ length: n }, (_, i) => `koniq/1024x768/${1_000_000 + i}.jpg`);
    const text = ['image_name,MOS,SD', ...files.map((f, i) => `${f.slice(15)},${(1 + (i % 400) / 100).toFixed(2)},0.5`)].join('\r\n');
    // CPU time, not wall time: the machine may be busy with other work.
    const t0 = process.cpuUsage();
    const r = imp(text, files, 'koniq.csv');
    const cpu = process.cpuUsage(t0);
    const seconds = (cpu.user + cpu.system) / 1e6;
    expect(r.items).toHaveLength(n);
    expect(r.problems).toEqual([]);
    expect(r.items[n - 1]).toMatchObject({ file: files[n - 1], line: n + 1 });
    // A guard against quadratic work, far from the figure so a slow machine never fails it:
    // 1.3 s of CPU here (the 2-core development machine); 10¹⁰ comparisons would take minutes.
    expect(seconds).toBeLessThan(30);
  });

  it('an empty file, one of blanks, one of comments only, and binary garbage: stop with the reason', () => {
    expect(thrown(() => imp('')).message).toBe('mos.csv is empty. Pick the score file that lists each image with its score.');
    expect(thrown(() => imp(' \n\r\n\t\n')).message).toMatch(/^mos\.csv is empty/);
    expect(thrown(() => imp('# nothing yet\n')).message).toMatch(/holds only comment lines/);
    const garbage = String.fromCharCode(...Array.from({ length: 4000 }, (_, i) => (i * 7919 + 13) % 256));
    expect(thrown(() => imp(garbage)).message).toMatch(/^mos\.csv is not a text file: it holds binary data/);
    // A PNG read as text: the UTF-8 decoder's replacement characters and control bytes.
    const png = new TextDecoder().decode(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]));
    expect(thrown(() => imp(png)).message).toMatch(/not a text file/);
    const utf16 = '\uFFFD\uFFFD' + [...'image,mos\na.jpg,3\n'].map((c) => `${c}\u0000`).join('');
    expect(thrown(() => imp(utf16)).message).toBe('mos.csv is UTF-16 text, which the studio does not read. Save it as CSV (UTF-8) and pick it again.');
  });
});

describe('folders', () => {
  it('an empty folder, and a folder without a single image, say so', () => {
    expect(thrown(() => imp('image,mos\na.jpg,3\n', [])).message).toBe(
      'The chosen folder is empty: there are no images to match the score file to. Pick the folder that holds the images.',
    );
    expect(thrown(() => imp('image,mos\na.jpg,3\n', ['notes.txt', 'mos.csv'])).message).toMatch(
      /^The chosen folder holds 2 files and none is an image \(\.jpg, .*\), e\.g\. "notes\.txt", "mos\.csv"\. Pick the folder that holds the images\.$/,
    );
  });

  it('20,000 files of which 100 are images: the others are one line of the report, not 19,900', () => {
    const images = Array.from({ length: 100 }, (_, i) => `set/img${i}.png`);
    const others = Array.from({ length: 19_900 }, (_, i) => `set/meta/${i}.${['json', 'txt', 'xml'][i % 3]}`);
    const files = [...others.slice(0, 9000), ...images, ...others.slice(9000)];
    const text = ['image,mos', ...images.slice(0, 99).map((f, i) => `${f.slice(4)},${i % 5}`)].join('\n');
    const r = imp(text, files);
    expect(r.items).toHaveLength(99);
    expect(r.problems.map((p) => p.kind)).toEqual(['unlabelled-image', 'not-image']);
    expect(r.problems[1]!.message).toBe(
      '19900 of the 20000 files in the folder are not images (by extension) and are ignored: 6634 .json, 6633 .txt, 6633 .xml; ' +
        'e.g. "set/meta/0.json", "set/meta/1.txt", "set/meta/2.xml" and 19897 more. Only .jpg, .jpeg, .png, .bmp, .webp, .gif, .tif, .tiff, .heic, .heif, .avif files are read.',
    );
    expect(r.summary.byKind['not-image']).toBe(1);
  });
});
