import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import type { CohortState } from '../core/train/savedState';
import { QUICK_DEMO } from '../core/train/config';
import type { EpochEvent, RunKind } from '../core/train/history';
import { makeRng } from '../core/rng';
import { openRunStore, RunNotFoundError, StorageFullError, type NewRun, type RunStore, type RunStoreOptions } from './runStore';
import { datasetProblem } from '../core/data/datasetMeta';
import { BestCheckpoints } from '../core/train/bestCheckpoints';
import { storageError } from './storageErrors';

let dbCount = 0;
const opened: RunStore[] = [];

async function freshStore(opts: RunStoreOptions = {}): Promise<{ store: RunStore; name: string }> {
  return freshStoreNamed(`test-db-${++dbCount}`, opts);
}

async function freshStoreNamed(name: string, opts: RunStoreOptions = {}): Promise<{ store: RunStore; name: string }> {
  const store = await openRunStore({ name, ...opts });
  opened.push(store);
  return { store, name };
}

afterEach(() => {
  while (opened.length) opened.pop()!.close();
});

/** Part keys stored ([blobId, index]), read straight from the database. */
async function partKeys(name: string): Promise<[string, number][]> {
  const db = await openDB(name);
  const keys = (await db.getAllKeys('parts')) as unknown as [string, number][];
  db.close();
  return keys;
}

const partsOfRef = (ref: { blobId: string; parts?: number }) => Array.from({ length: ref.parts ?? 0 }, (_, i): [string, number] => [ref.blobId, i + 1]);

/** Blob ids stored, read straight from the database. */
async function blobIds(name: string): Promise<string[]> {
  const db = await openDB(name);
  const ids = (await db.getAllKeys('blobs')) as string[];
  db.close();
  return ids;
}

function meta(name = 'run'): NewRun {
  return {
    name,
    config: QUICK_DEMO,
    dataset: { name: 'demo', scoreFileName: 'scores.csv', imageCount: 4, files: ['a.png', 'b.png', 'c.png', 'd.png'], proxy: true },
    split: { train: ['a.png', 'b.png', 'c.png'], test: ['d.png'], kind: 'random', reason: 'random by image' },
  };
}

/** A cohort state of `nets` networks with seeded random weights and Adam slots. */
function fakeState(nets: number, seed: number): CohortState {
  const rng = makeRng(seed);
  const tensor = (name: string, shape: number[]) => ({
    name,
    shape,
    data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.next() * 2 - 1),
  });
  return {
    nets: Array.from({ length: nets }, (_, k) => [tensor(`net${k}/kernel`, [3, 3, 3, 4]), tensor(`net${k}/bias`, [4])]),
    optimizers: Array.from({ length: nets }, (_, k) => [tensor(`net${k}/kernel/m`, [3, 3, 3, 4]), tensor('accBeta1', [])]),
  };
}

function epochEvent(run: RunKind, epoch: number, srcc: number): EpochEvent {
  const m = { srcc, krcc: srcc, plcc: srcc, plccRaw: srcc, rmse: 1 } as unknown as EpochEvent['test']['peers'][number];
  return {
    type: 'epoch',
    run,
    epoch,
    trainLoss: { supervised: [1], mimicry: [0], total: [1] },
    test: { peers: [m], ensemble: run === 'dml' ? m : undefined },
    predictions: { peers: [[epoch, epoch + 0.5]], ensemble: run === 'dml' ? [epoch] : undefined },
    lr: 1e-3,
    seconds: 1,
    imagesPerSec: 10,
    memory: { numTensors: 0, numBytes: 0 },
  };
}

