/**
 * The set maker's distortion types, five levels each (01 = mildest ... 05 = strongest).
 * Types 01-06 and their levels are the demo generator's (scripts/make_demo_dataset.py),
 * computed the same way so a set made here is labelled like the demo; 07 is extra.
 */
import { deriveSeed, makeRng } from '../rng';
import { luminance, makeImage, roundHalfEven, toUint8, type RgbImage } from './image';

/** A real JPEG encode + decode at a quality 1..100 (libjpeg's scale). Core has no codec of its own. */
export type JpegRoundTrip = (img: RgbImage, quality: number) => Promise<RgbImage>;

export type DistortionKey = 'gaussian_blur' | 'white_noise' | 'jpeg' | 'contrast_reduction' | 'darken' | 'pixelate' | 'desaturate';

export interface DistortionType {
  /** The dd of Irr_dd_ll names; fixed per type, whichever types a set uses. */
  id: number;
  key: DistortionKey;
  label: string;
  /** What the level parameter is. */
  param: string;
  levels: readonly [number, number, number, number, number];
  /** A caveat for the user, when the score formula treats the type oddly. */
  note?: string;
}

export const DISTORTIONS: readonly DistortionType[] = [
  { id: 1, key: 'gaussian_blur', label: 'Gaussian blur', param: 'sigma in pixels', levels: [0.7, 1.2, 2.0, 3.2, 5.0] },
  { id: 2, key: 'white_noise', label: 'White noise', param: 'Gaussian sigma on the 0–255 scale, per channel', levels: [8, 16, 28, 45, 70] },
  { id: 3, key: 'jpeg', label: 'JPEG', param: 'quality', levels: [25, 12, 7, 4, 1] },
  { id: 4, key: 'contrast_reduction', label: 'Contrast reduction', param: 'contrast factor towards the channel mean', levels: [0.8, 0.6, 0.45, 0.3, 0.18] },
  { id: 5, key: 'darken', label: 'Darken', param: 'brightness factor', levels: [0.85, 0.68, 0.52, 0.38, 0.25] },
  { id: 6, key: 'pixelate', label: 'Pixelation', param: 'block size in pixels', levels: [2, 3, 5, 7, 10] },
  {
    id: 7,
    key: 'desaturate',
    label: 'Desaturation',
    param: 'saturation factor towards grey (BT.601 luma)',
    levels: [0.8, 0.6, 0.4, 0.2, 0],
    note: 'The score formula works on luminance only and cannot see colour: these images score about 5 at every level.',
  },
];

/** The demo generator's six types: the default choice. */
export const DEMO_TYPE_IDS: readonly number[] = [1, 2, 3, 4, 5, 6];

export function distortionById(id: number): DistortionType {
  const t = DISTORTIONS.find((d) => d.id === id);
  if (!t) throw new Error(`Unknown distortion type ${id}.`);
  return t;
}

/** scipy.ndimage 'reflect' (half-sample symmetric: d c b a | a b c d | d c b a). */
function reflect(i: number, n: number): number {
  const p = 2 * n;
  const m = ((i % p) + p) % p;
  return m < n ? m : p - 1 - m;
}

/** scipy.ndimage.gaussian_kernel1d: radius int(4 sigma + 0.5), normalised. */
function gaussianKernel(sigma: number): Float64Array {
  const radius = Math.trunc(4 * sigma + 0.5);
  const k = new Float64Array(2 * radius + 1);
  let s = 0;
  for (let i = -radius; i <= radius; i++) s += k[i + radius] = Math.exp((-0.5 / (sigma * sigma)) * i * i);
  for (let i = 0; i < k.length; i++) k[i]! /= s;
  return k;
}

