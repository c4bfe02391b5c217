/**
 * Ranks for rank correlations. Ties share the average of the ranks they span
 * (SciPy's `rankdata(method='average')`), which is what SRCC with ties needs.
 */

/** Indices of `x` in ascending order of value (stable, so equal values keep input order). */
export function argsortAscending(x: ArrayLike<number>): number[] {
  const idx = Array.from({ length: x.length }, (_, i) => i);
  idx.sort((i, j) => x[i]! - x[j]!);
  return idx;
}

/**
 * 1-based average ranks: `averageRanks([10, 20, 20, 5])` is `[2, 3.5, 3.5, 1]`.
 * Values must be comparable (no NaN); callers check for non-finite input first.
 */
export function averageRanks(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const order = argsortAscending(x);
  const ranks = new Float64Array(n);
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && x[order[end]!] === x[order[start]!]) end++;
    // Positions start..end-1 (0-based) hold one tied value: ranks start+1..end.
    const avg = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]!] = avg;
    start = end;
  }
  return ranks;
}
