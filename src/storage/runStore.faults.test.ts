/**
 * Faults the run store meets in a browser with several tabs: another tab upgrading the
 * database, a full quota (through the byte-limit test hook), and a run continued in one tab
 * while another tab looks for dead runs.
 */
import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import type { CohortState } from '../core/train/savedState';
import { QUICK_DEMO } from '../core/train/config';
import { makeRng } from '../core/rng';
import type { EpochEvent } from '../core/train/history';
import { openRunStore, StorageFullError, type NewRun, type RunStore, type RunStoreOptions } from './runStore';

let dbCount = 0;
const opened: RunStore[] = [];

async function freshStore(opts: RunStoreOptions = {}): Promise<{ store: RunStore; name: string }> {
  const name = `faults-db-${++dbCount}`;
  const store = await openRunStore({ name, ...opts });
  opened.push(store);
  return { store, name };
}

afterEach(() => {
  while (opened.length) opened.pop()!.close();
});

const meta = (name = 'run'): NewRun => ({
  name,
  config: QUICK_DEMO,
  dataset: { name: 'demo', scoreFileName: 'scores.csv', imageCount: 2, files: ['a.png', 'b.png'], proxy: true },
  split: { train: ['a.png'], test: ['b.png'], kind: 'random', reason: 'random by image' },
});

function fakeState(seed: number, values = 100): CohortState {
  const rng = makeRng(seed);
  const t = (name: string) => ({ name, shape: [values], data: Float32Array.from({ length: values }, () => rng.next()) });
  return { nets: [[t('kernel')]], optimizers: [[t('kernel/m')]] };
}
/** Bytes of one fakeState: two tensors of `values` float32s. */
const STATE_BYTES = 2 * 100 * 4;

function epochEvent(epoch: number): EpochEvent {
  const m = { srcc: 0.5, krcc: 0.5, plcc: 0.5, plccRaw: 0.5, rmse: 1 } as unknown as EpochEvent['test']['peers'][number];
  return {
    type: 'epoch',
    run: 'baseline',
    epoch,
    trainLoss: { supervised: [1], mimicry: [0], total: [1] },
    test: { peers: [m] },
    predictions: { peers: [[epoch]] },
    lr: 1e-3,
    seconds: 1,
    imagesPerSec: 10,
    memory: { numTensors: 0, numBytes: 0 },
  };
}

/** Fails the test in words instead of hanging when `p` never settles (an upgrade blocked forever). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms))]);
}

/** What another tab with a newer studio does: open at the next version, add a store, close. */
async function upgradeFromAnotherTab(name: string): Promise<number> {
  const peek = await openDB(name);
  const current = peek.version;
  peek.close();
  const other = await within(
    openDB(name, current + 1, { upgrade: (db) => void db.createObjectStore(`added-in-v${current + 1}`) }),
    5000,
    'the other tab’s upgrade (blocked: this tab never closed its connection)',
  );
  other.close();
  return current + 1;
}

