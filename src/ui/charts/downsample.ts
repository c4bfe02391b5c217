/**
 * Fewer points to draw, same picture: split the series into buckets and keep each bucket's
 * lowest and highest point (in order), so spikes survive and thousands of steps stay smooth.
 */
export function downsampleMinMax<T>(rows: readonly T[], maxPoints: number, value: (row: T) => number): T[] {
  const n = rows.length;
  if (n <= maxPoints || maxPoints < 4) return rows.slice();
  // First and last always kept; the inner points go into buckets of two kept points each.
  const buckets = Math.floor((maxPoints - 2) / 2);
  const size = (n - 2) / buckets;
  const out: T[] = [rows[0]!];
  for (let b = 0; b < buckets; b++) {
    const start = 1 + Math.floor(b * size);
    const end = Math.min(n - 1, 1 + Math.floor((b + 1) * size));
    let lo = start;
    let hi = start;
    for (let i = start; i < end; i++) {
      const v = value(rows[i]!);
      if (v < value(rows[lo]!)) lo = i;
      // A NaN (a diverged loss) must stay visible: it counts as the bucket's highest and is never replaced.
      const top = value(rows[hi]!);
      if (!Number.isNaN(top) && (Number.isNaN(v) || v > top)) hi = i;
    }
    if (lo === hi) out.push(rows[lo]!);
    else out.push(rows[Math.min(lo, hi)]!, rows[Math.max(lo, hi)]!);
  }
  out.push(rows[n - 1]!);
  return out;
}
