/**
 * The 4-parameter logistic that IQA papers fit before reporting PLCC:
 *   f(p) = (a − b) / (1 + exp(−(p − c) / |d|)) + b
 * with start values a = max(y), b = min(y), c = mean(p), d = 1, fitted by
 * Levenberg–Marquardt least squares (what `scipy.optimize.curve_fit` does).
 *
 * The fit maps a model's scale onto the MOS scale without changing its ranking,
 * so PLCC after the fit measures linearity up to a monotone distortion.
 *
 * Sign rule: the fitted PLCC must never turn a negative correlation positive.
 * An unconstrained fit cannot promise that: on a prediction that falls as MOS
 * rises it swaps a and b into a decreasing curve, and Pearson(f(p), y) is then
 * positive (at any least-squares optimum cov(f(p), y) = var(f(p)) ≥ 0, because
 * the residuals are orthogonal to the curve's scale and offset). So the curve is
 * fitted to s·p, with s = sign of the raw Pearson correlation (+1 when it is 0 or
 * undefined), and kept only if it is increasing in s·p (a ≥ b); the fitted PLCC
 * is s·Pearson(f(s·p), y). Its sign is thus always the raw PLCC's, and negating
 * the predictions exactly negates it.
 */
import { pearson } from './correlation';

/** Parameters of f(x) = logistic4(direction·x, a, b, c, d), x a raw prediction. */
export interface LogisticFit {
  a: number;
  b: number;
  c: number;
  d: number;
  /**
   * +1 or −1: the curve is fitted to `direction`·p, `direction` being the sign of
   * the raw Pearson correlation, so it always rises in `direction`·p (a ≥ b).
   * The fitted PLCC is `direction`·Pearson(predict(p), y). 1 when not fitted.
   */
  direction: 1 | -1;
  /**
   * False when no usable fit exists — also when the best curve found falls in
   * `direction`·p, which would flip the sign: then `predict` is the identity (raw predictions).
   */
  fitted: boolean;
  /** Sum of squared residuals of `predict` on the training pairs. */
  sse: number;
  /** Accepted Levenberg–Marquardt steps. */
  iterations: number;
  /** logistic4(direction·x, a, b, c, d) for a raw prediction x. */
  predict(x: number): number;
}

export interface LogisticOptions {
  /** Cap on Levenberg–Marquardt iterations (each may retry with more damping). Default 1000. */
  maxIterations?: number;
}

/** 1 / (1 + exp(−z)) without overflow for large |z|. */
function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

export function logistic4(x: number, a: number, b: number, c: number, d: number): number {
  return (a - b) * sigmoid((x - c) / Math.abs(d)) + b;
}

type Params = [number, number, number, number];

function sumSquaredResiduals(p: ArrayLike<number>, y: ArrayLike<number>, t: Params): number {
  const [a, b, c, d] = t;
  const ad = Math.abs(d);
  if (!(ad > 0) || !Number.isFinite(a + b + c + ad)) return Infinity;
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const r = y[i]! - ((a - b) * sigmoid((p[i]! - c) / ad) + b);
    s += r * r;
  }
  return Number.isFinite(s) ? s : Infinity;
}

/** Solves the 4×4 system A·x = g by Gaussian elimination with partial pivoting; null if singular. */
function solve4(A: number[][], g: number[]): number[] | null {
  const m = A.map((row, i) => [...row, g[i]!]);
  for (let col = 0; col < 4; col++) {
    let piv = col;
    for (let r = col + 1; r < 4; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[piv]![col]!)) piv = r;
    if (!(Math.abs(m[piv]![col]!) > 0)) return null;
    [m[col], m[piv]] = [m[piv]!, m[col]!];
    const pivotRow = m[col]!;
    for (let r = col + 1; r < 4; r++) {
      const row = m[r]!;
      const f = row[col]! / pivotRow[col]!;
      for (let k = col; k < 5; k++) row[k] = row[k]! - f * pivotRow[k]!;
    }
  }
  const x = [0, 0, 0, 0];
  for (let r = 3; r >= 0; r--) {
    const row = m[r]!;
    let s = row[4]!;
    for (let k = r + 1; k < 4; k++) s -= row[k]! * x[k]!;
    x[r] = s / row[r]!;
  }
  return x.every(Number.isFinite) ? x : null;
}

