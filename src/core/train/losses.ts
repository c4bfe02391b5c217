import * as tf from '@tensorflow/tfjs';

/**
 * sg(x): the value of x, with no gradient flowing back through it. TF.js has no
 * stopGradient op; a customGrad whose gradient is zero is exactly one.
 */
export const stopGradient = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
  value: (args[0] as tf.Tensor).clone(),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as (x: tf.Tensor) => tf.Tensor;

export function mse(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.mean(tf.squaredDifference(a, b));
}

/**
 * SPEC §1 losses for a cohort, given each peer's predictions on the batch:
 * L_k = MSE(p_k, y) + λ · mean_{j≠k} MSE(p_k, sg(p_j)). With one peer it is the baseline MSE.
 * Returns per peer [supervised, mimicry, total] as a K×3 tensor, and their sum, whose
 * gradient w.r.t. peer k's weights is exactly ∂L_k/∂θ_k because of the stop-gradient.
 */
export function cohortLosses(preds: tf.Tensor[], y: tf.Tensor, lambda: number): { rows: tf.Tensor2D; total: tf.Scalar } {
  const targets = preds.map((p) => stopGradient(p));
  const rows: tf.Tensor1D[] = [];
  let total: tf.Scalar = tf.scalar(0);
  preds.forEach((p, k) => {
    const sup = mse(p, y);
    const others = targets.filter((_, j) => j !== k);
    const mim: tf.Scalar = others.length ? tf.mean(tf.stack(others.map((t) => mse(p, t)))) : tf.scalar(0);
    const lk = tf.add(sup, tf.mul(lambda, mim)) as tf.Scalar;
    rows.push(tf.stack([sup, mim, lk]) as tf.Tensor1D);
    total = tf.add(total, lk);
  });
  return { rows: tf.stack(rows) as tf.Tensor2D, total };
}