/** Gaussian blur per channel, reflect border: scipy's gaussian_filter(f, (s, s, 0), mode='reflect'), rows then columns. */
export function gaussianBlur(img: RgbImage, sigma: number): RgbImage {
  const { width: w, height: h } = img;
  const k = gaussianKernel(sigma);
  const r = (k.length - 1) / 2;
  const src = Float64Array.from(img.data);
  const stride = w * 3;
  // Axis 0 (along y) first, as scipy filters axis by axis in order; taps summed from -r up, as before.
  const mid = new Float64Array(src.length);
  for (let y = 0; y < h; y++) {
    const o = y * stride;
    for (let j = -r; j <= r; j++) {
      const from = reflect(y + j, h) * stride;
      const kj = k[j + r]!;
      for (let i = 0; i < stride; i++) mid[o + i]! += src[from + i]! * kj;
    }
  }
  const cols = new Int32Array(w + 2 * r);
  for (let x = -r; x < w + r; x++) cols[x + r] = reflect(x, w) * 3;
  const out = new Float64Array(src.length);
  for (let y = 0; y < h; y++) {
    const o = y * stride;
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let j = 0; j <= 2 * r; j++) s += mid[o + cols[x + j]! + c]! * k[j]!;
        out[o + x * 3 + c] = s;
      }
  }
  return { width: w, height: h, data: toUint8(out, new Uint8Array(src.length)) };
}

/** Additive white Gaussian noise, independent per channel, from a seeded stream (Box–Muller). */
export function whiteNoise(img: RgbImage, sigma: number, seed: number): RgbImage {
  const rng = makeRng(seed);
  const out = new Float64Array(img.data.length);
  for (let i = 0; i < out.length; i += 2) {
    const u = 1 - rng.next(); // (0, 1]: log stays finite
    const v = rng.next();
    const rad = Math.sqrt(-2 * Math.log(u));
    out[i] = img.data[i]! + sigma * rad * Math.cos(2 * Math.PI * v);
    if (i + 1 < out.length) out[i + 1] = img.data[i + 1]! + sigma * rad * Math.sin(2 * Math.PI * v);
  }
  return { ...img, data: toUint8(out, new Uint8Array(out.length)) };
}

/** Blend towards each channel's mean: mean + c (x - mean). */
export function contrastReduction(img: RgbImage, c: number): RgbImage {
  const n = img.width * img.height;
  const mean = [0, 1, 2].map((ch) => {
    let s = 0;
    for (let i = ch; i < img.data.length; i += 3) s += img.data[i]!;
    return s / n;
  });
  const out = new Float64Array(img.data.length);
  for (let i = 0; i < out.length; i++) {
    const m = mean[i % 3]!;
    out[i] = m + (img.data[i]! - m) * c;
  }
  return { ...img, data: toUint8(out, new Uint8Array(out.length)) };
}

export function darken(img: RgbImage, f: number): RgbImage {
  const out = Float64Array.from(img.data, (v) => v * f);
  return { ...img, data: toUint8(out, new Uint8Array(out.length)) };
}

/** Blend each pixel towards its BT.601 luma (grey): Y + s (x - Y); s = 0 is greyscale. */
export function desaturate(img: RgbImage, s: number): RgbImage {
  const y = luminance(img);
  const out = new Float64Array(img.data.length);
  for (let i = 0; i < out.length; i++) {
    const l = y[Math.floor(i / 3)]!;
    out[i] = l + s * (img.data[i]! - l);
  }
  return { ...img, data: toUint8(out, new Uint8Array(out.length)) };
}

const PRECISION_BITS = 22;

/** Pillow's BOX resample of one axis (its coefficients, 22-bit fixed point and rounding). */
function boxCoefficients(inSize: number, outSize: number): { min: number; k: Int32Array }[] {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = 0.5 * filterscale;
  const ss = 1 / filterscale;
  const out: { min: number; k: Int32Array }[] = [];
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    const w: number[] = [];
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const t = (x + xmin - center + 0.5) * ss;
      const v = t > -0.5 && t <= 0.5 ? 1 : 0;
      w.push(v);
      ww += v;
    }
    const k = Int32Array.from(w, (v) => {
      const p = (ww !== 0 ? v / ww : v) * (1 << PRECISION_BITS);
      return Math.trunc(p < 0 ? p - 0.5 : p + 0.5);
    });
    out.push({ min: xmin, k });
  }
  return out;
}

const clip8 = (ss: number) => {
  const v = ss >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
};