function identityFit(p: ArrayLike<number>, y: ArrayLike<number>, start: Params): LogisticFit {
  let sse = 0;
  for (let i = 0; i < p.length; i++) sse += (y[i]! - p[i]!) ** 2;
  const [a, b, c, d] = start;
  return { a, b, c, d, direction: 1, fitted: false, sse, iterations: 0, predict: (x: number) => x };
}

function startValues(p: ArrayLike<number>, y: ArrayLike<number>): Params {
  let maxY = -Infinity;
  let minY = Infinity;
  let sumP = 0;
  for (let i = 0; i < p.length; i++) {
    maxY = Math.max(maxY, y[i]!);
    minY = Math.min(minY, y[i]!);
    sumP += p[i]!;
  }
  return [maxY, minY, p.length > 0 ? sumP / p.length : 0, 1];
}

/**
 * Fits the logistic to predictions `p` and MOS `y`, rising in `direction`·p (see
 * the sign rule at the top). Never returns NaN: with fewer than 4 pairs (4
 * parameters), non-finite input, a fit that cannot be evaluated, or a best curve
 * that falls in `direction`·p, it falls back to the identity (`fitted: false`) so
 * PLCC is then the raw PLCC. Non-convergence is not an error: the best
 * parameters found within `maxIterations` are returned.
 */
export function fitLogistic(
  p: ArrayLike<number>,
  y: ArrayLike<number>,
  options: LogisticOptions = {},
): LogisticFit {
  if (p.length !== y.length) {
    throw new Error(
      `fitLogistic: the predictions have ${p.length} values but the MOS have ${y.length}; ` +
        'they must pair up one to one.',
    );
  }
  const raw = () => identityFit(p, y, startValues(p, y));
  if (p.length < 4) return raw();
  for (let i = 0; i < p.length; i++) {
    if (!Number.isFinite(p[i]!) || !Number.isFinite(y[i]!)) return raw();
  }
  // Pearson is NaN for a constant vector: fit as is then (there is no sign to keep).
  const direction: 1 | -1 = pearson(p, y) < 0 ? -1 : 1;
  const q = direction === 1 ? p : Float64Array.from(p, (x) => -x);
  const fit = fitFromStart(q, y, options);
  // A falling curve in direction·p would report the opposite sign: no increasing fit found.
  if (!fit || fit.a < fit.b) return raw();
  const { a, b, c, d } = fit;
  return { ...fit, direction, fitted: true, predict: (x: number) => logistic4(direction * x, a, b, c, d) };
}

/**
 * Unconstrained Levenberg–Marquardt from the standard start values, as
 * `scipy.optimize.curve_fit` does; null when the result cannot be evaluated.
 */
