import * as tf from '@tensorflow/tfjs';
import type { Cohort } from './cohort';
import type { CohortState, SavedTensor } from './savedState';

export type { CohortState, SavedTensor } from './savedState';

async function save(named: { name: string; tensor: tf.Tensor }[]): Promise<SavedTensor[]> {
  return Promise.all(
    named.map(async ({ name, tensor }) => ({ name, shape: tensor.shape.slice(), data: Float32Array.from(await tensor.data()) })),
  );
}

/** Every weight of a network, in the order the model lists them (the order importCohortState restores by). */
export function saveNetWeights(net: tf.LayersModel): Promise<SavedTensor[]> {
  return save(net.weights.map((w) => ({ name: w.originalName, tensor: w.read() })));
}

/**
 * Adam's running β powers. Its setWeights recomputes them as β^(t+1), which differs from
 * the running product in the last bits; Adam turns such noise on near-zero gradients into
 * ±lr steps, so a resumed run would drift. We save and restore them exactly.
 */
interface AdamBetaPowers {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}
const BETA_POWERS = ['accBeta1', 'accBeta2'] as const;

export async function exportCohortState(cohort: Cohort): Promise<CohortState> {
  const nets = await Promise.all(cohort.nets.map(saveNetWeights));
  const optimizers = await Promise.all(
    cohort.optimizers.map(async (o) => {
      const slots = await o.getWeights();
      // slots[0] is a fresh 'iter' scalar made for this call; the rest are Adam's live variables.
      try {
        if ((await slots[0]!.tensor.data())[0] === 0) return [];
        const powers = o as unknown as AdamBetaPowers;
        return await save([...slots, ...BETA_POWERS.map((name) => ({ name, tensor: powers[name] }))]);
      } finally {
        slots[0]!.tensor.dispose();
      }
    }),
  );
  return { nets, optimizers };
}

/**
 * Load a saved state into a cohort built from the same config (any backend). Weights are
 * matched by their layer-local position; Adam's moments keep the order the trainer applies them in.
 */
export async function importCohortState(cohort: Cohort, state: CohortState): Promise<void> {
  if (state.nets.length !== cohort.size) throw new Error(`The checkpoint has ${state.nets.length} networks, the run has ${cohort.size}.`);
  cohort.nets.forEach((net, k) => {
    const saved = state.nets[k]!;
    if (saved.length !== net.weights.length) throw new Error(`Network ${k + 1}: the checkpoint has ${saved.length} weights, the model ${net.weights.length}.`);
    // Variables share the new tensors' data (ref-counted), so the temporaries can go.
    tf.tidy(() => net.setWeights(saved.map((s) => tf.tensor(s.data, s.shape))));
  });
  for (const [k, o] of cohort.optimizers.entries()) {
    const saved = state.optimizers[k]!;
    if (!saved.length) continue; // no step taken yet: Adam creates its slots on the first one
    const named = saved.map((s) => ({ name: s.name, tensor: tf.tensor(s.data, s.shape) }));
    const powers = named.splice(named.length - BETA_POWERS.length);
    await o.setWeights(named);
    powers.forEach((p, i) => (o as unknown as AdamBetaPowers)[BETA_POWERS[i]!].assign(p.tensor));
    for (const n of [...named, ...powers]) n.tensor.dispose();
  }
}
