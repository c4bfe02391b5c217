/**
 * Correlations and error between predictions and MOS, matching SciPy.
 *
 * Degenerate input — fewer than 2 pairs, a constant vector, or a NaN/Infinity
 * anywhere — gives NaN rather than throwing, as SciPy does: a model that predicts
 * one value for every image has no correlation, and the caller shows "n/a".
 * Vectors of different lengths are a programming error and do throw.
 */
import { averageRanks } from './rank';

export function assertSameLength(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  if (a.length !== b.length) {
    throw new Error(
      `${what}: the predictions have ${a.length} values but the MOS have ${b.length}; ` +
        'they must pair up one to one (same images, same order).',
    );
  }
}

function allFinite(x: ArrayLike<number>): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i]!)) return false;
  return true;
}

function usable(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  return a.length >= 2 && allFinite(a) && allFinite(b);
}

function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s / x.length;
}

/** Pearson linear correlation (PLCC). NaN when either vector is constant. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assertSameLength(a, b, 'pearson');
  if (!usable(a, b)) return NaN;
  // Two-pass (centre first) so large offsets such as MOS on 0-100 lose no precision.
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa === 0 || sbb === 0) return NaN;
  const r = sab / Math.sqrt(saa * sbb);
  // Rounding can push |r| a hair past 1; SciPy clips too.
  return Math.max(-1, Math.min(1, r));
}

/** Spearman rank correlation (SRCC): Pearson of the average ranks. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assertSameLength(a, b, 'spearman');
  if (!usable(a, b)) return NaN;
  return pearson(averageRanks(a), averageRanks(b));
}

/** Number of unordered pairs within runs of equal values of a sorted sequence. */
function tiedPairs(sorted: ArrayLike<number>): number {
  let pairs = 0;
  let run = 1;
  for (let i = 1; i <= sorted.length; i++) {
    if (i < sorted.length && sorted[i] === sorted[i - 1]) {
      run++;
    } else {
      pairs += (run * (run - 1)) / 2;
      run = 1;
    }
  }
  return pairs;
}

/**
 * Sorts `v` ascending in place (merge sort) and returns how many pairs i < j had
 * v[i] > v[j] strictly — equal values are not counted, they are ties.
 */
function sortCountingInversions(v: Float64Array): number {
  const n = v.length;
  let src: Float64Array = v;
  let dst: Float64Array = new Float64Array(n);
  let inversions = 0;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        if (src[j]! < src[i]!) {
          inversions += mid - i; // src[j] is smaller than every remaining left value
          dst[k++] = src[j++]!;
        } else {
          dst[k++] = src[i++]!;
        }
      }
      while (i < mid) dst[k++] = src[i++]!;
      while (j < hi) dst[k++] = src[j++]!;
    }
    [src, dst] = [dst, src];
  }
  if (src !== v) v.set(src);
  return inversions;
}

/**
 * Kendall tau-b (KRCC), tie-corrected as `scipy.stats.kendalltau`:
 * tau = (n0 − n1 − n2 + n3 − 2·discordant) / sqrt((n0 − n1)(n0 − n2)),
 * with n0 all pairs, n1/n2 pairs tied in a/b and n3 pairs tied in both.
 * Knight's O(n log n) algorithm: sort by (a, b), then count the inversions of b
 * with a merge sort; those are exactly the discordant pairs.
 */
export function kendallTauB(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assertSameLength(a, b, 'kendallTauB');
  if (!usable(a, b)) return NaN;
  const n = a.length;
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((i, j) => a[i]! - a[j]! || b[i]! - b[j]!);
  const sa = new Float64Array(n);
  const sb = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    sa[k] = a[order[k]!]!;
    sb[k] = b[order[k]!]!;
  }

  let jointTies = 0;
  let run = 1;
  for (let k = 1; k <= n; k++) {
    if (k < n && sa[k] === sa[k - 1] && sb[k] === sb[k - 1]) {
      run++;
    } else {
      jointTies += (run * (run - 1)) / 2;
      run = 1;
    }
  }
  const tiesA = tiedPairs(sa);
  const discordant = sortCountingInversions(sb); // sb is sorted afterwards
  const tiesB = tiedPairs(sb);

  const total = (n * (n - 1)) / 2;
  if (total === tiesA || total === tiesB) return NaN; // a or b constant
  const concordantMinusDiscordant = total - tiesA - tiesB + jointTies - 2 * discordant;
  const tau = concordantMinusDiscordant / Math.sqrt(total - tiesA) / Math.sqrt(total - tiesB);
  return Math.max(-1, Math.min(1, tau));
}

/** Root-mean-square error between raw predictions and MOS (no fit applied). NaN when empty. */
export function rmse(p: ArrayLike<number>, y: ArrayLike<number>): number {
  assertSameLength(p, y, 'rmse');
  if (p.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const d = p[i]! - y[i]!;
    s += d * d;
  }
  return Math.sqrt(s / p.length);
}
