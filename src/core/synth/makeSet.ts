/**
 * Photos → a KADID-style IQA set: every reference × distortion type × 5 levels, each
 * distorted image scored by the demo's MS-SSIM formula (not by people) and encoded as PNG.
 */
import { distort, distortionById, type JpegRoundTrip } from './distortions';
import type { RgbImage } from './image';
import { msssim, msssimScales, msssimToMos } from './msssim';
import { encodePng } from './png';

export const LEVELS = 5;
/** The demo generator's seed: noise streams are reproducible from it. */
export const DEFAULT_SEED = 20240607;

export interface SynthSource {
  /** The photo's own file name, kept in the README's list of references. */
  name: string;
  image: RgbImage;
}

export interface SynthReference {
  /** Irr.png */
  file: string;
  source: string;
  width: number;
  height: number;
  scales: number;
  png: Uint8Array;
}

export interface SynthItem {
  /** Irr_dd_ll.png */
  file: string;
  /** Its reference's Irr.png */
  ref: string;
  typeId: number;
  level: number;
  msssim: number;
  /** msssimToMos(msssim): 1..5, higher is better. */
  mos: number;
  png: Uint8Array;
}

export interface SynthSet {
  references: SynthReference[];
  items: SynthItem[];
  typeIds: number[];
  seed: number;
}

export interface SynthOptions {
  typeIds: readonly number[];
  jpeg: JpegRoundTrip;
  seed?: number;
  /** Called after each distorted image; awaited, so the page can yield to its event loop there. */
  onProgress?: (done: number, total: number) => void | Promise<void>;
  /** Polled between images: true stops the work with a SynthCancelled error. */
  cancelled?: () => boolean;
}

export class SynthCancelled extends Error {
  constructor() {
    super('Making the IQA set was cancelled.');
    this.name = 'SynthCancelled';
  }
}

/** How many distorted images a set of `photos` × `types` makes. */
export function plannedImages(photos: number, types: number): number {
  return photos * types * LEVELS;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** Reference numbers take two digits (as KADID's), more when there are more than 99 photos. */
const refWidth = (n: number) => Math.max(2, String(n).length);

export async function makeIqaSet(sources: readonly SynthSource[], opts: SynthOptions): Promise<SynthSet> {
  if (sources.length === 0) throw new Error('No photos: pick at least one.');
  if (opts.typeIds.length === 0) throw new Error('No distortion types: choose at least one.');
  const typeIds = [...new Set(opts.typeIds)].sort((a, b) => a - b);
  typeIds.forEach(distortionById);
  const seed = opts.seed ?? DEFAULT_SEED;
  const total = plannedImages(sources.length, typeIds.length);
  const rw = refWidth(sources.length);
  const references: SynthReference[] = [];
  const items: SynthItem[] = [];
  for (const [r, src] of sources.entries()) {
    const key = pad(r + 1, rw);
    const ref = `I${key}.png`;
    const { width, height } = src.image;
    const scales = msssimScales(width, height);
    references.push({ file: ref, source: src.name, width, height, scales, png: encodePng(src.image) });
    for (const typeId of typeIds)
      for (let level = 1; level <= LEVELS; level++) {
        if (opts.cancelled?.()) throw new SynthCancelled();
        const img = await distort(src.image, typeId, level, { seed, refKey: key, jpeg: opts.jpeg });
        const m = msssim(src.image, img, scales);
        items.push({ file: `I${key}_${pad(typeId, 2)}_${pad(level, 2)}.png`, ref, typeId, level, msssim: m, mos: msssimToMos(m), png: encodePng(img) });
        await opts.onProgress?.(items.length, total);
      }
  }
  return { references, items, typeIds, seed };
}
