/**
 * Summary over cross-validation splits (mean, median and standard
 * deviation of SRCC and PLCC over N random splits).
 */

export interface Summary {
  mean: number;
  median: number;
  /** Sample standard deviation (ddof = 1, like `numpy.std(x, ddof=1)`): the splits are a sample. NaN for n < 2. */
  std: number;
  n: number;
}

/**
 * Mean, median and sample std of `values`. Empty input gives NaN statistics;
 * any NaN value (e.g. SRCC of a split where the model predicted a constant)
 * makes every statistic NaN, so a broken split is visible rather than hidden.
 */
export function summarize(values: ArrayLike<number>): Summary {
  const n = values.length;
  const xs = Array.from(values);
  if (n === 0 || xs.some(Number.isNaN)) return { mean: NaN, median: NaN, std: NaN, n };
  const mean = xs.reduce((s, v) => s + v, 0) / n;
  const sorted = [...xs].sort((u, v) => u - v);
  const mid = Math.floor(n / 2);
  const median = n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  // ddof = 1: divide by n − 1 because the splits sample the population of possible splits.
  const std = n < 2 ? NaN : Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  return { mean, median, std, n };
}
