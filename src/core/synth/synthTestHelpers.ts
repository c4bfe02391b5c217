/** Node-only helpers for the set maker's tests: PNG/JPEG through sharp (an independent codec). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { JpegRoundTrip } from './distortions';
import type { RgbImage } from './image';

export const FIXTURE_DIR = join(import.meta.dirname, '../../../test/fixtures/msssim');

export async function decodePng(bytes: Uint8Array): Promise<RgbImage> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected RGB, got ${info.channels} channels`);
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

export const loadFixturePng = (rel: string) => decodePng(readFileSync(join(FIXTURE_DIR, rel)));

/** libjpeg-style JPEG at 4:2:0, as Pillow and browsers' canvases encode. */
export const sharpJpeg: JpegRoundTrip = async (img, quality) => {
  const jpeg = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .jpeg({ quality, chromaSubsampling: '4:2:0', mozjpeg: false })
    .toBuffer();
  return decodePng(jpeg);
};

export function maxAbsDiff(a: RgbImage, b: RgbImage): { max: number; differing: number } {
  let max = 0;
  let differing = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i]! - b.data[i]!);
    if (d > 0) differing++;
    if (d > max) max = d;
  }
  return { max, differing };
}

export function meanAbsDiff(a: RgbImage, b: RgbImage): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += Math.abs(a.data[i]! - b.data[i]!);
  return s / a.data.length;
}
