import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../node/tfNode';
import { imagesOf, maxAbsDiff, testConfig, testData, weightsOf } from '../../../test/support/training';
import { createCohort } from './cohort';
import { exportCohortState, importCohortState } from './cohortState';
import { train, trainEpoch } from './loop';
import type { EpochEvent } from './history';

// The engine on the wasm backend, as the CLI and the browser's wasm path run it.
beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('training engine (wasm)', () => {
  it('a short run on generated data lowers the training loss and ranks the test set well', async () => {
    // Scores of the generated set are a formula: mos = 5 − 4·(noise strength).
    const config = testConfig({ mode: 'both', epochs: 5, batchSize: 8, lr: 1e-3 }, 32);
    const data = testData(96, 32, 11);
    const epochs: EpochEvent[] = [];
    const result = await train(config, data, { emit: (e) => e.type === 'epoch' && epochs.push(e) });
    for (const run of ['baseline', 'dml'] as const) {
      const losses = epochs.filter((e) => e.run === run).map((e) => e.trainLoss.supervised[0]!);
      expect(losses).toHaveLength(5);
      expect(losses[4]!).toBeLessThan(losses[0]! * 0.5);
    }
    expect(result.final.baseline!.srcc).toBeGreaterThan(0.7);
    expect(result.final.dml!.ensemble.srcc).toBeGreaterThan(0.7);
    expect(result.final.dml!.peers).toHaveLength(2);
    expect(result.history.map((h) => `${h.run}${h.epoch}`)).toEqual(
      [1, 2, 3, 4, 5].flatMap((e) => [`baseline${e}`, `dml${e}`]),
    );
  });

  it('leaks no tensor: after Adam creates its slots in epoch 1, numTensors is constant per epoch', async () => {
    const config = testConfig({ mode: 'dml', epochs: 3 });
    const data = testData(24);
    const cohort = createCohort('dml', config);
    const trainable = cohort.nets.reduce((s, n) => s + n.trainableWeights.length, 0);
    const counts = [tf.memory().numTensors];
    for (let e = 0; e < 3; e++) {
      await trainEpoch(cohort, 'dml', e, config, data, imagesOf(config, data), () => {});
      counts.push(tf.memory().numTensors);
    }
    // Adam keeps a first and a second moment per trainable variable.
    expect(counts[1]! - counts[0]!).toBe(2 * trainable);
    expect(counts[2]).toBe(counts[1]);
    expect(counts[3]).toBe(counts[1]);
    cohort.dispose();
  });

  it('a cohort saved after epoch 1 and restored continues exactly like an uninterrupted run', async () => {
    const config = testConfig({ mode: 'dml', epochs: 2 });
    const data = testData(24);
    const straight = createCohort('dml', config);
    for (let e = 0; e < 2; e++) await trainEpoch(straight, 'dml', e, config, data, imagesOf(config, data), () => {});

    const first = createCohort('dml', config);
    await trainEpoch(first, 'dml', 0, config, data, imagesOf(config, data), () => {});
    const state = await exportCohortState(first);
    first.dispose();
    const before = tf.memory().numTensors;
    const resumed = createCohort('dml', config);
    await importCohortState(resumed, state);
    const created = tf.memory().numTensors - before;
    await trainEpoch(resumed, 'dml', 1, config, data, imagesOf(config, data), () => {});
    for (let k = 0; k < 2; k++) expect(maxAbsDiff(await weightsOf(resumed.nets[k]!), await weightsOf(straight.nets[k]!))).toBe(0);
    // Restoring holds exactly the weights, each Adam's β powers and moments, no temporaries.
    const trainable = resumed.nets.reduce((s, n) => s + n.trainableWeights.length, 0);
    const all = resumed.nets.reduce((s, n) => s + n.weights.length, 0);
    expect(created).toBe(all + 2 * resumed.size + 2 * trainable);
    straight.dispose();
    resumed.dispose();
  });

  it('stops within one step when asked', async () => {
    const config = testConfig({ mode: 'baseline', epochs: 3 });
    let steps = 0;
    const result = await train(config, testData(24), {
      emit: (e) => e.type === 'step' && steps++,
      control: { shouldStop: () => steps >= 2, waitWhilePaused: async () => {} },
    });
    expect(steps).toBe(2);
    expect(result.stopped).toBe(true);
    expect(result.history).toHaveLength(0);
  });
});
