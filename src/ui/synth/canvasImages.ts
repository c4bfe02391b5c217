/**
 * The page's side of the set maker: photos decoded and cut to squares, and the JPEG round
 * trip through the browser's own encoder (libjpeg-turbo at 4:2:0 in Chromium and Firefox,
 * the codec family the demo generator's Pillow uses).
 */
import { rgbaToRgb, rgbToRgba, type JpegRoundTrip, type RgbImage } from '../../core/synth';

function context(width: number, height: number): { canvas: OffscreenCanvas; ctx: OffscreenCanvasRenderingContext2D } {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('This browser gives no 2D canvas, which making an IQA set needs.');
  return { canvas, ctx };
}

function read(ctx: OffscreenCanvasRenderingContext2D, width: number, height: number): RgbImage {
  return rgbaToRgb(width, height, ctx.getImageData(0, 0, width, height).data);
}

export interface Photo {
  image: RgbImage;
  /** The photo's own size, before the crop and resize. */
  width: number;
  height: number;
}

/** The centred square of the shorter side, resized to `size` × `size` with the browser's best smoothing. */
export async function loadPhoto(file: Blob, size: number): Promise<Photo> {
  const bitmap = await createImageBitmap(file);
  try {
    const { width, height } = bitmap;
    const side = Math.min(width, height);
    const { ctx } = context(size, size);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bitmap, Math.floor((width - side) / 2), Math.floor((height - side) / 2), side, side, 0, 0, size, size);
    return { image: read(ctx, size, size), width, height };
  } finally {
    bitmap.close();
  }
}

/** Encode with the canvas's JPEG encoder at `quality` (1..100) and decode it again. */
export const canvasJpeg: JpegRoundTrip = async (img, quality) => {
  const { canvas, ctx } = context(img.width, img.height);
  ctx.putImageData(new ImageData(rgbToRgba(img) as Uint8ClampedArray<ArrayBuffer>, img.width, img.height), 0, 0);
  const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: quality / 100 });
  if (blob.type !== 'image/jpeg') throw new Error('This browser cannot encode JPEG on a canvas, which the JPEG distortion needs. Leave JPEG out or use another browser.');
  const bitmap = await createImageBitmap(blob);
  try {
    const out = context(img.width, img.height);
    out.ctx.drawImage(bitmap, 0, 0);
    return read(out.ctx, img.width, img.height);
  } finally {
    bitmap.close();
  }
};
