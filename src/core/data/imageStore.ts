import type { DecodedImage } from './types';
import type { View } from './inputMode';

/** ImageNet normalisation (SPEC §1). */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/**
 * All images of a dataset at one storage size, held once as uint8 (N×H×W×3 bytes):
 * float copies exist only for the batch being trained.
 */
export class ImageStore {
  readonly data: Uint8Array;
  count = 0;

  constructor(
    readonly capacity: number,
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8Array(capacity * width * height * 3);
  }

  get bytesPerImage(): number {
    return this.width * this.height * 3;
  }

  /** Store an image already resized to width×height; returns its index. */
  add(img: DecodedImage): number {
    if (img.width !== this.width || img.height !== this.height)
      throw new Error(`Image is ${img.width}×${img.height}, the store holds ${this.width}×${this.height}.`);
    if (this.count >= this.capacity) throw new Error('ImageStore is full.');
    this.data.set(img.data, this.count * this.bytesPerImage);
    return this.count++;
  }

  /** Overwrite image i (used when a decoded image arrives out of order). */
  set(i: number, img: DecodedImage): void {
    this.data.set(img.data, i * this.bytesPerImage);
    this.count = Math.max(this.count, i + 1);
  }

  /** Keep only the images at the given (ascending) indices, moved to the front in that order. */
  compact(keep: readonly number[]): void {
    const n = this.bytesPerImage;
    keep.forEach((from, to) => {
      if (from !== to) this.data.copyWithin(to * n, from * n, (from + 1) * n);
    });
    this.count = keep.length;
  }

  image(i: number): DecodedImage {
    const n = this.bytesPerImage;
    return { width: this.width, height: this.height, data: this.data.subarray(i * n, (i + 1) * n) };
  }

  /**
   * Write view `v` of image i, ImageNet-normalised, into `out` at `offset` (NHWC float32),
   * mirrored left-right when `flip` is set.
   */
  writeView(i: number, v: View, flip: boolean, out: Float32Array, offset: number): void {
    const src = this.data;
    const base = i * this.bytesPerImage;
    const W = this.width;
    let o = offset;
    for (let y = 0; y < v.h; y++) {
      const row = base + ((v.y + y) * W + v.x) * 3;
      for (let x = 0; x < v.w; x++) {
        const p = row + (flip ? v.w - 1 - x : x) * 3;
        out[o++] = (src[p]! / 255 - IMAGENET_MEAN[0]) / IMAGENET_STD[0];
        out[o++] = (src[p + 1]! / 255 - IMAGENET_MEAN[1]) / IMAGENET_STD[1];
        out[o++] = (src[p + 2]! / 255 - IMAGENET_MEAN[2]) / IMAGENET_STD[2];
      }
    }
  }
}
