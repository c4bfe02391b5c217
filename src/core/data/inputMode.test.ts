import { describe, expect, it } from 'vitest';
import { makeRng } from '../rng';
import { ImageStore, IMAGENET_MEAN, IMAGENET_STD, NORMALISED } from './imageStore';
import { netInputSize, parseInputMode, randomTrainView, testViews, validateInputMode } from './inputMode';

describe('input modes', () => {
  it('resize feeds the whole image; crop averages 4 corners + centre; patches tile a centred grid', () => {
    expect(testViews({ kind: 'resize', width: 64, height: 48 })).toEqual([{ x: 0, y: 0, w: 64, h: 48 }]);
    const crops = testViews({ kind: 'crop', size: 32, width: 40, height: 40 });
    expect(crops).toEqual([
      { x: 0, y: 0, w: 32, h: 32 },
      { x: 8, y: 0, w: 32, h: 32 },
      { x: 0, y: 8, w: 32, h: 32 },
      { x: 8, y: 8, w: 32, h: 32 },
      { x: 4, y: 4, w: 32, h: 32 },
    ]);
    const grid = testViews({ kind: 'resize', width: 100, height: 64 }, 32);
    expect(grid).toHaveLength(3 * 2);
    expect(grid[0]).toEqual({ x: 2, y: 0, w: 32, h: 32 });
    expect(netInputSize({ kind: 'resize', width: 100, height: 64 }, 32)).toEqual([32, 32]);
    expect(netInputSize({ kind: 'resize', width: 100, height: 64 })).toEqual([64, 100]);
  });

  it('random training views stay inside the image and vary', () => {
    const rng = makeRng(1);
    const mode = { kind: 'crop', size: 24, width: 40, height: 30 } as const;
    const views = Array.from({ length: 200 }, () => randomTrainView(mode, rng.next));
    for (const v of views) {
      expect(v.x + v.w).toBeLessThanOrEqual(40);
      expect(v.y + v.h).toBeLessThanOrEqual(30);
    }
    expect(new Set(views.map((v) => `${v.x},${v.y}`)).size).toBeGreaterThan(50);
  });

  it('parses the CLI forms and rejects crops that do not fit', () => {
    expect(parseInputMode('resize:128x96')).toEqual({ kind: 'resize', width: 128, height: 96 });
    expect(parseInputMode('crop:96')).toEqual({ kind: 'crop', size: 96, width: 120, height: 120 });
    expect(parseInputMode('crop:64@80x72')).toEqual({ kind: 'crop', size: 64, width: 80, height: 72 });
    expect(() => parseInputMode('big')).toThrow(/resize:WxH/);
    expect(validateInputMode({ kind: 'resize', width: 24, height: 24 }, 32)).toMatch(/does not fit/);
    expect(validateInputMode({ kind: 'resize', width: 64, height: 64 }, 32)).toBeNull();
  });
});

describe('ImageStore', () => {
  it('writes a view ImageNet-normalised, mirrored when asked, and compacts', () => {
    const store = new ImageStore(3, 3, 2);
    const img = (v: number) => ({ width: 3, height: 2, data: Uint8Array.from({ length: 18 }, (_, i) => (v + i) % 256) });
    [0, 100, 200].forEach((v) => store.add(img(v)));
    const out = new Float32Array(2 * 2 * 3);
    store.writeView(1, { x: 1, y: 0, w: 2, h: 2 }, false, out, 0);
    const norm = (u: number, c: number) => (u / 255 - IMAGENET_MEAN[c]!) / IMAGENET_STD[c]!;
    expect(out[0]).toBeCloseTo(norm(100 + 3, 0), 5); // pixel (x=1,y=0), red
    const mirrored = new Float32Array(12);
    store.writeView(1, { x: 1, y: 0, w: 2, h: 2 }, true, mirrored, 0);
    expect(mirrored[0]).toBeCloseTo(norm(100 + 6, 0), 5); // first column now shows x=2
    expect(mirrored[3]).toBeCloseTo(norm(100 + 3, 0), 5);
    store.compact([0, 2]);
    expect(store.count).toBe(2);
    expect(Array.from(store.image(1).data)).toEqual(Array.from(img(200).data));
  });

  it('normalises every byte value exactly as the formula (u/255 − mean)/std, flipped or not', () => {
    // One 256×1 image in which each channel takes every byte value once, in a different order.
    const W = 256;
    const px = (x: number): [number, number, number] => [x, 255 - x, (x * 7 + 3) % 256];
    const data = new Uint8Array(W * 3);
    for (let x = 0; x < W; x++) data.set(px(x), x * 3);
    const store = new ImageStore(1, W, 1);
    store.set(0, { width: W, height: 1, data });
    const formula = (u: number, c: number) => (u / 255 - IMAGENET_MEAN[c]!) / IMAGENET_STD[c]!;
    for (let c = 0; c < 3; c++) for (let u = 0; u < 256; u++) expect(NORMALISED[c * 256 + u]).toBe(Math.fround(formula(u, c)));
    for (const flip of [false, true]) {
      const out = new Float32Array(W * 3);
      store.writeView(0, { x: 0, y: 0, w: W, h: 1 }, flip, out, 0);
      // The float32 a Float32Array holds for the formula's float64 value: bit for bit.
      const expected = new Float32Array(W * 3);
      for (let x = 0; x < W; x++) px(flip ? W - 1 - x : x).forEach((u, c) => (expected[x * 3 + c] = formula(u, c)));
      expect(Array.from(out)).toEqual(Array.from(expected));
    }
  });

  it('set checks the image size as add does', () => {
    const store = new ImageStore(2, 3, 2);
    expect(() => store.set(0, { width: 2, height: 3, data: new Uint8Array(18) })).toThrow(/2×3.*3×2/);
    expect(() => store.set(2, { width: 3, height: 2, data: new Uint8Array(18) })).toThrow(/outside/);
    store.set(1, { width: 3, height: 2, data: new Uint8Array(18).fill(7) });
    expect(store.count).toBe(2);
    expect(() => store.add({ width: 3, height: 2, data: new Uint8Array(18) })).toThrow(/full/);
  });
});
