import type { DecodedImage } from './types';
import type { View } from './inputMode';
import type { InputScaling } from '../models/types';

/** ImageNet normalisation (mean and std per channel), as the paper's backbones expect. */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/**
 * NORMALISED[c * 256 + u] = (u/255 − mean_c)/std_c, rounded to float32 exactly as storing the
 * formula into a Float32Array would: writeView runs per byte of every batch, a lookup is cheaper.
 */
export const NORMALISED: Float32Array = (() => {
  const t = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) for (let u = 0; u < 256; u++) t[c * 256 + u] = (u / 255 - IMAGENET_MEAN[c]!) / IMAGENET_STD[c]!;
  return t;
})();

/** x/255 per channel, in the same lookup layout: what the built-in MobileNetV2 was trained on. */
export const UNIT_SCALED: Float32Array = Float32Array.from({ length: 3 * 256 }, (_, k) => (k % 256) / 255);

/**
 * All images of a dataset at one storage size, held once as uint8 (N×H×W×3 bytes):
 * float copies exist only for the batch being trained.
 */
export class ImageStore implements ImageSet {
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
    if (this.count >= this.capacity) throw new Error('ImageStore is full.');
    const i = this.count;
    this.set(i, img);
    return i;
  }

  /** Write image i (decoded images arrive out of order); it must already be width×height. */
  set(i: number, img: DecodedImage): void {
    if (img.width !== this.width || img.height !== this.height)
      throw new Error(`Image is ${img.width}×${img.height}, the store holds ${this.width}×${this.height}.`);
    if (!(Number.isInteger(i) && i >= 0 && i < this.capacity)) throw new Error(`Image index ${i} is outside the store (0–${this.capacity - 1}).`);
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
   * Write view `v` of image i, scaled as the model wants (ImageNet-normalised, or x/255), into
   * `out` at `offset` (NHWC float32), mirrored left-right when `flip` is set.
   */
  writeView(i: number, v: View, flip: boolean, out: Float32Array, offset: number, scaling: InputScaling = 'imagenet'): void {
    writeViewOf(this.data, i * this.bytesPerImage, this.width, v, flip, out, offset, scaling);
  }
}

/**
 * The images a run trains on, wherever they are kept: every reader (batches, evaluation, the
 * feature cache, scoring) goes through writeView, which is synchronous, so a store that keeps
 * its images on disk reads them on demand.
 */
export interface ImageSet {
  readonly width: number;
  readonly height: number;
  readonly count: number;
  readonly bytesPerImage: number;
  writeView(i: number, v: View, flip: boolean, out: Float32Array, offset: number, scaling?: InputScaling): void;
  /** Image i's bytes (a view that may be reused by the next read: copy it to keep it). */
  image(i: number): DecodedImage;
  /** A hint: these images are read soon (a store on disk reads them ahead). */
  prefetch?(idxs: readonly number[]): void;
  /** Frees what the store holds outside the JS heap (a store on disk deletes its file, resolved once gone). */
  dispose?(): void | Promise<void>;
}

/** View `v` of the image at byte `base` of `src` (rows of `width` RGB pixels), scaled, into `out` at `offset`; mirrored when `flip`. */
export function writeViewOf(
  src: Uint8Array,
  base: number,
  width: number,
  v: View,
  flip: boolean,
  out: Float32Array,
  offset: number,
  scaling: InputScaling = 'imagenet',
): void {
  const lut = scaling === 'unit' ? UNIT_SCALED : NORMALISED;
  const W = width;
  // Source pixel stride: walk each row backwards when mirrored.
  const step = flip ? -3 : 3;
  let o = offset;
  for (let y = 0; y < v.h; y++) {
    let p = base + ((v.y + y) * W + v.x + (flip ? v.w - 1 : 0)) * 3;
    for (let x = 0; x < v.w; x++, p += step) {
      out[o++] = lut[src[p]!]!;
      out[o++] = lut[256 + src[p + 1]!]!;
      out[o++] = lut[512 + src[p + 2]!]!;
    }
  }
}
