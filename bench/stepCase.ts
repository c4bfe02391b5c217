/**
 * One cohort's training step on a fixed random batch, for the kernel benches (profileStep,
 * stepAB): the demo's config at the given model, size and batch, Node on wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { QUICK_DEMO, type TrainConfig } from '../src/core/train/config';
import { createCohort, type Cohort } from '../src/core/train/cohort';
import { initNodeBackend } from '../src/node/tfNode';

export interface StepCase {
  cohort: Cohort;
  step(): Promise<unknown>;
  dispose(): void;
}

export async function stepCase(opts: { model: string; mode: string; size: number; batch: number }): Promise<StepCase> {
  await initNodeBackend('wasm');
  const { size, batch } = opts;
  const config: TrainConfig = { ...QUICK_DEMO, model: opts.model as TrainConfig['model'], input: { kind: 'resize', width: size, height: size }, batchSize: batch };
  const cohort = createCohort(opts.mode === 'baseline' ? 'baseline' : 'dml', config, 3);
  const x = tf.randomUniform([batch, size, size, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
  const y = tf.randomUniform([batch], 1, 5, 'float32', 2) as tf.Tensor1D;
  return {
    cohort,
    step: () => cohort.step(x, y),
    dispose: () => {
      cohort.dispose();
      x.dispose();
      y.dispose();
    },
  };
}

/** CPU time of this process in ms (user + system): other processes on a loaded machine inflate it far less than wall time. */
export function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}
