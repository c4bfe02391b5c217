import * as tf from '@tensorflow/tfjs';
import { evaluateIqa, type IqaMetrics } from '../metrics';
import { disposeInput, type CohortInput, type InputSource } from './inputs';

export interface CohortPredictions {
  /** Per peer, one prediction per test image (mean over its test views). */
  peers: Float64Array[];
  /** Mean of the peers (each on its own orientation): the DML prediction. Absent for a lone net. */
  ensemble?: Float64Array;
}

export interface CohortMetrics {
  peers: IqaMetrics[];
  ensemble?: IqaMetrics;
}

/** What evaluation needs of a cohort: how many networks, and network k's inference-mode prediction of a batch. */
export interface Predictor {
  size: number;
  predict(k: number, input: CohortInput): tf.Tensor1D;
}

/**
 * Predict every given image with every network in inference mode, averaging over the source's
 * test views (one for resize, 5 crops, or the patch grid). The DML prediction is the mean of
 * the peers, i.e. (A(x) + B(flip(x))) / 2 for a pair.
 */
export async function predictCohort(cohort: Predictor, source: InputSource, idxs: readonly number[], viewsPerBatch = 32): Promise<CohortPredictions> {
  const K = cohort.size;
  const views = source.testViews;
  const peers = Array.from({ length: K }, () => new Float64Array(idxs.length));
  const pairs: [number, number][] = [];
  idxs.forEach((_, t) => views.forEach((_, v) => pairs.push([t, v])));
  for (let s = 0; s < pairs.length; s += viewsPerBatch) {
    const chunk = pairs.slice(s, s + viewsPerBatch);
    const input = source.testBatch(
      chunk.map(([t]) => idxs[t]!),
      chunk.map(([, v]) => views[v]!),
    );
    // Queue every peer's forward before reading any back: one wait per chunk, not one per peer.
    const preds: tf.Tensor1D[] = [];
    let values: tf.TypedArray[];
    try {
      for (let k = 0; k < K; k++) preds.push(cohort.predict(k, input));
      values = await Promise.all(preds.map((p) => p.data()));
    } finally {
      for (const p of preds) p.dispose();
      disposeInput(input);
    }
    values.forEach((vals, k) => chunk.forEach(([t], b) => (peers[k]![t]! += vals[b]! / views.length)));
  }
  if (K === 1) return { peers };
  const ensemble = new Float64Array(idxs.length);
  for (const p of peers) p.forEach((v, t) => (ensemble[t]! += v / K));
  return { peers, ensemble };
}

export function scorePredictions(pred: CohortPredictions, mos: ArrayLike<number>): CohortMetrics {
  return {
    peers: pred.peers.map((p) => evaluateIqa(p, mos)),
    ensemble: pred.ensemble ? evaluateIqa(pred.ensemble, mos) : undefined,
  };
}
