/**
 * How a stored image becomes network input.
 * - resize: the image is stored at width×height and fed whole.
 * - crop: stored at width×height; training takes a random size×size crop, testing
 *   averages the prediction over a fixed 5-crop set (4 corners + centre).
 * Models with a fixed patch size (cnniqa) override both: random patch in training,
 * mean over a non-overlapping grid of patches at test.
 */
export type InputMode =
  | { kind: 'resize'; width: number; height: number }
  | { kind: 'crop'; size: number; width: number; height: number };

/** One view of a stored image: a window [y, y+size) × [x, x+size) (or the whole image). */
export interface View {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The network input's [h, w] for this mode and model. */
export function netInputSize(mode: InputMode, patchSize?: number): [number, number] {
  if (patchSize) return [patchSize, patchSize];
  return mode.kind === 'resize' ? [mode.height, mode.width] : [mode.size, mode.size];
}

/** The fixed views averaged at test time. */
export function testViews(mode: InputMode, patchSize?: number): View[] {
  const { width: W, height: H } = mode;
  if (patchSize) {
    const views: View[] = [];
    const rows = Math.max(1, Math.floor(H / patchSize));
    const cols = Math.max(1, Math.floor(W / patchSize));
    // Centre the grid so the margins left over are split evenly.
    const y0 = Math.floor((H - rows * patchSize) / 2);
    const x0 = Math.floor((W - cols * patchSize) / 2);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) views.push({ x: x0 + c * patchSize, y: y0 + r * patchSize, w: patchSize, h: patchSize });
    return views;
  }
  if (mode.kind === 'resize') return [{ x: 0, y: 0, w: W, h: H }];
  const s = mode.size;
  return [
    { x: 0, y: 0, w: s, h: s },
    { x: W - s, y: 0, w: s, h: s },
    { x: 0, y: H - s, w: s, h: s },
    { x: W - s, y: H - s, w: s, h: s },
    { x: Math.floor((W - s) / 2), y: Math.floor((H - s) / 2), w: s, h: s },
  ];
}

/** A random training view, drawn from `rand` (uniform [0,1)). */
export function randomTrainView(mode: InputMode, rand: () => number, patchSize?: number): View {
  const { width: W, height: H } = mode;
  const s = patchSize ?? (mode.kind === 'crop' ? mode.size : 0);
  if (!s) return { x: 0, y: 0, w: W, h: H };
  return { x: Math.floor(rand() * (W - s + 1)), y: Math.floor(rand() * (H - s + 1)), w: s, h: s };
}

export function validateInputMode(mode: InputMode, patchSize?: number): string | null {
  if (!(mode.width >= 8 && mode.height >= 8)) return `Image size ${mode.width}×${mode.height} is too small: use at least 8×8.`;
  const s = patchSize ?? (mode.kind === 'crop' ? mode.size : 0);
  if (s && (s > mode.width || s > mode.height))
    return `A ${s}×${s} crop does not fit in ${mode.width}×${mode.height} images: make the crop smaller or the images larger.`;
  return null;
}

/** Parse "resize:128x128", "crop:128" (stored at 1.25× the crop) or "crop:128@160x160". */
export function parseInputMode(text: string): InputMode {
  const m = /^resize:(\d+)x(\d+)$/i.exec(text);
  if (m) return { kind: 'resize', width: Number(m[1]), height: Number(m[2]) };
  const c = /^crop:(\d+)(?:@(\d+)x(\d+))?$/i.exec(text);
  if (c) {
    const size = Number(c[1]);
    const width = c[2] ? Number(c[2]) : Math.round(size * 1.25);
    const height = c[3] ? Number(c[3]) : Math.round(size * 1.25);
    return { kind: 'crop', size, width, height };
  }
  throw new Error(`Input mode "${text}" is not understood: use resize:WxH (e.g. resize:128x128) or crop:S (e.g. crop:96).`);
}

export function formatInputMode(mode: InputMode): string {
  return mode.kind === 'resize' ? `resize:${mode.width}x${mode.height}` : `crop:${mode.size}@${mode.width}x${mode.height}`;
}
