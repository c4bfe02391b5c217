import { readFile } from 'node:fs/promises';
import sharp, { type OutputInfo } from 'sharp';
import { decodeBmp } from '../core/data/bmp';
import { checkImageBytes, MAX_IMAGE_PIXELS } from '../core/data/imageHeader';
import { fitDecoded } from '../core/data/resample';
import type { DecodedImage } from '../core/data/types';

/**
 * Node's counterpart of the worker's decoder (src/worker/decodeImage.ts), giving the same
 * bytes: the header is checked first (format by content, size limits), sharp (core, for BMP)
 * decodes at full size with the EXIF orientation applied, in sRGB, 8 bits, with alpha; core
 * composites onto black and resizes (fitDecoded), exactly as in the browser.
 */
export async function decodeBytes(bytes: Uint8Array, width: number, height: number): Promise<DecodedImage> {
  if (checkImageBytes(bytes).format === 'bmp') {
    const bmp = decodeBmp(bytes); // libvips has no BMP loader
    return fitDecoded(bmp.rgba, bmp.width, bmp.height, width, height);
  }
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error' })
      .rotate() // EXIF orientation
      .toColourspace('srgb')
      .ensureAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new Error(`the decoder failed: ${(err as Error).message.trim()}`);
  }
  const { data, info } = out;
  if (info.channels !== 4) throw new Error(`expected 4 channels after decoding, got ${info.channels}`);
  return fitDecoded(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), info.width, info.height, width, height);
}

/** Decode an image file and resize it to exactly width×height RGB (aspect ignored). */
export async function decodeFile(path: string, width: number, height: number): Promise<DecodedImage> {
  return decodeBytes(await readFile(path), width, height);
}
