import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUICK_DEMO, type TrainConfig } from '../core/train/config';
import { openRunStore, type RunStore } from '../storage/runStore';
import { runTask } from './tasks';

let store: RunStore;
beforeAll(async () => {
  await tf.setBackend('cpu');
  store = await openRunStore({ name: 'summary-task-test' });
});
afterAll(() => store.close());

// No images are decoded for a summary.
const platform = {
  store: async () => store,
  decoder: () => {
    throw new Error('a model summary decodes no image');
  },
};

const dataset = { name: 'images', scoreFileName: 'mos.csv', imageCount: 0, files: [], proxy: true };
const split = { train: [], val: [], test: [], kind: 'random' as const, reason: '' };

describe("the 'modelSummary' task", () => {
  it('summarises every network of a stored run: baseline, each DML peer and the independent pair', async () => {
    const config: TrainConfig = { ...QUICK_DEMO, mode: 'both', control: true, model: 'cnniqa', input: { kind: 'resize', width: 64, height: 64 } };
    const run = await store.createRun({ name: 'summary', config, dataset, split });
    const { reply } = await runTask({ task: 'modelSummary', runId: run.id }, platform);
    if (reply.task !== 'modelSummary') throw new Error('wrong reply');
    expect(reply.networks.map((n) => n.network)).toEqual(['Baseline', 'DML peer A', 'DML peer B', 'Independent pair peer A', 'Independent pair peer B']);
    // cnniqa on 32×32 patches: conv 7×7×50 (+ bias), max ‖ min → Dense 800 → Dense 800 → Dense 1, nothing frozen.
    const want = 7 * 7 * 3 * 50 + 50 + (100 * 800 + 800) + (800 * 800 + 800) + (800 + 1);
    for (const n of reply.networks) {
      expect(n.inputShape).toEqual([null, 32, 32, 3]);
      expect(n.trainableParams).toBe(want);
      expect(n.frozenParams).toBe(0);
      expect(n.layers.find((l) => l.name === 'conv7')?.outputShape).toEqual([null, 26, 26, 50]);
    }
    // Nothing is left on the backend.
    expect(tf.memory().numTensors).toBe(0);
  });

  it('says so in words when the run does not exist', async () => {
    await expect(runTask({ task: 'modelSummary', runId: 'nope' }, platform)).rejects.toThrow(/nope|not found|no run/i);
  });
});
