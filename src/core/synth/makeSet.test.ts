import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { importDataset } from '../data/importDataset';
import { DISTORTIONS } from './distortions';
import type { RgbImage } from './image';
import { kadidZip, MOS_HEADER } from './kadidZip';
import { makeIqaSet, plannedImages, SynthCancelled, type SynthSource } from './makeSet';
import { msssim, msssimToMos } from './msssim';
import { encodePng } from './png';
import { decodePng, loadFixturePng, sharpJpeg } from './synthTestHelpers';

function crop(img: RgbImage, x0: number, y0: number, w: number, h: number): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) data.set(img.data.subarray(((y0 + y) * img.width + x0) * 3, ((y0 + y) * img.width + x0 + w) * 3), y * w * 3);
  return { width: w, height: h, data };
}

async function sources(): Promise<SynthSource[]> {
  const large = await loadFixturePng('large/ref.png');
  return [
    { name: 'astronaut.png', image: await loadFixturePng('small/ref.png') },
    { name: 'camera crop.jpg', image: crop(large, 60, 40, 64, 64) },
  ];
}

describe('encodePng', () => {
  it('round-trips through an independent decoder (sharp/libpng), odd sizes included', async () => {
    for (const [w, h] of [[1, 1], [5, 3], [64, 64], [37, 20]] as const) {
      const data = new Uint8Array(w * h * 3);
      for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
      const back = await decodePng(encodePng({ width: w, height: h, data }));
      expect([back.width, back.height]).toEqual([w, h]);
      expect(back.data).toEqual(data);
    }
    const photo = await loadFixturePng('small/ref.png');
    expect((await decodePng(encodePng(photo))).data).toEqual(photo.data);
  });
});

describe('makeIqaSet and the KADID-layout zip', () => {
  it('every reference × type × level, scored by the formula; mos.csv loads back through the importer with every image matched', async () => {
    const src = await sources();
    const typeIds = DISTORTIONS.map((d) => d.id);
    const progress: [number, number][] = [];
    const set = await makeIqaSet(src, { typeIds, jpeg: sharpJpeg, onProgress: (d, t) => void progress.push([d, t]) });
    const total = plannedImages(2, typeIds.length);
    expect(total).toBe(70);
    expect(set.items).toHaveLength(total);
    expect(progress).toHaveLength(total);
    expect(progress.at(-1)).toEqual([total, total]);
    expect(set.items[0]!.file).toBe('I01_01_01.png');
    expect(set.items.at(-1)!.file).toBe('I02_07_05.png');

    const zip = unzipSync(kadidZip(set, 'my-set'));
    const names = Object.keys(zip).sort();
    expect(names).toContain('my-set/mos.csv');
    expect(names).toContain('my-set/README.txt');
    expect(names).toContain('my-set/images/I01.png');
    expect(names).toContain('my-set/images/I02_03_05.png');
    expect(names).toHaveLength(total + 2 + 2);

    const csv = strFromU8(zip['my-set/mos.csv']!);
    expect(csv.split('\n')[0]).toBe(MOS_HEADER);
    const readme = strFromU8(zip['my-set/README.txt']!);
    expect(readme).toContain('THE SCORES ARE A FORMULA, NOT HUMAN OPINIONS');
    expect(readme).toContain('I02.png: camera crop.jpg (64x64)');

    // The folder a user would pick after unzipping: paths relative to it.
    const files = names.map((n) => n.slice('my-set/'.length));
    const imported = importDataset({ scoreFileName: 'mos.csv', scoreText: csv, files });
    expect(imported.items).toHaveLength(total);
    expect(imported.summary.usable).toBe(total);
    expect(imported.summary.byKind['missing-image']).toBe(0);
    expect(imported.summary.byKind['bad-score']).toBe(0);
    expect(imported.summary.byKind['unlabelled-image']).toBe(2); // the references
    expect(imported.layout.higherIsBetter).toBe(true);

    // Each stored image, decoded by another decoder, gives back its score.
    for (const it of [set.items[0]!, set.items[17]!, set.items[52]!]) {
      const ref = await decodePng(zip[`my-set/images/${it.ref}`]!);
      const dist = await decodePng(zip[`my-set/images/${it.file}`]!);
      expect(msssimToMos(msssim(ref, dist))).toBeCloseTo(it.mos, 12);
      const row = csv.split('\n').find((l) => l.startsWith(`images/${it.file},`));
      expect(row).toBe(`images/${it.file},images/${it.ref},${it.mos.toFixed(3)},0`);
    }
    const made = new Map(set.items.map((it) => [`images/${it.file}`, it]));
    for (const it of imported.items) {
      const m = made.get(it.file);
      expect(m, it.file).toBeDefined();
      expect(Math.abs(it.mos - m!.mos)).toBeLessThanOrEqual(0.0005);
      expect(it.ref).toBe(`images/${m!.ref}`);
      expect(it.mos).toBeGreaterThanOrEqual(1);
      expect(it.mos).toBeLessThanOrEqual(5);
    }
  });

  it('the same photos give the same zip, byte for byte', async () => {
    const src = await sources();
    const a = kadidZip(await makeIqaSet(src, { typeIds: [2, 6], jpeg: sharpJpeg }), 's');
    const b = kadidZip(await makeIqaSet(src, { typeIds: [6, 2], jpeg: sharpJpeg }), 's');
    expect(b).toEqual(a);
  });

  it('stops when cancelled, and refuses empty choices', async () => {
    const src = await sources();
    let n = 0;
    await expect(makeIqaSet(src, { typeIds: [1], jpeg: sharpJpeg, onProgress: () => void n++, cancelled: () => n >= 3 })).rejects.toBeInstanceOf(SynthCancelled);
    expect(n).toBe(3);
    await expect(makeIqaSet([], { typeIds: [1], jpeg: sharpJpeg })).rejects.toThrow(/No photos/);
    await expect(makeIqaSet(src, { typeIds: [], jpeg: sharpJpeg })).rejects.toThrow(/No distortion types/);
    await expect(makeIqaSet(src, { typeIds: [9], jpeg: sharpJpeg })).rejects.toThrow(/Unknown distortion type 9/);
  });
});
