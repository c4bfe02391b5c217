import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { QUICK_DEMO } from '../core/train/config';
import { importZip } from './modelTasks';
import { openRunStore, type RunStore } from '../storage/runStore';

// A zip that reads, with networks whose weights cannot: the failure comes after the zip is read.
vi.mock('../core/io/modelZip', () => ({
  exportModelZip: vi.fn(),
  readModelZip: vi.fn(async () => ({
    config: QUICK_DEMO,
    metrics: { final: {}, epochs: [] },
    manifest: { name: 'broken', epoch: 1 },
    nets: [{ run: 'baseline', peer: 0, model: { dispose: () => {} } }],
  })),
}));
vi.mock('../core/io/restoreCohorts', () => ({
  cohortsFromStates: vi.fn(),
  statesFromNets: vi.fn(async () => {
    throw new Error('the weights cannot be read');
  }),
}));

let store: RunStore;
beforeAll(async () => {
  store = await openRunStore({ name: 'model-tasks-test' });
});
afterAll(() => store.close());

describe('importZip', () => {
  it('leaves no run behind when the networks of the zip cannot be read', async () => {
    await expect(importZip(store, new Uint8Array([1]), 'broken.zip')).rejects.toThrow('the weights cannot be read');
    expect(await store.listRuns()).toEqual([]);
  });
});