/** Pillow's Image.resize(size, BOX): horizontal pass, then vertical, uint8 in between. */
export function boxResize(img: RgbImage, width: number, height: number): RgbImage {
  let cur = img;
  if (width !== img.width) {
    const co = boxCoefficients(img.width, width);
    const out = makeImage(width, img.height);
    for (let y = 0; y < img.height; y++)
      for (let xx = 0; xx < width; xx++) {
        const { min, k } = co[xx]!;
        for (let c = 0; c < 3; c++) {
          let s = 1 << (PRECISION_BITS - 1);
          for (let x = 0; x < k.length; x++) s += img.data[(y * img.width + x + min) * 3 + c]! * k[x]!;
          out.data[(y * width + xx) * 3 + c] = clip8(s);
        }
      }
    cur = out;
  }
  if (height !== cur.height) {
    const co = boxCoefficients(cur.height, height);
    const out = makeImage(width, height);
    for (let yy = 0; yy < height; yy++) {
      const { min, k } = co[yy]!;
      for (let x = 0; x < width; x++)
        for (let c = 0; c < 3; c++) {
          let s = 1 << (PRECISION_BITS - 1);
          for (let y = 0; y < k.length; y++) s += cur.data[((y + min) * width + x) * 3 + c]! * k[y]!;
          out.data[(yy * width + x) * 3 + c] = clip8(s);
        }
    }
    cur = out;
  }
  return cur === img ? { ...img, data: img.data.slice() } : cur;
}

/** Pillow's Image.resize(size, NEAREST): its affine scan, source coordinates accumulated per step. */
function nearestIndex(inSize: number, outSize: number): Int32Array {
  const a = inSize / outSize;
  const idx = new Int32Array(outSize);
  let o = a * 0.5;
  for (let x = 0; x < outSize; x++) {
    idx[x] = Math.min(Math.max(o < 0 ? -1 : Math.trunc(o), 0), inSize - 1);
    o += a;
  }
  return idx;
}

export function nearestResize(img: RgbImage, width: number, height: number): RgbImage {
  const xs = nearestIndex(img.width, width);
  const ys = nearestIndex(img.height, height);
  const out = makeImage(width, height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const s = (ys[y]! * img.width + xs[x]!) * 3;
      const d = (y * width + x) * 3;
      out.data[d] = img.data[s]!;
      out.data[d + 1] = img.data[s + 1]!;
      out.data[d + 2] = img.data[s + 2]!;
    }
  return out;
}

/** Box downsample by the block size (Python's round, half to even), then nearest upsample. */
export function pixelate(img: RgbImage, block: number): RgbImage {
  const sw = Math.max(1, roundHalfEven(img.width / block));
  const sh = Math.max(1, roundHalfEven(img.height / block));
  return nearestResize(boxResize(img, sw, sh), img.width, img.height);
}

export interface DistortContext {
  /** Seeds the noise: one stream per (seed, reference, type, level). */
  seed: number;
  /** Names the reference in the noise stream, e.g. its number. */
  refKey: string;
  jpeg: JpegRoundTrip;
}

/** One distortion of `img` at `level` (1..5). */
export async function distort(img: RgbImage, typeId: number, level: number, ctx: DistortContext): Promise<RgbImage> {
  const t = distortionById(typeId);
  const p = t.levels[level - 1];
  if (p === undefined) throw new Error(`Level ${level} is not 1..5.`);
  switch (t.key) {
    case 'gaussian_blur':
      return gaussianBlur(img, p);
    case 'white_noise':
      return whiteNoise(img, p, deriveSeed(ctx.seed, `noise:${ctx.refKey}:${typeId}:${level}`));
    case 'jpeg': {
      const out = await ctx.jpeg(img, p);
      if (out.width !== img.width || out.height !== img.height) throw new Error(`The JPEG round trip changed the size to ${out.width}×${out.height}.`);
      return out;
    }
    case 'contrast_reduction':
      return contrastReduction(img, p);
    case 'darken':
      return darken(img, p);
    case 'pixelate':
      return pixelate(img, p);
    case 'desaturate':
      return desaturate(img, p);
  }
}
