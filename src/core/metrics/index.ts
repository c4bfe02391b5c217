/**
 * IQA metrics (SPEC §2): SRCC, KRCC, PLCC (raw and after the 4-parameter
 * logistic fit) and RMSE, plus the cross-validation summary. Pure TypeScript in
 * float64; inputs may be number arrays or typed arrays.
 */
import { assertSameLength, kendallTauB, pearson, rmse, spearman } from './correlation';
import { fitLogistic } from './logistic';

export { averageRanks } from './rank';
export { kendallTauB, pearson, rmse, spearman } from './correlation';
export { fitLogistic, logistic4, type LogisticFit, type LogisticOptions } from './logistic';
export { summarize, type Summary } from './summary';

export interface IqaMetrics {
  /** Spearman rank correlation, average ranks for ties. */
  srcc: number;
  /** Kendall tau-b. */
  krcc: number;
  /** Pearson correlation of the logistic-fitted predictions with MOS (equals plccRaw if the fit fails). */
  plcc: number;
  /** Pearson correlation of the raw predictions with MOS. */
  plccRaw: number;
  /** Root-mean-square error of the raw predictions against MOS. */
  rmse: number;
  /** Number of (prediction, MOS) pairs. */
  n: number;
}

/**
 * All metrics for predictions `pred` against `mos`. Never throws on degenerate
 * data: with n < 2, a constant vector, or a NaN/Infinity in the input the
 * correlations are NaN (RMSE is NaN only when n = 0 or a value is not finite).
 * Throws only when the two vectors differ in length.
 */
export function evaluateIqa(pred: ArrayLike<number>, mos: ArrayLike<number>): IqaMetrics {
  assertSameLength(pred, mos, 'evaluateIqa');
  const plccRaw = pearson(pred, mos);
  let plcc = plccRaw;
  if (Number.isFinite(plccRaw)) {
    const fit = fitLogistic(pred, mos);
    const fitted = Float64Array.from(pred, (x) => fit.predict(x));
    const r = pearson(fitted, mos);
    // A fit can collapse to a constant (e.g. a step far from every point): keep the raw value then.
    if (Number.isFinite(r)) plcc = r;
  }
  return {
    srcc: spearman(pred, mos),
    krcc: kendallTauB(pred, mos),
    plcc,
    plccRaw,
    rmse: rmse(pred, mos),
    n: pred.length,
  };
}
