import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempPageFile } from '../../node/filePages';
import { makeRng } from '../rng';
import { ImageStore } from './imageStore';
import type { View } from './inputMode';
import { loadImages } from './loadImages';
import { PagedImageStore } from './pagedImageStore';
import type { DecodedImage, LabelledItem } from './types';

const W = 12;
const H = 8;

function randomImage(seed: number): DecodedImage {
  const rng = makeRng(seed);
  return { width: W, height: H, data: Uint8Array.from({ length: W * H * 3 }, () => Math.floor(rng.next() * 256)) };
}

function both(n: number, cacheImages: number) {
  const mem = new ImageStore(n, W, H);
  const paged = new PagedImageStore(n, W, H, tempPageFile(), cacheImages * W * H * 3);
  // Written out of order, as decodes finish.
  for (const i of [...Array(n).keys()].reverse()) {
    const img = randomImage(i + 1);
    mem.set(i, img);
    paged.set(i, img);
  }
  return { mem, paged };
}

const views: View[] = [
  { x: 0, y: 0, w: W, h: H },
  { x: 3, y: 2, w: 5, h: 4 },
  { x: W - 4, y: H - 3, w: 4, h: 3 },
];

describe('paged image store', () => {
  it('writeView gives the in-memory store’s floats for every view, flip and scaling, after compaction too', () => {
    const { mem, paged } = both(20, 3);
    const check = () => {
      for (let i = 0; i < mem.count; i++)
        for (const v of views)
          for (const flip of [false, true])
            for (const scaling of ['imagenet', 'unit'] as const) {
              const a = new Float32Array(v.w * v.h * 3 + 5).fill(-7);
              const b = new Float32Array(v.w * v.h * 3 + 5).fill(-7);
              mem.writeView(i, v, flip, a, 5, scaling);
              paged.writeView(i, v, flip, b, 5, scaling);
              expect(b).toEqual(a);
            }
    };
    check();
    // Images 2, 7 and 11 did not decode: both stores close the gaps.
    const keep = [...Array(20).keys()].filter((i) => ![2, 7, 11].includes(i));
    mem.compact(keep);
    paged.compact(keep);
    expect(paged.count).toBe(17);
    check();
    expect(paged.image(16).data).toEqual(mem.image(16).data);
    paged.dispose();
  });

  it('holds no more images than its bound, reads each miss once, and reuses its buffers', () => {
    const { paged } = both(30, 4);
    const out = new Float32Array(W * H * 3);
    const whole = views[0]!;
    const rng = makeRng(9);
    for (let k = 0; k < 500; k++) paged.writeView(Math.floor(rng.next() * 30), whole, false, out, 0);
    expect(paged.stats.peakCached).toBeLessThanOrEqual(4 * W * H * 3);
    expect(paged.stats.reads + paged.stats.hits).toBe(500);
    expect(paged.stats.bytesRead).toBe(paged.stats.reads * W * H * 3);
    // The last image read is held: reading it again costs nothing.
    paged.writeView(5, whole, false, out, 0);
    const reads = paged.stats.reads;
    paged.writeView(5, whole, true, out, 0);
    expect(paged.stats.reads).toBe(reads);
    paged.dispose();
  });

  it('prefetch reads ahead what the cache can hold beside the batch in use, so those steps only hit', () => {
    const { paged } = both(30, 5);
    const out = new Float32Array(W * H * 3);
    paged.prefetch([10, 11, 12, 13, 14, 15, 16]);
    // Room for 4 ahead (one slot stays for the batch in use).
    expect(paged.stats.reads).toBe(4);
    const reads = paged.stats.reads;
    for (const i of [10, 11, 12, 13]) paged.writeView(i, views[0]!, false, out, 0);
    expect(paged.stats.reads).toBe(reads);
    paged.dispose();
  });

  it('dispose deletes its file; a closed store refuses reads', () => {
    const file = tempPageFile();
    const store = new PagedImageStore(2, W, H, file, 1);
    store.set(0, randomImage(1));
    expect(existsSync(file.path)).toBe(true);
    store.dispose();
    expect(existsSync(file.path)).toBe(false);
    expect(() => store.image(0)).toThrow(/closed/);
  });

  it('refuses images of the wrong size and indices outside it, as the in-memory store does', () => {
    const store = new PagedImageStore(2, W, H, tempPageFile(), 1e6);
    expect(() => store.set(0, { width: H, height: W, data: new Uint8Array(W * H * 3) })).toThrow(/8×12.*12×8/);
    expect(() => store.set(2, randomImage(1))).toThrow(/outside/);
    store.set(0, randomImage(1));
    expect(() => store.image(1)).toThrow(/outside/);
    store.dispose();
  });

  it('loadImages into it: the same images, order and problems as into memory', async () => {
    const items: LabelledItem[] = Array.from({ length: 12 }, (_, i) => ({ file: `img${i}.png`, mos: i, line: i + 2 }));
    // Out-of-order completion, and two files that do not decode.
    const decode = async (file: string) => {
      const i = Number(/\d+/.exec(file)![0]);
      await new Promise((r) => setTimeout(r, (i * 7) % 5));
      if (i === 3 || i === 8) throw new Error('damaged');
      return randomImage(i + 1);
    };
    const mem = await loadImages(items, W, H, decode);
    const paged = await loadImages(items, W, H, decode, undefined, 4, (n, w, h) => new PagedImageStore(n, w, h, tempPageFile(), 3 * W * H * 3));
    expect(paged.items).toEqual(mem.items);
    expect(paged.problems).toEqual(mem.problems);
    expect(paged.store.count).toBe(10);
    for (let i = 0; i < 10; i++) expect(paged.store.image(i).data).toEqual(mem.store.image(i).data);
    paged.store.dispose?.();
  });
});
