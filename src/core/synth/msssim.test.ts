import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { darken, gaussianBlur } from './distortions';
import { msssim, msssimPerScale, msssimScales, msssimToMos, msssimWeights } from './msssim';
import { FIXTURE_DIR, loadFixturePng } from './synthTestHelpers';

interface Case {
  ref: string;
  dist: string;
  kind: string;
  scales: number;
  msssim: number;
  mos: number;
  perScale: { l: number; cs: number; ssim: number; ssim_skimage: number }[];
}
const fixture = JSON.parse(readFileSync(join(FIXTURE_DIR, 'fixture.json'), 'utf8')) as {
  cases: Case[];
  mosPoints: { msssim: number; mos: number }[];
};

describe('MS-SSIM against the demo generator (and scikit-image per scale)', () => {
  it.each(fixture.cases.map((c) => [`${c.dist} (${c.kind}, ${c.scales} scales)`, c] as const))('%s', async (_name, c) => {
    const ref = await loadFixturePng(c.ref);
    const dist = await loadFixturePng(c.dist);
    const terms = msssimPerScale(ref, dist, c.scales);
    expect(terms).toHaveLength(c.perScale.length);
    terms.forEach((t, j) => {
      const want = c.perScale[j]!;
      expect(Math.abs(t.l - want.l)).toBeLessThan(1e-10);
      expect(Math.abs(t.cs - want.cs)).toBeLessThan(1e-10);
      expect(Math.abs(t.ssim - want.ssim_skimage)).toBeLessThan(1e-10);
    });
    const m = msssim(ref, dist, c.scales);
    expect(Math.abs(m - c.msssim)).toBeLessThan(1e-10);
    expect(Math.abs(msssimToMos(m) - c.mos)).toBeLessThan(1e-9);
  });

  it('maps MS-SSIM onto 1..5 as the demo does, clipped at both ends', () => {
    for (const p of fixture.mosPoints) expect(Math.abs(msssimToMos(p.msssim) - p.mos)).toBeLessThan(1e-12);
    expect(msssimToMos(-0.5)).toBe(1);
    expect(msssimToMos(1.2)).toBe(5);
  });
});

describe('MS-SSIM basics', () => {
  it('identical images give 1, at 3 and at 5 scales', async () => {
    const small = await loadFixturePng('small/ref.png');
    const large = await loadFixturePng('large/ref.png');
    expect(msssim(small, small)).toBeCloseTo(1, 12);
    expect(msssim(large, large)).toBeCloseTo(1, 12);
  });

  it('falls as a distortion grows', async () => {
    const ref = await loadFixturePng('small/ref.png');
    const blur = [0.7, 1.5, 3].map((s) => msssim(ref, gaussianBlur(ref, s)));
    const dark = [0.9, 0.6, 0.3].map((f) => msssim(ref, darken(ref, f)));
    for (const v of [blur, dark]) expect(v[0]! > v[1]! && v[1]! > v[2]!).toBe(true);
  });

  it('uses five scales from 176 px, the demo\'s three below, and refuses images under 44 px', () => {
    expect(msssimScales(176, 200)).toBe(5);
    expect(msssimScales(175, 400)).toBe(3);
    expect(msssimScales(128, 128)).toBe(3);
    expect(msssimScales(44, 44)).toBe(3);
    expect(() => msssimScales(43, 100)).toThrow(/at least 44/);
    expect(msssimWeights(3).map((w) => w.toFixed(4))).toEqual(['0.0711', '0.4530', '0.4760']);
    expect(msssimWeights(5).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('refuses images of different sizes', async () => {
    const a = await loadFixturePng('small/ref.png');
    const b = await loadFixturePng('large/ref.png');
    expect(() => msssim(a, b)).toThrow(/one size/);
  });
});
