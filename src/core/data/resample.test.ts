import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { photo } from '../../../test/fixtures/bad/corpus';
import { compositeOnBlack, fitDecoded, resizeRgb } from './resample';

interface Ref {
  input: { width: number; height: number; rgb: string };
  cases: { width: number; height: number; rgb: string }[];
}
const ref = JSON.parse(readFileSync(new URL('../../../test/fixtures/bad/resample-pillow.json', import.meta.url), 'utf8')) as Ref;
const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));

describe('resizeRgb (Lanczos-3)', () => {
  const { width: W, height: H } = ref.input;
  const input = bytes(ref.input.rgb);

  it('the reference input is photo() of corpus.ts', () => {
    expect(Buffer.from(input).equals(photo(W, H))).toBe(true);
  });

  it.each(ref.cases.map((c) => [`${W}×${H} → ${c.width}×${c.height}`, c] as const))("matches Pillow's LANCZOS within ±1: %s", (_, c) => {
    const got = resizeRgb(input, W, H, c.width, c.height);
    const want = bytes(c.rgb);
    expect(got.length).toBe(want.length);
    let worst = 0;
    let bias = 0;
    for (let i = 0; i < got.length; i++) {
      const d = got[i]! - want[i]!;
      worst = Math.max(worst, Math.abs(d));
      bias += d / got.length;
    }
    // Pillow rounds between its passes and works in fixed point: off-by-ones both ways, no more.
    expect(worst).toBeLessThanOrEqual(1);
    expect(Math.abs(bias)).toBeLessThan(0.05);
  });

  it('keeps the bytes at the same size and keeps a flat image flat at any size', () => {
    expect(Array.from(resizeRgb(input, W, H, W, H))).toEqual(Array.from(input));
    const flat = new Uint8Array(9 * 7 * 3).fill(77);
    for (const [w, h] of [[3, 2], [20, 30], [9, 1]] as const) expect(new Set(resizeRgb(flat, 9, 7, w, h))).toEqual(new Set([77]));
  });

  it('averages when shrinking: a 1-pixel checkerboard halves to mid grey, not to every other pixel', () => {
    const n = 64;
    const board = new Uint8Array(n * n * 3);
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) board.fill((x + y) % 2 ? 255 : 0, (y * n + x) * 3, (y * n + x) * 3 + 3);
    const out = resizeRgb(board, n, n, 8, 8);
    for (const v of out) expect(Math.abs(v - 127.5)).toBeLessThan(3);
  });
});

describe('compositeOnBlack', () => {
  it('multiplies by alpha and drops it; opaque pixels pass unchanged', () => {
    const rgba = Uint8Array.of(200, 100, 50, 255, 200, 100, 50, 0, 255, 255, 255, 128, 10, 20, 30, 51);
    expect(Array.from(compositeOnBlack(rgba, 2, 2))).toEqual([200, 100, 50, 0, 0, 0, 128, 128, 128, 2, 4, 6]);
  });

  it('fitDecoded: composite, then resize', () => {
    const rgba = new Uint8Array(4 * 4 * 4);
    for (let i = 0; i < 16; i++) rgba.set([255, 0, 0, 51], i * 4);
    expect(fitDecoded(rgba, 4, 4, 2, 2)).toEqual({ width: 2, height: 2, data: Uint8Array.from({ length: 12 }, (_, i) => (i % 3 ? 0 : 51)) });
  });
});
