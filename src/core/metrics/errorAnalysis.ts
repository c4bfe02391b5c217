/**
 * Error analysis of one network's test predictions: |prediction − MOS| against MOS as a 2-D
 * histogram, SRCC per distortion type, and the images predicted worst. Pure TypeScript.
 */
import { assertSameLength, spearman } from './correlation';
import { fitLogistic } from './logistic';

/**
 * Which predictions the errors are taken on: 'raw' (the network's output, as RMSE is computed),
 * or 'logistic' (mapped onto the MOS scale by the 4-parameter logistic fitted to this set, as
 * the fitted PLCC is): the second forgives a monotonic miscalibration, the first does not.
 */
export type ErrorBasis = 'raw' | 'logistic';

/** The predictions on `basis`; `fitted` is false when the logistic could not be fitted (then they are the raw ones). */
export function predictionsOn(basis: ErrorBasis, pred: ArrayLike<number>, mos: ArrayLike<number>): { values: number[]; fitted: boolean } {
  assertSameLength(pred, mos, 'predictionsOn');
  const raw = Array.from(pred);
  if (basis === 'raw') return { values: raw, fitted: false };
  const fit = fitLogistic(pred, mos);
  return { values: fit.fitted ? raw.map((x) => fit.predict(x)) : raw, fitted: fit.fitted };
}

/** A step of 1, 2, 2.5 or 5 × 10^k: edges a reader can read off the axis. */
function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * p;
}

/**
 * Equal-width bin edges covering [lo, hi] on a round step, about `bins` bins (never fewer than 1).
 * Fixed by the range alone, so two networks drawn with the same range share their edges.
 */
export function niceEdges(lo: number, hi: number, bins: number): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (hi <= lo) return [lo, lo + 1];
  const step = niceStep((hi - lo) / Math.max(1, bins));
  const start = Math.floor(lo / step) * step;
  const n = Math.max(1, Math.ceil((hi - start) / step - 1e-9));
  // toPrecision: 0.1 × 3 is 0.30000000000000004, an edge that would print badly.
  return Array.from({ length: n + 1 }, (_, i) => Number((start + i * step).toPrecision(12)));
}

/** Counts over a grid of bins. */
export interface Histogram2D {
  /** Bin edges along x (MOS), ascending. Bin i holds edges[i] ≤ v < edges[i+1]; the last bin also holds its right edge (NumPy's rule). */
  xEdges: number[];
  /** Bin edges along y (|error|), ascending, same rule. */
  yEdges: number[];
  /** counts[j][i]: pairs in y bin j and x bin i. */
  counts: number[][];
  /** Pairs counted. */
  counted: number;
  /** Pairs left out: a value not finite or outside the edges. */
  outside: number;
}

