import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { testConfig, testData } from '../../../test/support/training';
import { initNodeBackend } from '../../node/tfNode';
import type { EpochEvent, TrainEvent } from './history';
import { train, type Checkpoint, type Recovery } from './loop';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

const config = testConfig({ mode: 'both', epochs: 2, batchSize: 8 });
const data = testData(24);
const LOST = 'device lost (simulated)';

/** A recovery that takes `LOST` as the loss of the backend and goes on (on wasm again) while `left` backends remain. */
function recovery(left = 1): Recovery & { calls: { fromEpoch: number }[] } {
  const calls: { fromEpoch: number }[] = [];
  return {
    calls,
    recover: async (err, fromEpoch) => {
      if ((err as Error).message !== LOST || left-- <= 0) return false;
      calls.push({ fromEpoch });
      return true;
    },
  };
}

describe('train: the training loop', () => {
  it('after losing the backend mid-epoch, continues from the last epoch every run finished, as if nothing happened', async () => {
    const reference = await train(config, data);

    const epochs: EpochEvent[] = [];
    let thrown = false;
    const r = recovery();
    const before = tf.memory().numTensors;
    const result = await train(config, data, {
      recovery: r,
      emit: (e: TrainEvent) => {
        if (e.type === 'epoch') epochs.push(e);
        // The DML run's second epoch, step 2 (of 3): the baseline has already finished epoch 2.
        if (e.type === 'step' && e.run === 'dml' && e.epoch === 1 && e.step === 1 && !thrown) {
          thrown = true;
          throw new Error(LOST);
        }
      },
    });
    expect(r.calls).toEqual([{ fromEpoch: 1 }]);
    // Baseline epoch 2 is trained again after the loss: the checkpoint is of epoch 1.
    expect(epochs.map((e) => `${e.run}${e.epoch}`)).toEqual(['baseline1', 'dml1', 'baseline2', 'baseline2', 'dml2']);
    // Checkpoints cost no tensors: after epoch 1 (every Adam slot made) the count stays put.
    expect(epochs[2]!.memory.numTensors).toBe(epochs[1]!.memory.numTensors);
    expect(result.stopped).toBe(false);
    expect(result.history.map((r) => `${r.run}${r.epoch}`)).toEqual(reference.history.map((r) => `${r.run}${r.epoch}`));
    result.history.forEach((row, i) => {
      expect(row.trainLoss.total).toEqual(reference.history[i]!.trainLoss.total.map((v) => expect.closeTo(v, 4)));
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
    await expect(train(config, data, { recovery: recovery(), emit: boom('kernel failed') })).rejects.toThrow('kernel failed');
    const none = recovery(0);
    await expect(train(config, data, { recovery: none, emit: boom(LOST) })).rejects.toThrow(LOST);
    expect(none.calls).toEqual([]);
  });

  it('records every epoch, checkpoints once all runs finished it, and continues from a checkpoint bit-exactly', async () => {
    const straight = await train(config, data);
    const recorded: string[] = [];
    const checkpoints: Checkpoint[] = [];
    let steps = 0;
    const first = await train(config, data, {
      emit: (e) => e.type === 'step' && steps++,
      control: { shouldStop: () => steps >= 6, waitWhilePaused: async () => {} },
      recorder: {
        record: async (e) => void recorded.push(`${e.run}${e.epoch}`),
        checkpoint: async (c, events) => {
          checkpoints.push(c);
          recorded.push(`checkpoint${c.epoch}:${Object.keys(events).join('+')}`);
        },
      },
    });
    // 3 steps per epoch and run: stopped at the start of the baseline's second epoch.
    expect(first.stopped).toBe(true);
    expect(recorded).toEqual(['baseline1', 'dml1', 'checkpoint1:baseline+dml']);
    const continued = await train(config, data, { from: { checkpoint: checkpoints[0]!, history: first.history } });
    expect(continued.history.map((e) => `${e.run}${e.epoch}`)).toEqual(['baseline1', 'dml1', 'baseline2', 'dml2']);
    expect(continued.history.map((e) => e.trainLoss.total)).toEqual(straight.history.map((e) => e.trainLoss.total));
    expect(continued.final).toEqual(straight.final);
  });
});
