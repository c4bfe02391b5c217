import { decodeBmp } from '../core/data/bmp';
import { checkImageBytes } from '../core/data/imageHeader';
import type { ImageDecoder } from '../core/data/loadImages';
import { fitDecoded } from '../core/data/resample';
import type { DecodedImage } from '../core/data/types';

/**
 * The worker's ImageDecoder, giving the same bytes as Node's (src/node/decodeImages.ts): the
 * header is checked first (format by content, size limits: a decompression bomb is refused
 * before the browser allocates it), createImageBitmap (or core, for BMP) decodes at full size with the EXIF
 * orientation applied, an OffscreenCanvas filled with black composites any alpha, and core
 * resizes (fitDecoded), exactly as in Node. Only the stored-size copy survives.
 */
export function blobImageDecoder(files: ReadonlyMap<string, Blob>): ImageDecoder {
  let canvas: OffscreenCanvas | null = null;
  let ctx: OffscreenCanvasRenderingContext2D | null = null;
  return async (file: string, width: number, height: number): Promise<DecodedImage> => {
    const blob = files.get(file);
    if (!blob) throw new Error('the file is not in the chosen folder');
    const bytes = new Uint8Array(await blob.arrayBuffer());
    if (checkImageBytes(bytes).format === 'bmp') {
      const bmp = decodeBmp(bytes); // the same BMP decoder as in Node
      return fitDecoded(bmp.rgba, bmp.width, bmp.height, width, height);
    }
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image', premultiplyAlpha: 'none', colorSpaceConversion: 'default' });
    } catch {
      throw new Error('the browser could not decode it (damaged data?)');
    }
    try {
      const w = bitmap.width;
      const h = bitmap.height;
      // drawImage + getImageData + the resize are synchronous, so one canvas serves every concurrent decode.
      if (!canvas) {
        canvas = new OffscreenCanvas(w, h);
        ctx = canvas.getContext('2d', { willReadFrequently: true });
        if (!ctx) throw new Error('this browser gives workers no 2D canvas');
      }
      if (canvas.width !== w || canvas.height !== h) [canvas.width, canvas.height] = [w, h];
      const c = ctx!;
      c.globalCompositeOperation = 'copy';
      c.fillStyle = '#000';
      c.fillRect(0, 0, w, h);
      c.globalCompositeOperation = 'source-over';
      c.drawImage(bitmap, 0, 0);
      return fitDecoded(c.getImageData(0, 0, w, h).data, w, h, width, height);
    } finally {
      bitmap.close();
    }
  };
}
