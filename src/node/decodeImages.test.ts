import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { card, imageCorpus, type CorpusImage } from '../../test/fixtures/bad/corpus';
import { importDataset } from '../core/data/importDataset';
import { loadImages } from '../core/data/loadImages';
import type { DecodedImage } from '../core/data/types';
import { decodeBytes, decodeFile } from './decodeImages';

let corpus: CorpusImage[];
const byName = (n: string) => corpus.find((c) => c.name === n)!;
const decode = async (n: string): Promise<DecodedImage> => {
  const c = byName(n);
  return decodeBytes(c.bytes, c.size![0], c.size![1]);
};
const CARD = card();
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

beforeAll(async () => {
  corpus = await imageCorpus();
});

describe('decodeBytes: the bad-image corpus in Node', () => {
  it('decodes by content: a PNG named .jpg, and lossless WebP, GIF and BMP give the card exactly', async () => {
    for (const n of ['png-named.jpg', 'image.webp', 'image.gif', 'image.bmp']) expect(Buffer.from((await decode(n)).data).equals(CARD), n).toBe(true);
  });

  it('a 16-bit PNG and a greyscale PNG decode to 8-bit RGB', async () => {
    expect(maxDiff((await decode('deep.png')).data, CARD)).toBe(0);
    const grey = (await decode('grey.png')).data;
    for (let i = 0; i < grey.length; i += 3) expect(grey[i] === grey[i + 1] && grey[i] === grey[i + 2]).toBe(true);
    // Luma rises down the rows as the card's green does.
    expect(grey[(31 * 48 + 30) * 3]!).toBeGreaterThan(grey[30 * 3]!);
  });

  it('a CMYK JPEG decodes to sRGB: the red half stays red, the blue half blue', async () => {
    const d = (await decode('cmyk.jpg')).data;
    const at = (x: number, y: number) => Array.from(d.subarray((y * 48 + x) * 3, (y * 48 + x) * 3 + 3));
    const [r1, g1, b1] = at(5, 0);
    const [r2, g2, b2] = at(40, 0);
    // Through a CMYK profile, pure blue comes back darker (about 28, 60, 139).
    expect(r1!).toBeGreaterThan(180);
    expect(Math.max(g1!, b1!)).toBeLessThan(60);
    expect(b2!).toBeGreaterThan(Math.max(r2!, g2!) + 60);
  });

  it('alpha is composited onto black: each channel times alpha / 255', async () => {
    const d = (await decode('alpha.png')).data;
    const want = new Uint8Array(48 * 32 * 3);
    for (let i = 0; i < 48 * 32; i++) for (let c = 0; c < 3; c++) want[i * 3 + c] = Math.round((CARD[i * 3 + c]! * ((i * 5) % 256)) / 255);
    expect(maxDiff(d, want)).toBe(0);
  });

  it('applies the EXIF orientation: orientation 6 is the card turned 90° clockwise', async () => {
    const d = await decode('rotated.jpg');
    expect([d.width, d.height]).toEqual([32, 48]);
    // Turned clockwise, output (x, y) shows card pixel (y, 31 − x).
    let err = 0;
    for (let y = 0; y < 48; y++)
      for (let x = 0; x < 32; x++)
        for (let c = 0; c < 3; c++) err += Math.abs(d.data[(y * 32 + x) * 3 + c]! - CARD[((31 - x) * 48 + y) * 3 + c]!);
    expect(err / (32 * 48 * 3)).toBeLessThan(4); // JPEG at quality 95
  });

  it('decodeFile reads the file from disk the same way', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'decode-'));
    try {
      await writeFile(join(dir, 'x.jpg'), byName('png-named.jpg').bytes);
      expect(Buffer.from((await decodeFile(join(dir, 'x.jpg'), 48, 32)).data).equals(CARD)).toBe(true);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});

describe('the corpus as a dataset: every bad file named with its row and the fix, no good one lost', () => {
  let loaded: Awaited<ReturnType<typeof loadImages>>;
  beforeAll(async () => {
    const scoreText = ['image,mos', ...corpus.map((c, i) => `${c.name},${(i % 5) + 1}`)].join('\n');
    const imported = importDataset({ scoreFileName: 'mos.csv', scoreText, files: corpus.map((c) => `pics/${c.name}`) });
    expect(imported.items.length).toBe(corpus.length);
    const bytes = new Map(corpus.map((c) => [`pics/${c.name}`, c.bytes]));
    loaded = await loadImages(imported.items, 24, 16, (f, w, h) => decodeBytes(bytes.get(f)!, w, h));
  });

  it('stores every file that decodes', () => {
    expect(loaded.items.map((i) => i.file)).toEqual(corpus.filter((c) => c.expect === 'decodes').map((c) => `pics/${c.name}`));
    expect(loaded.store.count).toBe(loaded.items.length);
  });

  it('names each refused file, its score-file line, the reason and the fix', () => {
    const refused = corpus.map((c, i) => ({ ...c, line: i + 2 })).filter((c) => c.expect !== 'decodes');
    expect(loaded.problems.map((p) => [p.kind, p.file, p.line])).toEqual(refused.map((c) => ['unreadable-image', `pics/${c.name}`, c.line]));
    for (const [k, p] of loaded.problems.entries()) {
      expect(p.message).toContain(`pics/${refused[k]!.name} (row ${refused[k]!.line}) could not be decoded as an image: `);
      expect(p.message).toMatch(refused[k]!.expect as RegExp);
      expect(p.message).toMatch(/(Copy|Convert|Downscale|Re-save) .*remove its row\.$/);
    }
  });
});