function fitFromStart(
  p: ArrayLike<number>,
  y: ArrayLike<number>,
  options: LogisticOptions,
): { a: number; b: number; c: number; d: number; sse: number; iterations: number } | null {
  const n = p.length;
  const start = startValues(p, y);
  const maxIterations = options.maxIterations ?? 1000;
  const ftol = 1.49e-8; // relative SSE reduction regarded as "no progress" (MINPACK's default, as SciPy)
  const xtol = 1.49e-8; // relative scaled step regarded as "not moving" (MINPACK's default)
  let t: Params = [...start];
  let sse = sumSquaredResiduals(p, y, t);
  if (!Number.isFinite(sse)) return null;

  // Damping μ and its growth factor ν follow Nielsen's update (Madsen, Nielsen &
  // Tingleff, "Methods for non-linear least squares problems", 2004): μ shrinks
  // smoothly when the quadratic model predicts the SSE drop well, and grows
  // geometrically after each rejected step.
  let mu = 1e-3;
  let nu = 2;
  const scale = [0, 0, 0, 0]; // Marquardt scaling D: running max of JᵀJ's diagonal
  let iterations = 0;
  const J = [0, 0, 0, 0];

  outer: while (iterations < maxIterations && sse > 0) {
    // Normal equations JᵀJ·δ = Jᵀr with J = ∂f/∂(a,b,c,d) and r = y − f.
    const H = new Float64Array(16); // JᵀJ, row-major
    const g = [0, 0, 0, 0];
    const [a, b, c, d] = t;
    const ad = Math.abs(d);
    const signD = d < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) {
      const z = (p[i]! - c) / ad;
      // s = sigmoid(z) and 1 − s, both from one exp and without cancellation.
      const e = Math.exp(-Math.abs(z));
      const s = z >= 0 ? 1 / (1 + e) : e / (1 + e);
      const oneMinusS = z >= 0 ? e / (1 + e) : 1 / (1 + e);
      const slope = (a - b) * s * oneMinusS; // ∂f/∂z
      J[0] = s;
      J[1] = oneMinusS;
      J[2] = -slope / ad;
      J[3] = (-slope * z * signD) / ad;
      const r = y[i]! - ((a - b) * s + b);
      for (let j = 0; j < 4; j++) {
        const Jj = J[j]!;
        g[j] = g[j]! + Jj * r;
        for (let k = j; k < 4; k++) H[4 * j + k] = H[4 * j + k]! + Jj * J[k]!;
      }
    }
    for (let j = 0; j < 4; j++) for (let k = 0; k < j; k++) H[4 * j + k] = H[4 * k + j]!;
    const JtJ = [0, 1, 2, 3].map((j) => Array.from(H.subarray(4 * j, 4 * j + 4)));
    for (let j = 0; j < 4; j++) scale[j] = Math.max(scale[j]!, JtJ[j]![j]!);
    const maxScale = Math.max(...scale);
    if (!(maxScale > 0)) break; // flat everywhere: nothing to fit
    const floor = maxScale * 1e-12; // keeps the damped system non-singular
    const D = scale.map((v) => Math.max(v, floor));

    // First-order optimality: gradient negligible relative to the residual.
    let gradientTiny = true;
    for (let j = 0; j < 4; j++) {
      if (Math.abs(g[j]!) > 1e-14 * Math.sqrt(D[j]! * sse)) gradientTiny = false;
    }
    if (gradientTiny) break;

    // Raise the damping until a step lowers the SSE.
    for (;;) {
      const A = JtJ.map((row, j) => row.map((v, k) => (j === k ? v + mu * D[j]! : v)));
      const step = solve4(A, g);
      if (step) {
        const trial: Params = [t[0] + step[0]!, t[1] + step[1]!, t[2] + step[2]!, t[3] + step[3]!];
        const trialSse = sumSquaredResiduals(p, y, trial);
        // Predicted drop of the linearised model: ||r||² − ||r − Jδ||² = δᵀg + μ·δᵀDδ.
        let predicted = 0;
        let stepNorm = 0;
        let paramNorm = 0;
        for (let j = 0; j < 4; j++) {
          predicted += step[j]! * g[j]! + mu * D[j]! * step[j]! ** 2;
          stepNorm += D[j]! * step[j]! ** 2;
          paramNorm += D[j]! * t[j]! ** 2;
        }
        const actual = sse - trialSse;
        if (actual > 0) {
          iterations++;
          const rho = predicted > 0 ? actual / predicted : 1;
          t = trial;
          sse = trialSse;
          // Floor: μ = 0 would leave a singular system with nothing to raise it from.
          mu = Math.max(mu * Math.max(1 / 3, 1 - (2 * rho - 1) ** 3), 1e-15);
          nu = 2;
          const tinyReduction = actual <= ftol * (sse + actual) && predicted <= ftol * (sse + actual);
          if (tinyReduction || Math.sqrt(stepNorm) <= xtol * (Math.sqrt(paramNorm) + xtol)) break outer;
          continue outer;
        }
      }
      mu *= nu;
      nu *= 2;
      if (!(mu < 1e20)) break outer; // no downhill step exists at any damping: a minimum
    }
  }

  const [a, b, c, d] = t;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(logistic4(p[i]!, a, b, c, d))) return null;
  }
  return { a, b, c, d, sse, iterations };
}
