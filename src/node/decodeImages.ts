import sharp from 'sharp';
import type { DecodedImage } from '../core/data/types';

/**
 * Decode an image file and resize it to exactly width×height RGB (aspect ignored, as the
 * paper's seed code resizes every image to 512×384). Node's counterpart of the worker's
 * createImageBitmap + OffscreenCanvas path.
 */
export async function decodeFile(path: string, width: number, height: number): Promise<DecodedImage> {
  const { data, info } = await sharp(path)
    .removeAlpha()
    .toColourspace('srgb')
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels, got ${info.channels}`);
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
