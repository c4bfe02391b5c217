/**
 * IQA metrics: SRCC, KRCC, PLCC (raw and after the 4-parameter
 * logistic fit) and RMSE, plus the cross-validation summary. Pure TypeScript in
 * float64; inputs may be number arrays or typed arrays.
 */
import { assertSameLength, kendallTauB, pearson, rmse, spearman } from './correlation';
import { fitLogistic } from './logistic';

export { averageRanks } from './rank';
export { kendallTauB, pearson, rmse, spearman } from './correlation';
export { fitLogistic, logistic4, type LogisticFit, type LogisticOptions } from './logistic';
export { summarize, type Summary } from './summary';
export { SMALL_SET_IMAGES, smallSetWarning } from './smallSet';
export { pairedDifference, tQuantile975, type PairedDifference } from './paired';

export interface IqaMetrics {
  /** Spearman rank correlation, average ranks for ties. */
  srcc: number;
  /** Kendall tau-b. */
  krcc: number;
  /**
   * Pearson correlation of the logistic-fitted predictions with MOS, with the sign
   * of plccRaw (the curve is fitted rising in sign(plccRaw)·pred); equals plccRaw if the fit fails.
   */
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
    // The curve rises in direction·p, so carrying the direction keeps the raw PLCC's sign.
    // r ≥ 0 at any least-squares optimum; NaN when the fit collapsed to a constant (e.g. a
    // step far from every point). Keep the raw value unless r is a usable, non-negative value.
    const r = pearson(fitted, mos);
    if (Number.isFinite(r) && r >= 0) plcc = fit.direction * r;
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
