import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { bmp, bombPng, card, imageCorpus, photo } from '../../../test/fixtures/bad/corpus';
import { checkImageBytes, ImageFileError, MAX_IMAGE_PIXELS, sniffImage } from './imageHeader';

const u8 = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const raw = (width: number, height: number, channels: 3 | 4 = 3) => ({ raw: { width, height, channels } });

/** sharp's own reading of the header: the independent reference for format and size. */
async function sharpHeader(bytes: Uint8Array) {
  const m = await sharp(bytes).metadata();
  return { format: m.format, width: m.width, height: m.height };
}

describe('sniffImage: format and size from the bytes', () => {
  it('agrees with sharp on every kind of file sharp reads, whatever the name says', async () => {
    const px = photo(123, 45);
    const files: Uint8Array[] = [
      u8(await sharp(px, raw(123, 45)).png().toBuffer()),
      u8(await sharp(px, raw(123, 45)).jpeg().toBuffer()),
      u8(await sharp(px, raw(123, 45)).jpeg({ progressive: true }).toBuffer()),
      // A large EXIF block before the frame header: the size is found past it.
      u8(await sharp(px, raw(123, 45)).jpeg().withExif({ IFD0: { ImageDescription: 'x'.repeat(30000) } }).toBuffer()),
      u8(await sharp(px, raw(123, 45)).webp({ quality: 80 }).toBuffer()), // VP8
      u8(await sharp(px, raw(123, 45)).webp({ lossless: true }).toBuffer()), // VP8L
      u8(await sharp(px, raw(123, 45)).ensureAlpha(0.5).webp({ quality: 80 }).toBuffer()), // VP8X
      u8(await sharp(px, raw(123, 45)).gif().toBuffer()),
    ];
    for (const f of files) expect(sniffImage(f)).toEqual(await sharpHeader(f));
  });

  it('reads BMP headers, bottom-up and top-down', () => {
    const b = bmp(card(), 48, 32);
    expect(sniffImage(b)).toEqual({ format: 'bmp', width: 48, height: 32 });
    const topDown = b.slice();
    new DataView(topDown.buffer).setInt32(22, -32, true);
    expect(sniffImage(topDown)).toEqual({ format: 'bmp', width: 48, height: 32 });
    expect(() => sniffImage(b.slice(0, 1000))).toThrow(/BMP file is cut short/);
  });

  it('names every file of the corpus it refuses, and the reason', async () => {
    for (const c of await imageCorpus()) {
      if (c.expect === 'decodes') {
        expect(() => checkImageBytes(c.bytes), c.name).not.toThrow();
        continue;
      }
      const err = (() => {
        try {
          checkImageBytes(c.bytes);
        } catch (e) {
          return e;
        }
      })();
      expect(err, c.name).toBeInstanceOf(ImageFileError);
      expect((err as ImageFileError).message, c.name).toMatch(c.expect);
      expect((err as ImageFileError).fix, c.name).toMatch(/remove its row\.$/);
    }
  });

  it('refuses a decompression bomb from its header, a few KB claiming 30000×30000', () => {
    const bomb = bombPng();
    expect(bomb.length).toBeLessThan(8 * 1024);
    expect(sniffImage(bomb)).toEqual({ format: 'png', width: 30000, height: 30000 });
    expect(() => checkImageBytes(bomb)).toThrow('the PNG header says it is 30000×30000 pixels (900 megapixels), more than the studio decodes (67 megapixels, e.g. 8192×8192');
    // At the limit is fine; one row more is not; a long thin strip past the canvas's side limit is not either.
    expect(() => checkImageBytes(bombPng(8192, 8192))).not.toThrow();
    expect(() => checkImageBytes(bombPng(8192, 8193))).toThrow(/8192×8193 pixels/);
    expect(() => checkImageBytes(bombPng(40000, 10))).toThrow(/at most 32767 pixels a side/);
    expect(MAX_IMAGE_PIXELS).toBe(8192 * 8192);
  });

  it('refuses PNG and JPEG files cut short, even when the header is whole', async () => {
    const png = u8(await sharp(photo(64, 64), raw(64, 64)).png().toBuffer());
    const jpg = u8(await sharp(photo(64, 64), raw(64, 64)).jpeg().toBuffer());
    expect(() => checkImageBytes(png.slice(0, png.length - 12))).toThrow(/PNG file is cut short/); // no IEND
    expect(() => checkImageBytes(jpg.slice(0, jpg.length - 2))).toThrow(/JPEG file is cut short/); // no end marker
    // Bytes after the end marker (some cameras write them) are harmless.
    expect(checkImageBytes(Uint8Array.from([...jpg, 0, 1, 2, 3])).format).toBe('jpeg');
  });
});
