import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { testConfig, testData } from '../../test/support/training';
import type { EpochEvent, TrainEvent } from '../core/train/events';
import { NO_CONTROL } from '../core/train/experiment';
import { runExperiment } from '../core/train/runExperiment';
import { initNodeBackend } from '../node/tfNode';
import { trainResilient, type ResilienceHooks } from './trainResilient';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

const config = testConfig({ mode: 'both', epochs: 2, batchSize: 8 });
const data = testData(24);
const LOST = 'device lost (simulated)';

function hooks(over: Partial<ResilienceHooks> = {}): ResilienceHooks & { fallbacks: unknown[] } {
  const fallbacks: unknown[] = [];
  return {
    fallbacks,
    keepCheckpoints: () => true,
    backendLost: async (err) => ((err as Error).message === LOST ? 'destroyed' : null),
    nextBackend: async () => 'wasm',
    onFallback: (info) => fallbacks.push(info),
    ...over,
  };
}

describe('trainResilient', () => {
  it('after losing the backend mid-epoch, continues from the last epoch every run finished, as if nothing happened', async () => {
    const reference = await runExperiment(config, data);

    const epochs: EpochEvent[] = [];
    let thrown = false;
    const h = hooks();
    const before = tf.memory().numTensors;
    const result = await trainResilient(config, data, {
      control: NO_CONTROL,
      hooks: h,
      emit: (e: TrainEvent) => {
        if (e.type === 'epoch') epochs.push(e);
        // The DML run's second epoch, step 2 (of 3): the baseline has already finished epoch 2.
        if (e.type === 'step' && e.run === 'dml' && e.epoch === 1 && e.step === 1 && !thrown) {
          thrown = true;
          throw new Error(LOST);
        }
      },
    });
    expect(h.fallbacks).toEqual([{ lost: 'destroyed', to: 'wasm', fromEpoch: 1 }]);
    // Baseline epoch 2 is trained again after the loss: the checkpoint is of epoch 1.
    expect(epochs.map((e) => `${e.run}${e.epoch}`)).toEqual(['baseline1', 'dml1', 'baseline2', 'baseline2', 'dml2']);
    // Checkpoints cost no tensors: after epoch 1 (every Adam slot made) the count stays put.
    expect(epochs[2]!.memory.numTensors).toBe(epochs[1]!.memory.numTensors);
    expect(result.stopped).toBe(false);
    expect(result.epochsDone).toEqual({ baseline: 2, dml: 2 });
    expect(result.history.map((r) => `${r.mode}${r.epoch}`)).toEqual(reference.history.map((r) => `${r.mode}${r.epoch}`));
    result.history.forEach((row, i) => {
      expect(row.loss).toBeCloseTo(reference.history[i]!.loss, 4);
      expect(row.test.peers[0]!.srcc).toBeCloseTo(reference.history[i]!.test.peers[0]!.srcc, 4);
    });
    expect(result.final.dml!.ensemble.plcc).toBeCloseTo(reference.final.dml!.ensemble.plcc, 4);
    // The lost attempt's tensors are freed, apart from the step that died mid-way (its batch and losses).
    expect(tf.memory().numTensors - before).toBeLessThanOrEqual(3);
  });

  it('rethrows any other error, and a loss when no backend is left', async () => {
    const boom = (msg: string) => (e: TrainEvent) => {
      if (e.type === 'step' && e.globalStep === 2) throw new Error(msg);
    };
    await expect(trainResilient(config, data, { control: NO_CONTROL, hooks: hooks(), emit: boom('kernel failed') })).rejects.toThrow('kernel failed');
    const none = hooks({ nextBackend: async () => null });
    await expect(trainResilient(config, data, { control: NO_CONTROL, hooks: none, emit: boom(LOST) })).rejects.toThrow(LOST);
    expect(none.fallbacks).toEqual([]);
  });
});