describe('run store faults', () => {
  it('another tab upgrading the database: this store closes, reopens at the new version and goes on storing', async () => {
    const { store, name } = await freshStore();
    const run = await store.createRun(meta());
    await store.appendEpoch(run.id, epochEvent(1));
    await store.writeCheckpoint(run.id, { epoch: 1, states: { baseline: fakeState(1) }, best: 'last' });

    expect(await upgradeFromAnotherTab(name)).toBe(3); // the studio's version 2, plus one
    // Every kind of operation works on the reopened connection.
    await store.appendEpoch(run.id, epochEvent(2));
    const w = await store.writeCheckpoint(run.id, { epoch: 2, states: { baseline: fakeState(2) }, best: 'last' });
    expect(store.reconnects).toBe(1);
    const rec = (await store.getRun(run.id))!;
    expect(rec.history.map((e) => e.epoch)).toEqual([1, 2]);
    expect(rec.checkpoints.last).toEqual(w.ref);
    const back = await store.readCheckpoint(run.id, 'last');
    expect(Array.from(back!.states.baseline!.nets[0]![0]!.data)).toEqual(Array.from(fakeState(2).nets[0]![0]!.data));

    // A second upgrade is survived too, and this studio opens the newer database afresh (no VersionError).
    expect(await upgradeFromAnotherTab(name)).toBe(4);
    expect((await store.listRuns()).map((r) => r.id)).toEqual([run.id]);
    const later = await openRunStore({ name });
    opened.push(later);
    expect((await later.getRun(run.id))!.checkpoints.last).toEqual(w.ref);
  });

  it('an upgrade between the two transactions of a checkpoint: the second runs on the new connection and the checkpoint counts', async () => {
    let name = '';
    let upgradeNow = false;
    const res = await freshStore({
      afterBlobWritten: async () => {
        if (upgradeNow) await upgradeFromAnotherTab(name);
      },
    });
    name = res.name;
    const { store } = res;
    const run = await store.createRun(meta());
    upgradeNow = true;
    const w = await store.writeCheckpoint(run.id, { epoch: 1, states: { baseline: fakeState(3) }, best: 'last' });
    expect((await store.getRun(run.id))!.checkpoints.last).toEqual(w.ref);
    expect(store.reconnects).toBe(1);
  });

  it('the byte-limit hook: a checkpoint past it fails as a full quota (StorageFullError, nothing changed); deleting another run makes room', async () => {
    const { store } = await freshStore({ byteLimit: 3.5 * STATE_BYTES });
    const old = await store.createRun(meta('old'));
    await store.writeCheckpoint(old.id, { epoch: 1, states: { baseline: fakeState(1) }, best: 'last' });
    const run = await store.createRun(meta('new'));
    // One checkpoint of the old run + two blobs (last and best) of the new one: 3 states, under 3.5.
    const e1 = await store.writeCheckpoint(run.id, {
      epoch: 1,
      states: { baseline: fakeState(2) },
      best: { states: { baseline: fakeState(2) }, epochs: { baseline: 1 } },
    });
    // While written, the new last sits beside the old one: 4 states, over the limit.
    const err = await store.writeCheckpoint(run.id, { epoch: 2, states: { baseline: fakeState(3) }, best: 'unchanged' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageFullError);
    expect((err as Error).message).toMatch(/storage for this site is full, so the checkpoint of epoch 2 was not saved/);
    expect((await store.getRun(run.id))!.checkpoints.last).toEqual(e1.ref);

    await store.deleteRun(old.id);
    const e2 = await store.writeCheckpoint(run.id, { epoch: 2, states: { baseline: fakeState(3) }, best: 'unchanged' });
    expect((await store.getRun(run.id))!.checkpoints).toEqual({ last: e2.ref, best: (await store.getRun(run.id))!.checkpoints.best });
    expect((await store.getRun(run.id))!.checkpoints.best!.epochs).toEqual({ baseline: 1 });

    store.setByteLimit(STATE_BYTES);
    await expect(store.writeCheckpoint(run.id, { epoch: 3, states: { baseline: fakeState(4) }, best: 'unchanged' })).rejects.toBeInstanceOf(StorageFullError);
    store.setByteLimit(undefined);
    await store.writeCheckpoint(run.id, { epoch: 3, states: { baseline: fakeState(4) }, best: 'unchanged' });
    expect((await store.getRun(run.id))!.checkpoints.last!.epoch).toBe(3);
  });

  it('a run continued in another tab while this one looks for dead runs is not marked interrupted', async () => {
    let clock = 1_000_000;
    const { store } = await freshStore({ now: () => clock });
    const dead = await store.createRun(meta('dead'));
    const resumed = await store.createRun(meta('resumed'));
    await store.setStatus(resumed.id, 'interrupted');
    // Left 'running' by a tab that closed: its record says running, no lock is held for it.
    await store.setStatus(resumed.id, 'running');

    // The other tab takes the run's lock and continues it after this tab read the records and
    // before it asked for the locks: the locks it sees are from before.
    const liveBefore = new Set<string>();
    const changed = await store.markInterrupted(30, async () => {
      clock += 1;
      await store.beginResume(resumed.id);
      return liveBefore;
    });
    expect(changed.map((r) => r.name)).toEqual(['dead']);
    expect((await store.getRun(resumed.id))!.status).toBe('running');
    expect((await store.getRun(dead.id))!.status).toBe('interrupted');
  });
});
