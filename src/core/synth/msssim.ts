/**
 * MS-SSIM (Wang, Simoncelli & Bovik 2003) on BT.601 luma, exactly as the demo generator
 * (scripts/make_demo_dataset.py) computes it: 11x11 Gaussian window with sigma 1.5,
 * K1 = 0.01, K2 = 0.03, L = 255, means over the "valid" region (no padding), 2x2 average
 * pooling between scales, MS-SSIM = prod_{j<M} cs_j^w_j * ssim_M^w_M with negative terms
 * clamped to 0, weights the first M of the standard five renormalised to sum to 1; then
 * mapped onto 1..5 by mos = 1 + 4 * clip((m - 0.25) / 0.75, 0, 1)^2.5.
 */
import { luminance, type RgbImage } from './image';

export const MSSSIM_WEIGHTS_5 = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333] as const;
const K1 = 0.01;
const K2 = 0.03;
const DATA_RANGE = 255;
const WINDOW = 11;
const SIGMA = 1.5;
export const MOS_LO = 0.25;
export const MOS_GAMMA = 2.5;

/**
 * Scales for an image: five (the standard) need 176 px so the 11 px window fits the 5th
 * scale; below that the demo's three, which need 44 px.
 */
export function msssimScales(width: number, height: number): 3 | 5 {
  const side = Math.min(width, height);
  if (side >= 176) return 5;
  if (side >= 44) return 3;
  throw new Error(`MS-SSIM needs images of at least 44×44 px; this one is ${width}×${height}.`);
}

export function msssimWeights(scales: number): number[] {
  const w = MSSSIM_WEIGHTS_5.slice(0, scales);
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / sum);
}

/** The 1-D factor of the normalised 11x11 window (outer(g, g) / sum = outer(g/sum g, g/sum g)). */
const G = (() => {
  const g = Array.from({ length: WINDOW }, (_, i) => {
    const x = i - (WINDOW - 1) / 2;
    return Math.exp(-(x * x) / (2 * SIGMA * SIGMA));
  });
  const s = g.reduce((a, b) => a + b, 0);
  return Float64Array.from(g, (v) => v / s);
})();

/** 'valid' correlation with the window, separably: (h-10) x (w-10). */
function filterValid(a: Float64Array, w: number, h: number): Float64Array {
  const ow = w - WINDOW + 1;
  const oh = h - WINDOW + 1;
  const tmp = new Float64Array(h * ow);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let k = 0; k < WINDOW; k++) s += a[row + x + k]! * G[k]!;
      tmp[y * ow + x] = s;
    }
  }
  const out = new Float64Array(oh * ow);
  for (let y = 0; y < oh; y++)
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let k = 0; k < WINDOW; k++) s += tmp[(y + k) * ow + x]! * G[k]!;
      out[y * ow + x] = s;
    }
  return out;
}

export interface SsimTerms {
  /** Mean luminance term. */
  l: number;
  /** Mean contrast-structure term. */
  cs: number;
  /** Mean SSIM (of the product map). */
  ssim: number;
}

/** The three mean terms of one scale, for two luma planes of the same size. */
export function ssimTerms(x: Float64Array, y: Float64Array, w: number, h: number): SsimTerms {
  if (w < WINDOW || h < WINDOW) throw new Error(`SSIM needs at least ${WINDOW}×${WINDOW} px at every scale; got ${w}×${h}.`);
  const c1 = (K1 * DATA_RANGE) ** 2;
  const c2 = (K2 * DATA_RANGE) ** 2;
  const n = w * h;
  const xx = new Float64Array(n);
  const yy = new Float64Array(n);
  const xy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xx[i] = x[i]! * x[i]!;
    yy[i] = y[i]! * y[i]!;
    xy[i] = x[i]! * y[i]!;
  }
  const mx = filterValid(x, w, h);
  const my = filterValid(y, w, h);
  const fxx = filterValid(xx, w, h);
  const fyy = filterValid(yy, w, h);
  const fxy = filterValid(xy, w, h);
  let l = 0;
  let cs = 0;
  let ssim = 0;
  for (let i = 0; i < mx.length; i++) {
    const a = mx[i]!;
    const b = my[i]!;
    const sxx = fxx[i]! - a * a;
    const syy = fyy[i]! - b * b;
    const sxy = fxy[i]! - a * b;
    const csi = (2 * sxy + c2) / (sxx + syy + c2);
    const li = (2 * a * b + c1) / (a * a + b * b + c1);
    l += li;
    cs += csi;
    ssim += li * csi;
  }
  const m = mx.length;
  return { l: l / m, cs: cs / m, ssim: ssim / m };
}

/** 2x2 average pooling; an odd last row or column is dropped. */
export function downsample2(a: Float64Array, w: number, h: number): { data: Float64Array; width: number; height: number } {
  const ow = Math.floor(w / 2);
  const oh = Math.floor(h / 2);
  const out = new Float64Array(ow * oh);
  for (let y = 0; y < oh; y++)
    for (let x = 0; x < ow; x++) {
      const i = 2 * y * w + 2 * x;
      // Same order of additions as the generator: [0::2,0::2] + [1::2,0::2] + [0::2,1::2] + [1::2,1::2].
      out[y * ow + x] = (a[i]! + a[i + w]! + a[i + 1]! + a[i + w + 1]!) / 4;
    }
  return { data: out, width: ow, height: oh };
}

/** Each scale's terms, finest first. */
export function msssimPerScale(ref: RgbImage, dist: RgbImage, scales: number = msssimScales(ref.width, ref.height)): SsimTerms[] {
  if (ref.width !== dist.width || ref.height !== dist.height)
    throw new Error(`MS-SSIM needs two images of one size; got ${ref.width}×${ref.height} and ${dist.width}×${dist.height}.`);
  if (!Number.isInteger(scales) || scales < 1 || scales > MSSSIM_WEIGHTS_5.length) throw new Error(`MS-SSIM takes 1 to 5 scales, not ${scales}.`);
  let x = luminance(ref);
  let y = luminance(dist);
  let w = ref.width;
  let h = ref.height;
  const out: SsimTerms[] = [];
  for (let j = 0; j < scales; j++) {
    out.push(ssimTerms(x, y, w, h));
    if (j < scales - 1) {
      const dx = downsample2(x, w, h);
      y = downsample2(y, w, h).data;
      x = dx.data;
      w = dx.width;
      h = dx.height;
    }
  }
  return out;
}

/** MS-SSIM of `dist` against `ref`; 1 for identical images. */
export function msssim(ref: RgbImage, dist: RgbImage, scales: number = msssimScales(ref.width, ref.height)): number {
  const terms = msssimPerScale(ref, dist, scales);
  const weights = msssimWeights(scales);
  let value = 1;
  terms.forEach((t, j) => {
    const last = j === terms.length - 1;
    value *= Math.max(last ? t.ssim : t.cs, 0) ** weights[j]!;
  });
  return value;
}

/** The demo's map of MS-SSIM onto 1..5 (higher is better). */
export function msssimToMos(m: number): number {
  const t = Math.min(1, Math.max(0, (m - MOS_LO) / (1 - MOS_LO)));
  return 1 + 4 * t ** MOS_GAMMA;
}