describe('run store (IndexedDB)', () => {
  it('round-trips a checkpoint: every tensor comes back as the same Float32Array', async () => {
    const { store } = await freshStore();
    const run = await store.createRun(meta());
    const states = { baseline: fakeState(1, 1), dml: fakeState(2, 2) };
    const w = await store.writeCheckpoint(run.id, { epoch: 3, states, best: 'last' });
    const expectedBytes = [states.baseline, states.dml].flatMap((s) => [...s.nets, ...s.optimizers].flat()).reduce((s, t) => s + t.data.byteLength, 0);
    expect(w.bytes).toBe(expectedBytes);
    expect(w.ref.runs).toEqual(['baseline', 'dml']);

    const back = await store.readCheckpoint(run.id, 'last');
    expect(back!.ref).toEqual(w.ref);
    for (const kind of ['baseline', 'dml'] as const) {
      const got = back!.states[kind]!;
      const want = states[kind];
      for (const part of ['nets', 'optimizers'] as const) {
        got[part].flat().forEach((t, i) => {
          const orig = want[part].flat()[i]!;
          expect(t.data).toBeInstanceOf(Float32Array);
          expect(t.name).toBe(orig.name);
          expect(t.shape).toEqual(orig.shape);
          expect(Array.from(t.data)).toEqual(Array.from(orig.data));
        });
      }
    }
    expect((await store.getRun(run.id))!.checkpoints.best!.blobId).toBe(w.ref.blobId);
  });

  it('keeps the last and the best (each kind at its own validation-chosen epoch), and deletes the blobs neither points to', async () => {
    const { store, name } = await freshStore();
    const run = await store.createRun(meta());
    const tracker = new BestCheckpoints<CohortState>();
    const withVal = (e: EpochEvent, srcc: number): EpochEvent => ({ ...e, val: { peers: [e.test.peers[0]!], ensemble: { ...e.test.peers[0]!, srcc } } });
    const write = async (epoch: number, val: { baseline: number; dml: number }) => {
      const states = { baseline: fakeState(1, 10 + epoch), dml: fakeState(2, epoch) };
      const events = {
        baseline: { ...epochEvent('baseline', epoch, 0), val: { peers: [{ ...epochEvent('baseline', epoch, val.baseline).test.peers[0]! }] } },
        dml: withVal(epochEvent('dml', epoch, 0), val.dml),
      };
      // As the recorder does: the tracker learns that the store kept its update.
      const w = await store.writeCheckpoint(run.id, { epoch, states, best: tracker.offer(epoch, states, events) });
      tracker.written();
      return w;
    };
    const e1 = await write(1, { baseline: 0.5, dml: 0.5 });
    let rec = (await store.getRun(run.id))!;
    expect(rec.checkpoints.best).toMatchObject({ epochs: { baseline: 1, dml: 1 }, runs: ['baseline', 'dml'] });
    const firstBest = rec.checkpoints.best!.blobId;
    expect((await blobIds(name)).sort()).toEqual([e1.ref.blobId, firstBest].sort());

    // Neither kind improves: the best blob stands, the old last goes.
    const e2 = await write(2, { baseline: 0.4, dml: 0.3 });
    rec = (await store.getRun(run.id))!;
    expect(rec.checkpoints.best!.blobId).toBe(firstBest);
    expect((await blobIds(name)).sort()).toEqual([e2.ref.blobId, firstBest].sort());

    // DML improves, the baseline does not: the new best mixes epochs 3 (DML) and 1 (baseline).
    const e3 = await write(3, { baseline: 0.45, dml: 0.7 });
    rec = (await store.getRun(run.id))!;
    expect(rec.checkpoints.last!.blobId).toBe(e3.ref.blobId);
    expect(rec.checkpoints.best).toMatchObject({ epochs: { baseline: 1, dml: 3 }, epoch: 3 });
    expect(await blobIds(name)).toHaveLength(2);
    const best = await store.readCheckpoint(run.id, 'best');
    expect(Array.from(best!.states.dml!.nets[1]![0]!.data)).toEqual(Array.from(fakeState(2, 3).nets[1]![0]!.data));
    expect(Array.from(best!.states.baseline!.nets[0]![0]!.data)).toEqual(Array.from(fakeState(1, 11).nets[0]![0]!.data));

    // Without a validation set the last is the best: one blob.
    const e4 = await store.writeCheckpoint(run.id, { epoch: 4, states: { dml: fakeState(2, 4) }, best: 'last' });
    rec = (await store.getRun(run.id))!;
    expect(rec.checkpoints.best!.blobId).toBe(e4.ref.blobId);
    expect(await blobIds(name)).toEqual([e4.ref.blobId]);
  });

  it('a crash between the blob and the record leaves the previous checkpoint in force; the orphan is collected', async () => {
    let crash = false;
    let clock = 1_000_000;
    const opts: RunStoreOptions = {
      now: () => clock,
      afterBlobWritten: () => {
        if (crash) throw new Error('tab closed');
      },
    };
    const { store, name } = await freshStore(opts);
    const run = await store.createRun(meta());
    const good = await store.writeCheckpoint(run.id, { epoch: 1, states: { baseline: fakeState(1, 11) }, best: 'last' });
    crash = true;
    await expect(store.writeCheckpoint(run.id, { epoch: 2, states: { baseline: fakeState(1, 12) }, best: 'last' })).rejects.toThrow('tab closed');

    const rec = (await store.getRun(run.id))!;
    expect(rec.checkpoints.last).toEqual(good.ref);
    expect(rec.checkpoints.best).toEqual(good.ref);
    const back = await store.readCheckpoint(run.id, 'last');
    expect(Array.from(back!.states.baseline!.nets[0]![0]!.data)).toEqual(Array.from(fakeState(1, 11).nets[0]![0]!.data));
    const ids = await blobIds(name);
    expect(ids).toHaveLength(2);

    // Young orphans are spared (another tab may be between its two transactions)...
    expect(await store.collectGarbage()).toBe(0);
    store.close();
    // ...and removed when the store is opened later.
    clock += 120_000;
    opened.push(await openRunStore({ name, now: () => clock }));
    expect(await blobIds(name)).toEqual([good.ref.blobId]);
  });

  it('a run deleted between the two transactions leaves no blob behind', async () => {
    let store!: RunStore;
    let runId = '';
    const res = await freshStore({ afterBlobWritten: () => store.deleteRun(runId) });
    store = res.store;
    runId = (await store.createRun(meta())).id;
    await expect(store.writeCheckpoint(runId, { epoch: 1, states: { dml: fakeState(2, 1) }, best: 'last' })).rejects.toBeInstanceOf(RunNotFoundError);
    expect(await blobIds(res.name)).toEqual([]);
  });

  it('marks runs whose worker went silent as interrupted, and leaves live and ended runs alone', async () => {
    let clock = 5_000_000;
    const { store } = await freshStore({ now: () => clock });
    const stale = await store.createRun(meta('stale'));
    const done = await store.createRun(meta('done'));
    await store.setStatus(done.id, 'finished');
    clock += 40_000;
    const alive = await store.createRun(meta('alive'));
    clock += 5_000;
    await store.heartbeat(alive.id);

    const changed = await store.markInterrupted(30);
    expect(changed.map((r) => r.name)).toEqual(['stale']);
    expect((await store.getRun(stale.id))!.status).toBe('interrupted');
    expect((await store.getRun(done.id))!.status).toBe('finished');
    expect((await store.getRun(alive.id))!.status).toBe('running');

    // With run locks known, a running run without its lock is gone at once, whatever its heartbeat.
    const locked = await store.createRun(meta('locked'));
    const changed2 = await store.markInterrupted(30, new Set([locked.id]));
    expect(changed2.map((r) => r.name)).toEqual(['alive']);
    expect((await store.getRun(locked.id))!.status).toBe('running');
  });

  const expectSame = (got: CohortState, want: CohortState) =>
    (['nets', 'optimizers'] as const).forEach((part) =>
      got[part].flat().forEach((t, i) => {
        const orig = want[part].flat()[i]!;
        expect([t.name, t.shape]).toEqual([orig.name, orig.shape]);
        expect(t.data).toBeInstanceOf(Float32Array);
        expect(Array.from(t.data)).toEqual(Array.from(orig.data));
      }),
    );

  it('a checkpoint past one IndexedDB value goes in parts: it reads back whole, garbage collection keeps the parts, a newer checkpoint and the run\'s deletion remove them', async () => {
    let clock = 1_000_000;
    // 50 floats a part: every 108-float kernel spans parts.
    const { store, name } = await freshStore({ partBytes: 200, now: () => clock });
    const run = await store.createRun(meta());
    const states = { baseline: fakeState(1, 1), dml: fakeState(2, 2) };
    const w = await store.writeCheckpoint(run.id, { epoch: 1, states, best: 'last' });
    const floats = [states.baseline, states.dml].flatMap((s) => [...s.nets, ...s.optimizers].flat()).reduce((n, t) => n + t.data.length, 0);
    expect(w.ref.parts).toBe(Math.ceil(floats / 50));
    expect(await blobIds(name)).toEqual([w.ref.blobId]);
    expect(await partKeys(name)).toEqual(partsOfRef(w.ref));
    const back = await store.readCheckpoint(run.id, 'last');
    expectSame(back!.states.baseline!, states.baseline);
    expectSame(back!.states.dml!, states.dml);

    clock += 120_000;
    expect(await store.collectGarbage()).toBe(0);
    const w2 = await store.writeCheckpoint(run.id, { epoch: 2, states: { dml: fakeState(2, 3) }, best: 'last' });
    expect(await blobIds(name)).toEqual([w2.ref.blobId]);
    expect(await partKeys(name)).toEqual(partsOfRef(w2.ref));

    // A part lost (storage cleared under the run): the read says which.
    const db = await openDB(name);
    await db.delete('parts', [w2.ref.blobId, 2]);
    db.close();
    await expect(store.readCheckpoint(run.id, 'last')).rejects.toThrow(`The last checkpoint of run "run" (epoch 2) is missing from storage: part 2 of ${w2.ref.parts} of its data.`);
    await store.deleteRun(run.id);
    expect(await blobIds(name)).toEqual([]);
    expect(await partKeys(name)).toEqual([]);
  });

  it('a best checkpoint in parts stays whole while the last moves on, and goes with its parts when a new best replaces it', async () => {
    const { store, name } = await freshStore({ partBytes: 200 });
    const run = await store.createRun(meta());
    const at = (seed: number) => ({ dml: fakeState(2, seed) });
    await store.writeCheckpoint(run.id, { epoch: 1, states: at(11), best: { states: at(11), epochs: { dml: 1 } } });
    const e2 = await store.writeCheckpoint(run.id, { epoch: 2, states: at(12), best: 'unchanged' });
    const best = (await store.getRun(run.id))!.checkpoints.best!;
    expect(best.epoch).toBe(1);
    expect(best.parts).toBeGreaterThan(1);
    expect((await blobIds(name)).sort()).toEqual([e2.ref.blobId, best.blobId].sort());
    const asSet = (keys: [string, number][]) => new Set(keys.map((k) => k.join('#')));
    expect(asSet(await partKeys(name))).toEqual(asSet([...partsOfRef(e2.ref), ...partsOfRef(best)]));
    expectSame((await store.readCheckpoint(run.id, 'best'))!.states.dml!, fakeState(2, 11));

    const e3 = await store.writeCheckpoint(run.id, { epoch: 3, states: at(13), best: { states: at(13), epochs: { dml: 3 } } });
    const best3 = (await store.getRun(run.id))!.checkpoints.best!;
    expect((await blobIds(name)).sort()).toEqual([e3.ref.blobId, best3.blobId].sort());
    expect(asSet(await partKeys(name))).toEqual(asSet([...partsOfRef(e3.ref), ...partsOfRef(best3)]));
  });

  it('a part lost between the two transactions of a checkpoint: the write fails, the run keeps its previous checkpoint, and nothing of the new one is left', async () => {
    let name = '';
    let loseOne = false;
    const res = await freshStore({
      partBytes: 200,
      afterBlobWritten: async (blobId) => {
        if (!loseOne) return;
        const db = await openDB(name);
        await db.delete('parts', [blobId, 1]);
        db.close();
      },
    });
    name = res.name;
    const { store } = res;
    const run = await store.createRun(meta());
    const first = await store.writeCheckpoint(run.id, { epoch: 1, states: { dml: fakeState(2, 6) }, best: 'last' });
    loseOne = true;
    await expect(store.writeCheckpoint(run.id, { epoch: 2, states: { dml: fakeState(2, 7) }, best: 'last' })).rejects.toThrow(
      'The data of the checkpoint of epoch 2 disappeared before it was recorded',
    );
    expect((await store.getRun(run.id))!.checkpoints.last).toEqual(first.ref);
    expect(await blobIds(name)).toEqual([first.ref.blobId]);
    expect(await partKeys(name)).toEqual(partsOfRef(first.ref));
    expectSame((await store.readCheckpoint(run.id, 'last'))!.states.dml!, fakeState(2, 6));
  });

  it('parts outlive an older studio in another tab: its garbage collection, which knows only the blobs store, cannot reach them', async () => {
    let clock = 1_000_000;
    const { store, name } = await freshStore({ partBytes: 200, now: () => clock });
    const run = await store.createRun(meta());
    const states = { dml: fakeState(2, 4) };
    await store.writeCheckpoint(run.id, { epoch: 1, states, best: 'last' });
    clock += 120_000;
    // The version-1 studio's rule, run on this database: delete every blob no run's checkpoint names.
    const db = await openDB(name);
    const named = new Set((await db.getAll('runs')).flatMap((r: { checkpoints: Record<string, { blobId: string } | undefined> }) => [r.checkpoints.last?.blobId, r.checkpoints.best?.blobId]));
    for (const id of (await db.getAllKeys('blobs')) as string[]) if (!named.has(id)) await db.delete('blobs', id);
    db.close();
    expectSame((await store.readCheckpoint(run.id, 'last'))!.states.dml!, states.dml);
    // Parts whose blob is gone are this studio's to collect.
    const orphan = await store.writeCheckpoint((await store.createRun(meta('doomed'))).id, { epoch: 1, states, best: 'last' });
    const raw = await openDB(name);
    await raw.delete('runs', (await store.listRuns()).find((r) => r.name === 'doomed')!.id);
    raw.close();
    clock += 120_000;
    expect(await store.collectGarbage()).toBe(1 + orphan.ref.parts!);
    expectSame((await store.readCheckpoint(run.id, 'last'))!.states.dml!, states.dml);
  });

  it('a version-1 database (before parts) opens: its runs and checkpoints read as before, and a big checkpoint stores in parts', async () => {
    const name = `test-db-${++dbCount}`;
    const v1 = await openDB(name, 1, {
      upgrade(db) {
        db.createObjectStore('runs', { keyPath: 'id' });
        const blobs = db.createObjectStore('blobs', { keyPath: 'id' });
        blobs.createIndex('runId', 'runId');
        blobs.createIndex('savedAt', 'savedAt');
      },
    });
    const old = fakeState(2, 5);
    const ref = { blobId: 'old/e1', epoch: 1, runs: ['dml'], bytes: 1, savedAt: 1 };
    await v1.put('runs', { ...meta('old'), id: 'old', status: 'finished', history: [], createdAt: 1, updatedAt: 1, heartbeatAt: 1, checkpoints: { last: ref, best: ref } });
    await v1.put('blobs', { id: 'old/e1', runId: 'old', epoch: 1, savedAt: 1, states: { dml: old } });
    v1.close();
    const { store } = await freshStoreNamed(name, { partBytes: 200 });
    expectSame((await store.readCheckpoint('old', 'best'))!.states.dml!, old);
    const run = await store.createRun(meta('new'));
    const w = await store.writeCheckpoint(run.id, { epoch: 1, states: { dml: old }, best: 'last' });
    expect(w.ref.parts).toBeGreaterThan(1);
    expectSame((await store.readCheckpoint(run.id, 'last'))!.states.dml!, old);
  });

  it('deleting a run removes its record and its blobs, and nothing of other runs', async () => {
    const { store, name } = await freshStore();
    const a = await store.createRun(meta('a'));
    const b = await store.createRun(meta('b'));
    await store.writeCheckpoint(a.id, { epoch: 1, states: { dml: fakeState(2, 1) }, best: 'last' });
    await store.writeCheckpoint(a.id, { epoch: 2, states: { dml: fakeState(2, 2) }, best: 'unchanged' });
    const kept = await store.writeCheckpoint(b.id, { epoch: 1, states: { dml: fakeState(2, 3) }, best: 'last' });
    expect(await blobIds(name)).toHaveLength(3);
    await store.deleteRun(a.id);
    expect(await store.getRun(a.id)).toBeUndefined();
    expect(await blobIds(name)).toEqual([kept.ref.blobId]);
    expect((await store.listRuns()).map((r) => r.name)).toEqual(['b']);
  });

  it('turns a QuotaExceededError into StorageFullError and keeps the previous checkpoint', async () => {
    const { store, name } = await freshStore();
    const run = await store.createRun(meta());
    const good = await store.writeCheckpoint(run.id, { epoch: 1, states: { dml: fakeState(2, 1) }, best: 'last' });
    const proto = IDBObjectStore.prototype;
    const put = proto.put;
    proto.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'blobs') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args);
    };
    try {
      const err = await store.writeCheckpoint(run.id, { epoch: 2, states: { dml: fakeState(2, 2) }, best: 'last' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StorageFullError);
      expect((err as Error).message).toMatch(/storage .* is full.*checkpoint of epoch 2/);
    } finally {
      proto.put = put;
    }
    expect((await store.getRun(run.id))!.checkpoints.last).toEqual(good.ref);
    expect(await blobIds(name)).toEqual([good.ref.blobId]);
    // The aborted-transaction form: request error AbortError, transaction error QuotaExceededError.
    const abort = storageError(new DOMException('aborted', 'AbortError'), 'x', { error: new DOMException('q', 'QuotaExceededError') });
    expect(abort).toBeInstanceOf(StorageFullError);
    const other = new Error('other');
    expect(storageError(other, 'x', { error: null })).toBe(other);
  });

  it('history: a re-trained epoch replaces the old one, predictions stay on the newest epoch only; resume cuts back to the checkpoint', async () => {
    const { store } = await freshStore();
    const run = await store.createRun(meta());
    for (let e = 1; e <= 3; e++) {
      await store.appendEpoch(run.id, epochEvent('baseline', e, 0.1 * e));
      await store.appendEpoch(run.id, epochEvent('dml', e, 0.1 * e));
      if (e === 2) await store.writeCheckpoint(run.id, { epoch: 2, states: { baseline: fakeState(1, 1), dml: fakeState(2, 2) }, best: 'last' });
    }
    let rec = (await store.getRun(run.id))!;
    expect(rec.history.map((h) => `${h.run}${h.epoch}`)).toEqual(['baseline1', 'dml1', 'baseline2', 'dml2', 'baseline3', 'dml3']);
    expect(rec.history.map((h) => h.predictions.peers.length)).toEqual([0, 0, 0, 0, 1, 1]);

    await store.setStatus(run.id, 'interrupted');
    const { run: resumed, checkpoint } = await store.beginResume(run.id);
    expect(checkpoint!.ref.epoch).toBe(2);
    expect(resumed.status).toBe('running');
    expect(resumed.history.map((h) => `${h.run}${h.epoch}`)).toEqual(['baseline1', 'dml1', 'baseline2', 'dml2']);

    // Even without the cut, appending epoch 3 again would not list it twice.
    await store.appendEpoch(run.id, epochEvent('baseline', 3, 0.35));
    await store.appendEpoch(run.id, epochEvent('baseline', 3, 0.36));
    rec = (await store.getRun(run.id))!;
    expect(rec.history.filter((h) => h.run === 'baseline').map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(rec.history.at(-1)!.test.peers[0]!.srcc).toBe(0.36);
  });

  it('renames runs, lists them newest first, and reports missing runs by type', async () => {
    let clock = 1;
    const { store } = await freshStore({ now: () => clock });
    const a = await store.createRun(meta('first'));
    clock = 2;
    await store.createRun(meta('second'));
    await store.renameRun(a.id, '  renamed ');
    expect((await store.listRuns()).map((r) => r.name)).toEqual(['second', 'renamed']);
    await expect(store.renameRun(a.id, '   ')).rejects.toThrow(/needs a name/);
    await expect(store.heartbeat('nope')).rejects.toBeInstanceOf(RunNotFoundError);
    expect(await store.readCheckpoint(a.id, 'best')).toBeNull();
  });

  it('checks a re-supplied folder against the run: names and count', () => {
    const d = meta().dataset;
    expect(datasetProblem(d, ['d.png', 'c.png', 'b.png', 'a.png'])).toBeNull();
    expect(datasetProblem(d, ['a.png', 'b.png', 'x.png', 'y.png'])).toBe(
      'This run was trained on the folder "demo" (with the score file "scores.csv"): 2 of its 4 images are not among the files given (c.png, d.png). Choose that folder again.',
    );
    expect(datasetProblem(d, ['a.png', 'b.png', 'c.png', 'd.png', 'e.png'])).toMatch(/trained on 4 images .*; 5 were given/);
  });
});
