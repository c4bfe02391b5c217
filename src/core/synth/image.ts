/** 8-bit RGB images as plain typed arrays (row-major, 3 bytes a pixel): what the set maker works on. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export function makeImage(width: number, height: number): RgbImage {
  return { width, height, data: new Uint8Array(width * height * 3) };
}

/** RGBA (canvas ImageData, decoders) to RGB; alpha is dropped, not composited. */
export function rgbaToRgb(width: number, height: number, rgba: ArrayLike<number>): RgbImage {
  const out = makeImage(width, height);
  for (let i = 0, j = 0; j < out.data.length; i += 4, j += 3) {
    out.data[j] = rgba[i]!;
    out.data[j + 1] = rgba[i + 1]!;
    out.data[j + 2] = rgba[i + 2]!;
  }
  return out;
}

export function rgbToRgba(img: RgbImage): Uint8ClampedArray {
  const out = new Uint8ClampedArray(img.width * img.height * 4);
  for (let i = 0, j = 0; i < img.data.length; i += 3, j += 4) {
    out[j] = img.data[i]!;
    out[j + 1] = img.data[i + 1]!;
    out[j + 2] = img.data[i + 2]!;
    out[j + 3] = 255;
  }
  return out;
}

/** Round half to even, as NumPy's np.round does (the demo generator rounds with it). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Float pixel values to uint8: rounded half to even, clipped to 0..255. */
export function toUint8(values: ArrayLike<number>, out: Uint8Array): Uint8Array {
  for (let i = 0; i < out.length; i++) {
    const v = roundHalfEven(values[i]!);
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return out;
}

/** ITU-R BT.601 luma on the 0-255 scale, as float64. */
export function luminance(img: RgbImage): Float64Array {
  const n = img.width * img.height;
  const y = new Float64Array(n);
  const d = img.data;
  for (let i = 0; i < n; i++) y[i] = 0.299 * d[3 * i]! + 0.587 * d[3 * i + 1]! + 0.114 * d[3 * i + 2]!;
  return y;
}
