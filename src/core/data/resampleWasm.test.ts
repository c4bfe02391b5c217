import { describe, expect, it } from 'vitest';
import { makeRng } from '../rng';
import { compositeOnBlack, resizeRgb } from './resample';
import { fitRgbaWasm } from './resampleWasm';

/** The JavaScript reference: composite, then resize. */
const reference = (rgba: Uint8Array, w: number, h: number, ow: number, oh: number) => resizeRgb(compositeOnBlack(rgba, w, h), w, h, ow, oh);

function photoLike(w: number, h: number, seed: number, alpha: boolean): Uint8Array {
  const rng = makeRng(seed);
  const out = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      // Smooth content, sharp edges and noise: ringing past 0..255 and every rounding case show up.
      const edge = (x > w / 3) !== (y > h / 2) ? 200 : 20;
      out[i] = Math.min(255, Math.max(0, edge + Math.round((rng.next() - 0.5) * 60)));
      out[i + 1] = (x * 7 + y * 3) & 255;
      out[i + 2] = rng.next() < 0.02 ? 255 : Math.round(128 + 100 * Math.sin(x / 5 + y / 9));
      out[i + 3] = alpha ? (rng.next() < 0.7 ? 255 : Math.floor(rng.next() * 256)) : 255;
    }
  return out;
}

describe('the WebAssembly resize', () => {
  it('gives the JavaScript’s bytes when shrinking, growing, squashing and at odd sizes, with and without alpha', () => {
    const cases: [number, number, number, number][] = [
      [1024, 768, 512, 384],
      [1024, 768, 384, 512],
      [1024, 768, 224, 224],
      [333, 201, 97, 61],
      [50, 30, 128, 96],
      [37, 1, 17, 3],
      [5, 7, 64, 64],
      [640, 480, 639, 481],
    ];
    for (const [k, [w, h, ow, oh]] of cases.entries())
      for (const alpha of [false, true]) {
        const rgba = photoLike(w, h, k + 1, alpha);
        const fast = fitRgbaWasm(rgba, w, h, ow, oh);
        expect(fast, 'this Node runs wasm SIMD').not.toBeNull();
        const ref = reference(rgba, w, h, ow, oh);
        let differ = 0;
        for (let i = 0; i < ref.length; i++) if (ref[i] !== fast![i]) differ++;
        expect(differ, `${w}×${h} → ${ow}×${oh}${alpha ? ' with alpha' : ''}`).toBe(0);
      }
  });

  it('composites every colour and alpha as the JavaScript does (all 65,536 pairs, through a 1:1 resize)', () => {
    // Column c, row a: channel value c at alpha a; a 1:1 resize keeps each composited value.
    const rgba = new Uint8Array(256 * 256 * 4);
    for (let a = 0; a < 256; a++)
      for (let c = 0; c < 256; c++) {
        const i = (a * 256 + c) * 4;
        rgba.set([c, 255 - c, c ^ 85, a], i);
      }
    // One column more out than in: still a resize (the 1:1 case has its own path), nearly the identity.
    const fast = fitRgbaWasm(rgba, 256, 256, 257, 256)!;
    expect(fast).toEqual(reference(rgba, 256, 256, 257, 256));
  });
});
