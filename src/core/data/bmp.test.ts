import { describe, expect, it } from 'vitest';
import { bmp, card } from '../../../test/fixtures/bad/corpus';
import { decodeBmp } from './bmp';
import { checkImageBytes } from './imageHeader';

/** A BMP with a 40-byte (or longer) header, the given pixel bits and compression, palette or masks, and pixel data. */
function make(o: { w: number; h: number; bits: number; compression?: number; extra?: number[]; pixels: number[]; dib?: number }): Uint8Array {
  const dib = o.dib ?? 40;
  const extra = Uint8Array.from(o.extra ?? []);
  const offset = 14 + dib + extra.length;
  const b = new Uint8Array(offset + o.pixels.length);
  const dv = new DataView(b.buffer);
  b.set([0x42, 0x4d]);
  dv.setUint32(2, b.length, true);
  dv.setUint32(10, offset, true);
  dv.setUint32(14, dib, true);
  dv.setInt32(18, o.w, true);
  dv.setInt32(22, o.h, true);
  dv.setUint16(26, 1, true);
  dv.setUint16(28, o.bits, true);
  dv.setUint32(30, o.compression ?? 0, true);
  b.set(extra, 14 + dib);
  b.set(o.pixels, offset);
  return b;
}
const px = (d: { rgba: Uint8Array }) => Array.from(d.rgba);

describe('decodeBmp', () => {
  it('24-bit bottom-up: the test card exactly', () => {
    const d = decodeBmp(bmp(card(), 48, 32));
    const rgb = Array.from(d.rgba).filter((_, i) => i % 4 !== 3);
    expect(Buffer.from(rgb).equals(card())).toBe(true);
  });

  it('8-bit palette, top-down, rows padded to 4 bytes', () => {
    // Palette entries are B, G, R, 0. Two rows of 3 pixels, stored top-down (negative height).
    const palette = [0, 0, 255, 0, 0, 255, 0, 0, 255, 0, 0, 0];
    const d = decodeBmp(make({ w: 3, h: -2, bits: 8, extra: palette, pixels: [0, 1, 2, 0, 2, 1, 0, 0] }));
    expect([d.width, d.height]).toEqual([3, 2]);
    expect(px(d)).toEqual([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 0, 0, 255, 255, 0, 255, 0, 255, 255, 0, 0, 255]);
  });

  it('1-bit, bottom-up', () => {
    const palette = [0, 0, 0, 0, 255, 255, 255, 0];
    // Bottom row first: 0b10100000 then 0b01000000.
    const d = decodeBmp(make({ w: 3, h: 2, bits: 1, extra: palette, pixels: [0b10100000, 0, 0, 0, 0b01000000, 0, 0, 0] }));
    const grey = px(d).filter((_, i) => i % 4 === 0);
    expect(grey).toEqual([0, 255, 0, 255, 0, 255]);
  });

  it('32-bit with BI_BITFIELDS and an alpha mask (V5 header); 16-bit 5-5-5', () => {
    const masks = [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000].flatMap((m) => [m & 255, (m >>> 8) & 255, (m >>> 16) & 255, m >>> 24]);
    // The V5 header holds the masks at offset 54; pad the rest of its 124 bytes.
    const header = make({ w: 1, h: 1, bits: 32, compression: 3, dib: 124, pixels: [10, 20, 30, 128] });
    header.set(masks, 54);
    expect(px(decodeBmp(header))).toEqual([30, 20, 10, 128]);
    // 16-bit BI_RGB is 5-5-5: red 31, green 0, blue 16 → 255, 0, 132.
    const v = (31 << 10) | 16;
    expect(px(decodeBmp(make({ w: 1, h: 1, bits: 16, pixels: [v & 255, v >> 8, 0, 0] })))).toEqual([255, 0, 132, 255]);
  });

  it('RLE8: runs, literal runs, end of line, end of bitmap', () => {
    const palette = [0, 0, 0, 0, 255, 255, 255, 0, 0, 0, 255, 0];
    // Bottom row: 2× index 1, then literal [2, 0, 2] (padded to even); end of line; top row: 3× index 2; end of bitmap.
    const rle = [2, 1, 0, 3, 2, 0, 2, 0, 0, 0, 3, 2, 0, 1];
    const d = decodeBmp(make({ w: 5, h: 2, bits: 8, compression: 1, extra: palette, pixels: rle }));
    const red = (x: number, y: number) => d.rgba[(y * 5 + x) * 4]!;
    const alpha = (x: number, y: number) => d.rgba[(y * 5 + x) * 4 + 3]!;
    expect([0, 1, 2, 3, 4].map((x) => red(x, 1))).toEqual([255, 255, 255, 0, 255]);
    expect([0, 1, 2].map((x) => red(x, 0))).toEqual([255, 255, 255]);
    expect([alpha(3, 0), alpha(4, 0)]).toEqual([0, 0]); // not written by any run
  });

  it('a BMP cut short is refused before decoding', () => {
    const b = bmp(card(), 48, 32);
    expect(() => checkImageBytes(b.slice(0, b.length - 10))).toThrow(/BMP file is cut short/);
  });
});
