/**
 * From a decoded image at full size to the dataset's storage size, in one implementation for
 * Node and the browser, so both store the same bytes: alpha composited onto black, then a
 * separable Lanczos-3 resize (aspect ignored, as the paper's seed code resizes every image to
 * 512×384) whose kernel widens with the scale when shrinking, so downscaling averages every
 * source pixel instead of skipping some.
 */
import type { DecodedImage } from './types';
import { fitRgbaWasm } from './resampleWasm';

const LOBES = 3;

function lanczos(x: number): number {
  if (x === 0) return 1;
  if (x <= -LOBES || x >= LOBES) return 0;
  const px = Math.PI * x;
  return (LOBES * Math.sin(px) * Math.sin(px / LOBES)) / (px * px);
}

interface Taps {
  /** First source index of output i. */
  start: Int32Array;
  count: Int32Array;
  /** Output i's weights at [i * maxTaps, i * maxTaps + count[i]), summing to 1. */
  weights: Float32Array;
  maxTaps: number;
}

/** Weights of each output sample over the source samples, pixel centres aligned (x_src + 0.5 = (x_out + 0.5) · in/out). */
export function taps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const stretch = Math.max(scale, 1);
  const support = LOBES * stretch;
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * maxTaps);
  const w = new Float64Array(maxTaps);
  for (let i = 0; i < outSize; i++) {
    const centre = (i + 0.5) * scale;
    const lo = Math.max(0, Math.floor(centre - support + 0.5));
    const hi = Math.min(inSize, Math.floor(centre + support + 0.5));
    let sum = 0;
    for (let j = lo; j < hi; j++) sum += w[j - lo] = lanczos((j + 0.5 - centre) / stretch);
    start[i] = lo;
    count[i] = hi - lo;
    // Near the edges the kernel is cut: renormalise so flat areas stay flat.
    for (let k = 0; k < hi - lo; k++) weights[i * maxTaps + k] = w[k]! / sum;
  }
  return { start, count, weights, maxTaps };
}

const toByte = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));

/** RGB bytes (row-major, 3 per pixel) resized to outW × outH. */
export function resizeRgb(src: Uint8Array, inW: number, inH: number, outW: number, outH: number): Uint8Array {
  if (src.length !== inW * inH * 3) throw new Error(`resizeRgb: ${src.length} bytes for a ${inW}×${inH} RGB image.`);
  if (inW === outW && inH === outH) return src.slice();
  // Horizontal pass into floats (not rounded between the passes), then vertical.
  const h = taps(inW, outW);
  const mid = new Float32Array(outW * inH * 3);
  for (let y = 0; y < inH; y++) {
    const row = y * inW * 3;
    let o = y * outW * 3;
    for (let x = 0; x < outW; x++, o += 3) {
      const n = h.count[x]!;
      const wBase = x * h.maxTaps;
      let p = row + h.start[x]! * 3;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < n; k++, p += 3) {
        const wk = h.weights[wBase + k]!;
        r += src[p]! * wk;
        g += src[p + 1]! * wk;
        b += src[p + 2]! * wk;
      }
      // Clipped as Pillow does (ringing past 0..255 would otherwise leak into the vertical pass), not rounded.
      mid[o] = r < 0 ? 0 : r > 255 ? 255 : r;
      mid[o + 1] = g < 0 ? 0 : g > 255 ? 255 : g;
      mid[o + 2] = b < 0 ? 0 : b > 255 ? 255 : b;
    }
  }
  const v = taps(inH, outH);
  const rowLen = outW * 3;
  const out = new Uint8Array(outW * outH * 3);
  const acc = new Float64Array(rowLen);
  for (let y = 0; y < outH; y++) {
    acc.fill(0);
    const n = v.count[y]!;
    for (let k = 0; k < n; k++) {
      const wk = v.weights[y * v.maxTaps + k]!;
      const from = (v.start[y]! + k) * rowLen;
      for (let i = 0; i < rowLen; i++) acc[i]! += mid[from + i]! * wk;
    }
    const o = y * rowLen;
    for (let i = 0; i < rowLen; i++) out[o + i] = toByte(acc[i]!);
  }
  return out;
}

/** RGBA (straight, not premultiplied alpha) onto black: c · a / 255, rounded. Opaque pixels are unchanged. */
export function compositeOnBlack(rgba: ArrayLike<number>, width: number, height: number): Uint8Array {
  const n = width * height;
  if (rgba.length !== n * 4) throw new Error(`compositeOnBlack: ${rgba.length} bytes for a ${width}×${height} RGBA image.`);
  const rgb = new Uint8Array(n * 3);
  for (let i = 0, j = 0; i < n * 4; i += 4, j += 3) {
    const a = rgba[i + 3]!;
    if (a === 255) {
      rgb[j] = rgba[i]!;
      rgb[j + 1] = rgba[i + 1]!;
      rgb[j + 2] = rgba[i + 2]!;
    } else {
      rgb[j] = Math.round((rgba[i]! * a) / 255);
      rgb[j + 1] = Math.round((rgba[i + 1]! * a) / 255);
      rgb[j + 2] = Math.round((rgba[i + 2]! * a) / 255);
    }
  }
  return rgb;
}

/**
 * A decoded full-size RGBA image (EXIF orientation already applied) as the store holds it:
 * composited onto black, resized to exactly width × height RGB.
 */
export function fitDecoded(rgba: ArrayLike<number>, inW: number, inH: number, width: number, height: number): DecodedImage {
  // The same bytes from WebAssembly where it runs (resampleWasm.test.ts compares them), else from the code above.
  const fast = inW !== width || inH !== height ? fitRgbaWasm(rgba, inW, inH, width, height) : null;
  if (fast) return { width, height, data: fast };
  return { width, height, data: resizeRgb(compositeOnBlack(rgba, inW, inH), inW, inH, width, height) };
}
