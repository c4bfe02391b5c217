/**
 * A feature heatmap over its image, as the seed code draws one: the map upsampled (bilinear),
 * scaled to its own maximum, coloured with the jet colour map and laid over the image at
 * alpha 0.4. Pure functions on pixel arrays; the component puts them on a canvas.
 */

/** How much of the colour map shows over the image. */
export const HEATMAP_ALPHA = 0.4;

type Stops = readonly (readonly [number, number])[];

// matplotlib's jet, as (position, value) stops per channel.
const JET: readonly [Stops, Stops, Stops] = [
  [[0, 0], [0.35, 0], [0.66, 1], [0.89, 1], [1, 0.5]],
  [[0, 0], [0.125, 0], [0.375, 1], [0.64, 1], [0.91, 0], [1, 0]],
  [[0, 0.5], [0.11, 1], [0.34, 1], [0.65, 0], [1, 0]],
];

function piecewise(stops: Stops, t: number): number {
  for (let i = 1; i < stops.length; i++) {
    const [x1, y1] = stops[i]!;
    if (t <= x1) {
      const [x0, y0] = stops[i - 1]!;
      return y0 + ((y1 - y0) * (t - x0)) / (x1 - x0);
    }
  }
  return stops[stops.length - 1]![1];
}

/** The jet colour of t in [0, 1] (clamped; NaN counts as 0) as [r, g, b] in [0, 1]: dark blue, blue, cyan, yellow, red, dark red. */
export function jet(t: number): [number, number, number] {
  const x = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  return [piecewise(JET[0], x), piecewise(JET[1], x), piecewise(JET[2], x)];
}

/**
 * Bilinear upsampling of an h×w map (row-major) to outH×outW, pixel centres aligned (PyTorch's
 * align_corners=False, OpenCV's resize): edge pixels repeat the edge values.
 */
export function upsampleBilinear(map: ArrayLike<number>, h: number, w: number, outH: number, outW: number): Float64Array {
  const out = new Float64Array(outH * outW);
  const axis = (o: number, n: number, on: number) => {
    const s = Math.max(0, ((o + 0.5) * n) / on - 0.5);
    const i0 = Math.min(n - 1, Math.floor(s));
    return [i0, Math.min(n - 1, i0 + 1), s - i0] as const;
  };
  for (let y = 0; y < outH; y++) {
    const [y0, y1, fy] = axis(y, h, outH);
    for (let x = 0; x < outW; x++) {
      const [x0, x1, fx] = axis(x, w, outW);
      const top = map[y0 * w + x0]! * (1 - fx) + map[y0 * w + x1]! * fx;
      const bottom = map[y1 * w + x0]! * (1 - fx) + map[y1 * w + x1]! * fx;
      out[y * outW + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

/**
 * Lay the map over an RGBA image (width × height, in place): upsampled to the image, divided by
 * its maximum (the map is ≥ 0 after ReLU; an all-zero map stays at the colour map's bottom),
 * jet-coloured and blended at `alpha`. Alpha stays opaque.
 */
export function overlayHeatmap(
  rgba: Uint8ClampedArray,
  width: number,
  height: number,
  map: readonly number[],
  mapH: number,
  mapW: number,
  alpha = HEATMAP_ALPHA,
): void {
  const up = upsampleBilinear(map, mapH, mapW, height, width);
  let max = 0;
  for (const v of map) if (v > max) max = v;
  for (let p = 0; p < width * height; p++) {
    const [r, g, b] = jet(max > 0 ? up[p]! / max : 0);
    const o = p * 4;
    rgba[o] = (1 - alpha) * rgba[o]! + alpha * 255 * r;
    rgba[o + 1] = (1 - alpha) * rgba[o + 1]! + alpha * 255 * g;
    rgba[o + 2] = (1 - alpha) * rgba[o + 2]! + alpha * 255 * b;
    rgba[o + 3] = 255;
  }
}