function binOf(v: number, edges: readonly number[]): number {
  const last = edges.length - 1;
  if (!(v >= edges[0]! && v <= edges[last]!)) return -1;
  if (v === edges[last]) return last - 1;
  let lo = 0;
  let hi = last;
  // Largest i with edges[i] ≤ v.
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (edges[mid]! <= v) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** A 2-D histogram of the pairs (x[k], y[k]) with the given edges: what numpy.histogram2d(x, y, [xEdges, yEdges]) counts, transposed. */
export function histogram2d(x: ArrayLike<number>, y: ArrayLike<number>, xEdges: readonly number[], yEdges: readonly number[]): Histogram2D {
  assertSameLength(x, y, 'histogram2d');
  if (xEdges.length < 2 || yEdges.length < 2) throw new Error('histogram2d: each axis needs at least two edges.');
  const counts = Array.from({ length: yEdges.length - 1 }, () => new Array<number>(xEdges.length - 1).fill(0));
  let counted = 0;
  for (let k = 0; k < x.length; k++) {
    const i = binOf(x[k]!, xEdges);
    const j = binOf(y[k]!, yEdges);
    if (i < 0 || j < 0) continue;
    counts[j]![i]!++;
    counted++;
  }
  return { xEdges: [...xEdges], yEdges: [...yEdges], counts, counted, outside: x.length - counted };
}

/** |prediction − MOS| per image (NaN where the prediction is not finite). */
export function absoluteErrors(pred: ArrayLike<number>, mos: ArrayLike<number>): number[] {
  assertSameLength(pred, mos, 'absoluteErrors');
  return Array.from(pred, (p, k) => Math.abs(p - mos[k]!));
}

export interface ErrorHistogramOptions {
  /** Edges along MOS; default: niceEdges over the MOS range, about `bins[0]` bins. */
  mosEdges?: readonly number[];
  /** Edges along |error|; default: niceEdges from 0 to the largest error, about `bins[1]` bins. */
  errorEdges?: readonly number[];
  bins?: [number, number];
}

/** |prediction − MOS| against MOS as a 2-D histogram (x: MOS, y: |error|). */
export function errorHistogram(pred: ArrayLike<number>, mos: ArrayLike<number>, opts: ErrorHistogramOptions = {}): Histogram2D {
  const err = absoluteErrors(pred, mos);
  const [mosBins, errBins] = opts.bins ?? [10, 8];
  const finite = (v: number[]) => v.filter(Number.isFinite);
  const m = finite(Array.from(mos));
  const e = finite(err);
  const mosEdges = opts.mosEdges ?? niceEdges(Math.min(...m), Math.max(...m), mosBins);
  const errorEdges = opts.errorEdges ?? niceEdges(0, e.length ? Math.max(...e) : 1, errBins);
  return histogram2d(mos, err, mosEdges, errorEdges);
}

/** One distortion type's SRCC on the test set. */
export interface TypeSrcc {
  type: string;
  /** Test images of this type. */
  n: number;
  /** null below MIN_TYPE_IMAGES images: a rank correlation over one or two images means nothing. */
  srcc: number | null;
}

/** A type needs this many test images for its SRCC to be shown. */
export const MIN_TYPE_IMAGES = 3;

/** Numeric labels ("2" < "10") in number order, others in text order. */
function compareTypes(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(x) && Number.isFinite(y) && x !== y) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * SRCC of the predictions against MOS within each distortion type (`types[k]` of image k;
 * undefined: none known). Types sorted by label; `untyped` counts images without a type.
 */
export function srccByType(
  pred: ArrayLike<number>,
  mos: ArrayLike<number>,
  types: readonly (string | undefined)[],
): { rows: TypeSrcc[]; untyped: number } {
  assertSameLength(pred, mos, 'srccByType');
  if (types.length !== pred.length) throw new Error(`srccByType: ${types.length} types for ${pred.length} predictions.`);
  const groups = new Map<string, number[]>();
  let untyped = 0;
  types.forEach((t, k) => {
    if (t === undefined || t === '') untyped++;
    else groups.set(t, [...(groups.get(t) ?? []), k]);
  });
  const rows = [...groups.entries()]
    .sort(([a], [b]) => compareTypes(a, b))
    .map(([type, idx]) => ({
      type,
      n: idx.length,
      srcc: idx.length < MIN_TYPE_IMAGES ? null : spearman(idx.map((k) => pred[k]!), idx.map((k) => mos[k]!)),
    }));
  return { rows, untyped };
}

/** One badly predicted image. */
export interface WorstImage {
  /** Its position in the predictions (the test set's order). */
  index: number;
  prediction: number;
  mos: number;
  /** prediction − MOS: above 0 the network overrates the image. NaN for a prediction that is not a number. */
  error: number;
}

/**
 * The k images with the largest |prediction − MOS|, largest first (ties: the earlier image
 * first). A prediction that is not finite is the worst of all: those come first.
 */
export function worstPredicted(pred: ArrayLike<number>, mos: ArrayLike<number>, k = 10): WorstImage[] {
  assertSameLength(pred, mos, 'worstPredicted');
  const all: WorstImage[] = Array.from(pred, (p, index) => ({ index, prediction: p, mos: mos[index]!, error: Number.isFinite(p) ? p - mos[index]! : NaN }));
  const key = (w: WorstImage) => (Number.isNaN(w.error) ? Infinity : Math.abs(w.error));
  return all.sort((a, b) => key(b) - key(a) || a.index - b.index).slice(0, Math.max(0, k));
}
