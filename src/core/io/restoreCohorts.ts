/**
 * Between stored checkpoints and live networks: rebuild a run's cohorts from a checkpoint
 * (to resume, export or score), and turn networks read from a zip into a checkpoint (to
 * store an imported run like any other).
 */
import type * as tf from '@tensorflow/tfjs';
import type { Cohort } from '../train/cohort';
import { importCohortState, saveNetWeights, type CohortState } from '../train/cohortState';
import type { TrainConfig } from '../train/config';
import { RUN_KINDS, type RunKind } from '../train/history';
import { createCohort } from '../train/cohort';
import { netsByRun, type LoadedNet } from './modelZip';

/** Cohorts built from `config` with the checkpoint's weights (and Adam state, when it has one). The caller disposes them. */
export async function cohortsFromStates(
  config: TrainConfig,
  states: Partial<Record<RunKind, CohortState>>,
  backbone?: tf.LayersModel,
): Promise<Partial<Record<RunKind, Cohort>>> {
  const out: Partial<Record<RunKind, Cohort>> = {};
  try {
    for (const run of RUN_KINDS) {
      const state = states[run];
      if (!state) continue;
      const cohort = createCohort(run, config, undefined, backbone);
      out[run] = cohort;
      await importCohortState(cohort, state);
    }
  } catch (err) {
    for (const c of Object.values(out)) c.dispose();
    throw err;
  }
  return out;
}

/**
 * A checkpoint of the networks of an imported zip: every weight, in the order the model
 * lists them (the order importCohortState restores by); no optimizer state (a zip has none,
 * so an imported run can be scored and exported but not trained further exactly).
 */
export async function statesFromNets(nets: readonly LoadedNet[]): Promise<Partial<Record<RunKind, CohortState>>> {
  const states: Partial<Record<RunKind, CohortState>> = {};
  for (const { run, group } of netsByRun(nets)) {
    const saved = await Promise.all(group.map((n) => saveNetWeights(n.model)));
    states[run] = { nets: saved, optimizers: group.map(() => []) };
  }
  return states;
}
