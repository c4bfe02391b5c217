import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jet, overlayHeatmap, upsampleBilinear } from './heatmapImage';

// matplotlib's jet lookup table and PyTorch's bilinear interpolate (test/fixtures/heatmap/make_fixture.py).
const fixture = JSON.parse(readFileSync(join(__dirname, '../../../test/fixtures/heatmap/fixture.json'), 'utf8')) as {
  jet: [number, number, number][];
  bilinear: { h: number; w: number; map: number[]; outH: number; outW: number; out: number[] }[];
};

describe('the heatmap picture', () => {
  it("jet matches matplotlib's at all 256 entries of its table", () => {
    expect(fixture.jet).toHaveLength(256);
    fixture.jet.forEach((want, i) => jet(i / 255).forEach((c, ch) => expect(Math.abs(c - want[ch]!)).toBeLessThan(1e-7)));
    // Outside [0, 1] and NaN: the ends.
    expect(jet(-1)).toEqual(jet(0));
    expect(jet(2)).toEqual(jet(1));
    expect(jet(Number.NaN)).toEqual(jet(0));
  });

  it('bilinear upsampling matches PyTorch (align_corners=False)', () => {
    for (const c of fixture.bilinear) {
      const got = upsampleBilinear(c.map, c.h, c.w, c.outH, c.outW);
      expect(got).toHaveLength(c.out.length);
      got.forEach((v, i) => expect(Math.abs(v - c.out[i]!)).toBeLessThan(1e-7));
    }
  });

  it('lays the colour map over the image at alpha 0.4, the map scaled to its maximum', () => {
    // A 2×1 image (grey, white) under a 1×2 map [0, 10]: the left pixel gets jet(0), the right jet(1).
    const rgba = new Uint8ClampedArray([100, 100, 100, 255, 255, 255, 255, 255]);
    overlayHeatmap(rgba, 2, 1, [0, 10], 1, 2);
    const blend = (img: number, c: number) => Math.round(0.6 * img + 0.4 * 255 * c);
    const [r0, g0, b0] = jet(0);
    const [r1, g1, b1] = jet(1);
    expect(Array.from(rgba)).toEqual([blend(100, r0), blend(100, g0), blend(100, b0), 255, blend(255, r1), blend(255, g1), blend(255, b1), 255]);
    // An all-zero map is the colour map's bottom everywhere.
    const flat = new Uint8ClampedArray(4).fill(0);
    overlayHeatmap(flat, 1, 1, [0], 1, 1);
    expect(Array.from(flat)).toEqual([0, 0, blend(0, 0.5), 255]);
  });
});
