import type { ImageDecoder } from '../core/data/loadImages';
import type { DecodedImage } from '../core/data/types';

/**
 * The worker's ImageDecoder: the browser decodes the file (JPEG, PNG, BMP, WebP — whatever
 * createImageBitmap reads, off the main thread), an OffscreenCanvas resizes it to exactly
 * width×height (aspect ignored, like the Node decoder) and the RGB bytes are copied out.
 * Only that uint8 copy survives: the bitmap is closed at once.
 */
export function blobImageDecoder(files: ReadonlyMap<string, Blob>): ImageDecoder {
  let canvas: OffscreenCanvas | null = null;
  let ctx: OffscreenCanvasRenderingContext2D | null = null;
  return async (file: string, width: number, height: number): Promise<DecodedImage> => {
    const blob = files.get(file);
    if (!blob) throw new Error('the file is not in the chosen folder');
    if (blob.size === 0) throw new Error('the file is empty');
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'default' });
    } catch {
      throw new Error('the browser cannot read it as JPEG, PNG, BMP or WebP');
    }
    try {
      // drawImage + getImageData are synchronous, so one canvas serves every concurrent decode.
      if (!canvas || canvas.width !== width || canvas.height !== height) {
        canvas = new OffscreenCanvas(width, height);
        ctx = canvas.getContext('2d', { willReadFrequently: true });
        if (!ctx) throw new Error('this browser gives workers no 2D canvas');
      }
      const c = ctx!;
      c.clearRect(0, 0, width, height);
      c.imageSmoothingEnabled = true;
      c.imageSmoothingQuality = 'high';
      c.drawImage(bitmap, 0, 0, width, height);
      const rgba = c.getImageData(0, 0, width, height).data;
      const rgb = new Uint8Array(width * height * 3);
      for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
        rgb[j] = rgba[i]!;
        rgb[j + 1] = rgba[i + 1]!;
        rgb[j + 2] = rgba[i + 2]!;
      }
      return { width, height, data: rgb };
    } finally {
      bitmap.close();
    }
  };
}
