/**
 * A paired difference over repeats (DML − baseline, say, repeat by repeat): mean, sample sd, the
 * 95% t interval mean ± t(0.975, N−1)·sd/√N, the per-repeat values and how many are > 0.
 */

export interface PairedDifference {
  metric: 'srcc';
  mean: number;
  /** Sample standard deviation (N − 1); NaN for one repeat. */
  sd: number;
  /** 95% t interval; [NaN, NaN] for one repeat. */
  ci95: [number, number];
  perRepeat: number[];
  /** Repeats in which the first network beat the second. */
  wins: number;
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7): enough for the beta function below to 1e-13. */
function lnGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The regularised incomplete beta function I_x(a, b), by its continued fraction (Lentz). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x)) / a;
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 300; m++) {
    for (const num of [(m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)), (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1))]) {
      d = 1 + num * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + num / c;
      if (Math.abs(c) < tiny) c = tiny;
      h *= c * d;
    }
    if (Math.abs(c * d - 1) < 1e-15) break;
  }
  return front * h;
}

/** t(0.975, df) of Student's t: the t with CDF 0.975, by bisection on 1 − I_{df/(df+t²)}(df/2, 1/2)/2. */
export function tQuantile975(df: number): number {
  if (!(df > 0)) return NaN;
  const cdf = (t: number) => 1 - 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  let lo = 0;
  let hi = 1e4;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) < 0.975) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export function pairedDifference(perRepeat: readonly number[]): PairedDifference {
  const n = perRepeat.length;
  const mean = n ? perRepeat.reduce((s, v) => s + v, 0) / n : NaN;
  const sd = n > 1 ? Math.sqrt(perRepeat.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : NaN;
  const half = n > 1 ? (tQuantile975(n - 1) * sd) / Math.sqrt(n) : NaN;
  return { metric: 'srcc', mean, sd, ci95: [mean - half, mean + half], perRepeat: [...perRepeat], wins: perRepeat.filter((v) => v > 0).length };
}
