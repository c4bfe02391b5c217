import { describe, expect, it } from 'vitest';
import { DEMO_TYPE_IDS, DISTORTIONS, distort, distortionById, whiteNoise } from './distortions';
import { luminance, roundHalfEven, type RgbImage } from './image';
import { msssim } from './msssim';
import { loadFixturePng, maxAbsDiff, meanAbsDiff, sharpJpeg } from './synthTestHelpers';

const ctx = { seed: 7, refKey: '01', jpeg: sharpJpeg };

/** Mean distance of each pixel's channels from its own luma: how colourful an image is. */
function chroma(img: RgbImage): number {
  const y = luminance(img);
  let s = 0;
  for (let i = 0; i < img.data.length; i++) s += Math.abs(img.data[i]! - y[Math.floor(i / 3)]!);
  return s / img.data.length;
}

describe('the demo generator\'s types and levels', () => {
  it('types 01-06 carry the demo\'s ids, names and levels', () => {
    expect(DISTORTIONS.filter((d) => DEMO_TYPE_IDS.includes(d.id)).map((d) => [d.id, d.key, d.levels])).toEqual([
      [1, 'gaussian_blur', [0.7, 1.2, 2.0, 3.2, 5.0]],
      [2, 'white_noise', [8, 16, 28, 45, 70]],
      [3, 'jpeg', [25, 12, 7, 4, 1]],
      [4, 'contrast_reduction', [0.8, 0.6, 0.45, 0.3, 0.18]],
      [5, 'darken', [0.85, 0.68, 0.52, 0.38, 0.25]],
      [6, 'pixelate', [2, 3, 5, 7, 10]],
    ]);
  });

  // The fixture's images are the generator's distort() on a 64 px crop: the deterministic
  // types must give the same pixels (scipy / NumPy / Pillow there, plain loops here).
  it.each([
    [1, 'Gaussian blur (scipy gaussian_filter, reflect)'],
    [4, 'contrast reduction'],
    [5, 'darken'],
    [6, 'pixelation (Pillow BOX down, NEAREST up)'],
  ])('type %i, %s: the generator\'s pixels at every level', async (id) => {
    const ref = await loadFixturePng('small/ref.png');
    for (let level = 1; level <= 5; level++) {
      const want = await loadFixturePng(`small/0${id}_0${level}.png`);
      const got = await distort(ref, id, level, ctx);
      // Same operations in the same order: the same bytes.
      expect(maxAbsDiff(got, want), `level ${level}`).toEqual({ max: 0, differing: 0 });
    }
  });

  it('libjpeg at 4:2:0 (sharp, as the tests\' codec) gives Pillow\'s JPEG pixels', async () => {
    const ref = await loadFixturePng('small/ref.png');
    for (let level = 1; level <= 5; level++)
      expect(maxAbsDiff(await distort(ref, 3, level, ctx), await loadFixturePng(`small/03_0${level}.png`)).max, `level ${level}`).toBe(0);
  });

  it('noise and JPEG score like the generator\'s (another random stream; for JPEG, any libjpeg)', async () => {
    const ref = await loadFixturePng('small/ref.png');
    for (const id of [2, 3])
      for (const level of [1, 3, 5]) {
        const want = msssim(ref, await loadFixturePng(`small/0${id}_0${level}.png`));
        const got = msssim(ref, await distort(ref, id, level, ctx));
        expect(Math.abs(got - want), `type ${id} level ${level}`).toBeLessThan(0.03);
      }
  });
});

describe('distortions grow with the level', () => {
  it.each(DISTORTIONS.map((d) => [d.id, d.label] as const))('type %i (%s): each level further from the reference', async (id) => {
    const ref = await loadFixturePng('small/ref.png');
    const dist: number[] = [];
    for (let level = 1; level <= 5; level++) {
      const img = await distort(ref, id, level, ctx);
      expect(img.width).toBe(ref.width);
      expect(img.height).toBe(ref.height);
      dist.push(distortionById(id).key === 'desaturate' ? chroma(ref) - chroma(img) : meanAbsDiff(ref, img));
    }
    expect(dist[0]!).toBeGreaterThan(0);
    for (let i = 1; i < 5; i++) expect(dist[i]!, `level ${i + 1} vs ${i}`).toBeGreaterThan(dist[i - 1]!);
  });

  it('MS-SSIM falls with the level for the demo types; desaturation stays near 1 (luma only)', async () => {
    const ref = await loadFixturePng('small/ref.png');
    for (const id of DEMO_TYPE_IDS) {
      const m: number[] = [];
      for (let level = 1; level <= 5; level++) m.push(msssim(ref, await distort(ref, id, level, ctx)));
      for (let i = 1; i < 5; i++) expect(m[i]!, `type ${id} level ${i + 1}`).toBeLessThan(m[i - 1]!);
    }
    const grey = await distort(ref, 7, 5, ctx);
    expect(chroma(grey)).toBeLessThan(0.5);
    expect(msssim(ref, grey)).toBeGreaterThan(0.999);
  });
});

describe('noise', () => {
  it('is reproducible from its seed, differs between seeds, and has the asked sigma', async () => {
    const flat: RgbImage = { width: 64, height: 64, data: new Uint8Array(64 * 64 * 3).fill(128) };
    const a = whiteNoise(flat, 16, 1);
    expect(whiteNoise(flat, 16, 1).data).toEqual(a.data);
    expect(maxAbsDiff(whiteNoise(flat, 16, 2), a).differing).toBeGreaterThan(0);
    let s = 0;
    let s2 = 0;
    for (const v of a.data) {
      s += v - 128;
      s2 += (v - 128) ** 2;
    }
    const n = a.data.length;
    expect(Math.abs(s / n)).toBeLessThan(1);
    expect(Math.sqrt(s2 / n - (s / n) ** 2)).toBeGreaterThan(15);
    expect(Math.sqrt(s2 / n - (s / n) ** 2)).toBeLessThan(17);
  });

  it('each reference, type and level draws its own stream', async () => {
    const ref = await loadFixturePng('small/ref.png');
    const a = await distort(ref, 2, 1, ctx);
    const b = await distort(ref, 2, 1, { ...ctx, refKey: '02' });
    expect(maxAbsDiff(a, b).differing).toBeGreaterThan(0);
  });
});

it('roundHalfEven rounds ties to even, like np.round', () => {
  expect([0.5, 1.5, 2.5, -0.5, 2.4999, 2.5001].map(roundHalfEven)).toEqual([0, 2, 2, -0, 2, 3]);
});
