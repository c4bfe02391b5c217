/**
 * Runs in IndexedDB: config, split, per-epoch history and the last and best
 * checkpoints of every network and optimizer. Used by the training worker (writes) and the
 * page (lists, renames, deletes, reads for export); both open the same database.
 *
 * A checkpoint is written in two transactions: the blob first, then the run record that
 * points at it (which also deletes the blob it replaces). A crash between the two leaves
 * the record on the previous, complete checkpoint and an unreferenced blob, which
 * collectGarbage() removes. A record never points at data that is not all there.
 *
 * Several tabs (each a page and a worker) share the database. When another tab opens it at a
 * newer version (a newer studio), every connection here closes so the upgrade can run, and
 * reopens at once at whatever version the database then has: runs in training go on storing.
 *
 * Version 2 added the parts store (checkpoints past one IndexedDB value). A version-1 studio
 * still open in another tab keeps working on a version-2 database; it never sees the parts,
 * so its garbage collection, which only knows the blobs store, cannot delete them.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { stateBytes, type CohortState } from '../core/train/savedState';
import { historyUpTo, withEpoch, type EpochEvent, type FinalMetrics, type RunKind } from '../core/train/history';
import { cutIntoParts, joinParts, PART_BYTES } from './checkpointParts';
import {
  nextCheckpoints,
  type CheckpointBlob,
  type CheckpointPart,
  type CheckpointRef,
  type CheckpointSlot,
  type RunRecord,
  type RunStatus,
} from './runRecord';
import { RunNotFoundError, storageError } from './storageErrors';

export * from './runRecord';
export { RunNotFoundError, StorageFullError } from './storageErrors';
export { requestPersistence, storageEstimate, type StorageEstimate } from './storageQuota';

const DB_NAME = 'dml-iqa-studio';
const DB_VERSION = 2;

interface StudioDB extends DBSchema {
  runs: { key: string; value: RunRecord };
  blobs: { key: string; value: CheckpointBlob; indexes: { runId: string; savedAt: number } };
  parts: { key: [string, number]; value: CheckpointPart; indexes: { runId: string; savedAt: number } };
}

/** Every part of the blob `blobId` (keys [blobId, index]). */
const partsOf = (blobId: string) => IDBKeyRange.bound([blobId, 0], [blobId, Infinity]);

type Db = IDBPDatabase<StudioDB>;

export interface RunStoreOptions {
  /** Database name (tests use one per test). */
  name?: string;
  /** Remove unreferenced checkpoint blobs on open (default true). */
  collectGarbage?: boolean;
  /** Test hook: runs between the two transactions of writeCheckpoint; throwing there simulates a crash. */
  afterBlobWritten?: (blobId: string) => void | Promise<void>;
  /** Clock (ms), for tests. */
  now?: () => number;
  /**
   * Test hook: the most bytes of checkpoint data (all runs' checkpoints together) the store
   * will hold; a checkpoint write past it fails as a full browser quota does.
   */
  byteLimit?: number;
  /** Test hook: the largest part of a checkpoint's data (default PART_BYTES, 64 MiB). */
  partBytes?: number;
}

/** What a new run starts with; an imported run may bring its status, history and final metrics. */
export type NewRun = Pick<RunRecord, 'name' | 'config' | 'dataset' | 'split'> &
  Partial<Pick<RunRecord, 'id' | 'status' | 'history' | 'final' | 'createdAt' | 'backboneJson' | 'group' | 'scores' | 'source' | 'cross'>>;

export interface CheckpointInput {
  /** Epochs finished by every run kind in `states`. */
  epoch: number;
  states: Partial<Record<RunKind, CohortState>>;
  /**
   * The best checkpoint after this one: each kind's states at its validation-chosen epoch (a new
   * best, written as its own blob), 'unchanged' (the stored best stands), or 'last' (no validation
   * set: the last is the best). BestCheckpoints (core) tracks it.
   */
  best: { states: Partial<Record<RunKind, CohortState>>; epochs: Partial<Record<RunKind, number>> } | 'unchanged' | 'last';
}

export interface CheckpointWrite {
  ref: CheckpointRef;
  bytes: number;
  /** Wall time of both transactions. */
  ms: number;
}

export interface Checkpoint {
  ref: CheckpointRef;
  states: Partial<Record<RunKind, CohortState>>;
}

/** Unreferenced blobs younger than this are left alone: another tab may be between its two transactions. */
const ORPHAN_MIN_AGE_MS = 60_000;

/**
 * Await a transaction's work and its completion. The done promise is observed from the start,
 * so an abort never surfaces as an unhandled rejection; quota failures become StorageFullError.
 */
async function inTx<T>(
  tx: { done: Promise<void>; error: DOMException | null },
  what: string,
  body: () => Promise<T>,
): Promise<T> {
  const done = tx.done;
  done.catch(() => {});
  try {
    const value = await body();
    await done;
    return value;
  } catch (err) {
    throw storageError(err, what, tx);
  }
}

/** The blob, or its hollowed self and its parts when its data is past partBytes. */
function withParts(bl: CheckpointBlob, partBytes: number): { blob: CheckpointBlob; parts: CheckpointPart[] } {
  const cut = cutIntoParts(bl.states, partBytes);
  if (!cut) return { blob: bl, parts: [] };
  const parts = cut.parts.map((data, i) => ({ blobId: bl.id, index: i + 1, runId: bl.runId, savedAt: bl.savedAt, data }));
  return { blob: { ...bl, states: cut.states, layout: cut.layout }, parts };
}

function newId(): string {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

export class RunStore {
  private readonly now: () => number;
  /** The open connection; null once it closed for another tab's upgrade (the next operation opens it again). */
  private db: Promise<Db> | null;
  private closed = false;
  private byteLimit: number | undefined;
  /** How many times the connection was opened again after it closed under us. */
  reconnects = 0;

  /** Use openRunStore. */
  constructor(
    db: Db,
    private readonly opts: RunStoreOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.byteLimit = opts.byteLimit;
    this.db = Promise.resolve(db);
    this.watch(db);
  }

  /** Test hook: a byte limit for checkpoint data, as RunStoreOptions.byteLimit; undefined lifts it. */
  setByteLimit(bytes: number | undefined): void {
    this.byteLimit = bytes;
  }

  close(): void {
    this.closed = true;
    void this.db?.then((db) => db.close()).catch(() => {});
    this.db = null;
  }

  /** The connection, opened again when it closed under us. */
  private conn(): Promise<Db> {
    if (this.closed) return Promise.reject(new Error('The run store was closed.'));
    if (this.db) return this.db;
    this.reconnects++;
    const next = connect(this.opts.name ?? DB_NAME);
    this.db = next;
    next.then(
      (db) => this.watch(db),
      // A failed open is not kept: the next operation tries again.
      () => {
        if (this.db === next) this.db = null;
      },
    );
    return next;
  }

  /** When another tab wants a newer version, close so it can upgrade, and reopen behind it; likewise when the browser closes the connection. */
  private watch(db: Db): void {
    const lost = () => {
      if (this.closed) return;
      this.db = null;
      // Opened at once: the request waits behind the other tab's upgrade, then sees the new version.
      this.conn().catch(() => {});
    };
    db.addEventListener('versionchange', () => {
      db.close();
      lost();
    });
    db.addEventListener('close', lost);
  }

  /** Test hook: whether a write of `more` checkpoint bytes would pass the byte limit (the checkpoints every run points to count). */
  private async overByteLimit(more: number): Promise<boolean> {
    if (this.byteLimit === undefined) return false;
    const held = new Map<string, number>();
    for (const r of await (await this.conn()).getAll('runs'))
      for (const ref of [r.checkpoints.last, r.checkpoints.best]) if (ref) held.set(ref.blobId, ref.bytes);
    return [...held.values()].reduce((a, b) => a + b, 0) + more > this.byteLimit;
  }

  async createRun(meta: NewRun): Promise<RunRecord> {
    const t = this.now();
    const record: RunRecord = {
      id: meta.id ?? newId(),
      name: meta.name,
      createdAt: meta.createdAt ?? t,
      updatedAt: t,
      status: meta.status ?? 'running',
      config: meta.config,
      dataset: meta.dataset,
      split: meta.split,
      history: meta.history ?? [],
      final: meta.final,
      backboneJson: meta.backboneJson,
      ...(meta.group && { group: meta.group }),
      ...(meta.cross && { cross: meta.cross }),
      ...(meta.scores && { scores: meta.scores }),
      ...(meta.source && { source: meta.source }),
      checkpoints: {},
      heartbeatAt: t,
    };
    const tx = (await this.conn()).transaction('runs', 'readwrite');
    await inTx(tx, `the new run "${meta.name}"`, async () => {
      if (await tx.store.count(record.id)) throw new Error(`A run with id ${record.id} already exists.`);
      await tx.store.add(record);
    });
    return record;
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    return (await this.conn()).get('runs', runId);
  }

  /** Every run, newest first. */
  async listRuns(): Promise<RunRecord[]> {
    const all = await (await this.conn()).getAll('runs');
    return all.sort((a, b) => b.createdAt - a.createdAt);
  }

  /** Add a finished epoch (and refresh the heartbeat). A re-trained epoch replaces its old entry. */
  async appendEpoch(runId: string, event: EpochEvent): Promise<RunRecord> {
    return this.update(runId, `the history of epoch ${event.epoch}`, (r) => {
      r.history = withEpoch(r.history, event);
      r.heartbeatAt = this.now();
    });
  }

  async setStatus(runId: string, status: RunStatus, extra: { final?: FinalMetrics; error?: string } = {}): Promise<RunRecord> {
    return this.update(runId, 'the run status', (r) => {
      r.status = status;
      if (extra.final) r.final = extra.final;
      if (extra.error !== undefined) r.error = extra.error;
      r.heartbeatAt = this.now();
    });
  }

  async heartbeat(runId: string): Promise<void> {
    await this.update(runId, 'the heartbeat', (r) => void (r.heartbeatAt = this.now()), false);
  }

  async renameRun(runId: string, name: string): Promise<RunRecord> {
    const clean = name.trim();
    if (!clean) throw new Error('A run needs a name: type at least one character.');
    return this.update(runId, 'the new name', (r) => void (r.name = clean));
  }

  /** The run and all its checkpoints, in one transaction. */
  async deleteRun(runId: string): Promise<void> {
    const tx = (await this.conn()).transaction(['runs', 'blobs', 'parts'], 'readwrite');
    await inTx(tx, 'the deletion', async () => {
      const blobs = tx.objectStore('blobs');
      const parts = tx.objectStore('parts');
      const ids = await blobs.index('runId').getAllKeys(runId);
      const partKeys = await parts.index('runId').getAllKeys(runId);
      await Promise.all([tx.objectStore('runs').delete(runId), ...ids.map((id) => blobs.delete(id)), ...partKeys.map((k) => parts.delete(k))]);
    });
  }

  /**
   * Write a checkpoint; it becomes the run's last, and its best when its SRCC is at least the
   * best so far. Throws StorageFullError when the quota is exhausted (nothing changed then).
   */
  async writeCheckpoint(runId: string, input: CheckpointInput): Promise<CheckpointWrite> {
    const t0 = performance.now();
    const savedAt = this.now();
    const runs = (Object.keys(input.states) as RunKind[]).filter((k) => input.states[k]);
    if (!runs.length) throw new Error('A checkpoint needs the state of at least one run (baseline or dml).');
    const bytes = runs.reduce((s, k) => s + stateBytes(input.states[k]!), 0);
    const blobId = `${runId}/e${input.epoch}/${newId()}`;
    const blobs: CheckpointBlob[] = [{ id: blobId, runId, epoch: input.epoch, savedAt, states: input.states }];
    const what = `the checkpoint of epoch ${input.epoch}`;
    const ref: CheckpointRef = { blobId, epoch: input.epoch, runs, bytes, savedAt };
    let best: CheckpointRef | 'last' | 'unchanged' = typeof input.best === 'string' ? input.best : 'unchanged';
    if (typeof input.best === 'object') {
      const b = input.best;
      const bestRuns = (Object.keys(b.states) as RunKind[]).filter((k) => b.states[k]);
      const id = `${runId}/best-e${input.epoch}/${newId()}`;
      blobs.push({ id, runId, epoch: Math.max(...bestRuns.map((k) => b.epochs[k] ?? 0)), savedAt, states: b.states });
      best = { blobId: id, epoch: blobs[1]!.epoch, runs: bestRuns, epochs: b.epochs, bytes: bestRuns.reduce((s, k) => s + stateBytes(b.states[k]!), 0), savedAt };
    }

    const over = await this.overByteLimit(bytes + (typeof best === 'object' ? best.bytes : 0));
    // Data past one IndexedDB value's limit goes in parts beside each checkpoint's own blob.
    const stored = blobs.map((bl, i) => {
      const cut = withParts(bl, this.opts.partBytes ?? PART_BYTES);
      const owner = i === 0 ? ref : best;
      if (cut.parts.length && typeof owner === 'object') owner.parts = cut.parts.length;
      return cut;
    });

    // 1: the data, flushed to disk before anything refers to it.
    const tx1 = (await this.conn()).transaction(['blobs', 'parts'], 'readwrite', { durability: 'strict' });
    await inTx(tx1, what, async () => {
      if (over) throw new DOMException(`The test limit of ${this.byteLimit} bytes of checkpoints is reached.`, 'QuotaExceededError');
      await Promise.all(stored.flatMap(({ blob, parts }) => [tx1.objectStore('blobs').put(blob), ...parts.map((p) => tx1.objectStore('parts').put(p))]));
    });

    await this.opts.afterBlobWritten?.(blobId);

    // 2: point the record at them and drop the blob(s) they replace.
    const tx2 = (await this.conn()).transaction(['runs', 'blobs', 'parts'], 'readwrite', { durability: 'strict' });
    try {
      await inTx(tx2, what, async () => {
        const record = await tx2.objectStore('runs').get(runId);
        if (!record) throw new RunNotFoundError(runId);
        for (const { blob, parts } of stored)
          if (!(await tx2.objectStore('blobs').count(blob.id)) || (await tx2.objectStore('parts').count(partsOf(blob.id))) !== parts.length)
            throw new Error(`The data of ${what} disappeared before it was recorded (storage cleared in another tab?).`);
        const { checkpoints, drop } = nextCheckpoints(record.checkpoints, ref, best);
        record.checkpoints = checkpoints;
        record.updatedAt = savedAt;
        record.heartbeatAt = savedAt;
        await Promise.all([
          tx2.objectStore('runs').put(record),
          ...drop.flatMap((id) => [tx2.objectStore('blobs').delete(id), tx2.objectStore('parts').delete(partsOf(id))]),
        ]);
      });
    } catch (err) {
      // The blobs are unreferenced now: remove them at once (collectGarbage would later).
      const db = await this.conn();
      for (const { blob } of stored) await Promise.all([db.delete('blobs', blob.id), db.delete('parts', partsOf(blob.id))]).catch(() => {});
      throw err;
    }
    return { ref, bytes, ms: performance.now() - t0 };
  }

  /** The run's last or best checkpoint, or null when it has none yet. */
  async readCheckpoint(runId: string, slot: CheckpointSlot): Promise<Checkpoint | null> {
    const tx = (await this.conn()).transaction(['runs', 'blobs', 'parts'], 'readonly');
    return inTx(tx, 'reading', async () => {
      const record = await tx.objectStore('runs').get(runId);
      if (!record) throw new RunNotFoundError(runId);
      const ref = record.checkpoints[slot];
      if (!ref) return null;
      const missing = `The ${slot} checkpoint of run "${record.name}" (epoch ${ref.epoch}) is missing from storage`;
      const blob = await tx.objectStore('blobs').get(ref.blobId);
      if (!blob) throw new Error(`${missing}.`);
      if (!blob.layout) return { ref, states: blob.states };
      const parts = await tx.objectStore('parts').getAll(partsOf(ref.blobId));
      const lost = Array.from({ length: blob.layout.parts }, (_, i) => i + 1).find((n) => parts[n - 1]?.index !== n);
      if (lost !== undefined) throw new Error(`${missing}: part ${lost} of ${blob.layout.parts} of its data.`);
      return { ref, states: joinParts(blob.states, blob.layout, parts.map((p) => p.data)) };
    });
  }

  /**
   * Prepare to continue a run from its last checkpoint: history cut back to the checkpoint's
   * epoch (epochs after it are trained again), status 'running', fresh heartbeat.
   * checkpoint is null when the run stopped before its first checkpoint: start at epoch 0.
   */
  async beginResume(runId: string, slot: CheckpointSlot = 'last'): Promise<{ run: RunRecord; checkpoint: Checkpoint | null }> {
    const checkpoint = await this.readCheckpoint(runId, slot);
    const epoch = checkpoint?.ref.epoch ?? 0;
    const run = await this.update(runId, 'the resumed run', (r) => {
      r.history = historyUpTo(r.history, epoch);
      r.status = 'running';
      r.error = undefined;
      r.final = undefined;
      r.heartbeatAt = this.now();
    });
    return { run, checkpoint };
  }

  /**
   * At page load: runs still 'running' whose worker is gone become 'interrupted'. Gone means
   * no heartbeat for staleSeconds — or, when `live` (liveRunIds) is given, simply not holding
   * its run lock. Pass liveRunIds itself rather than its answer: the locks are then asked
   * after the records are read, so a run another tab starts or continues in between (lock
   * first, then its record) is never taken for dead. Returns the runs changed.
   */
  async markInterrupted(
    staleSeconds = 30,
    live?: ReadonlySet<string> | (() => Promise<ReadonlySet<string> | undefined>),
  ): Promise<RunRecord[]> {
    const cutoff = this.now() - staleSeconds * 1000;
    // Looked for read-only first: the page asks often, and a write transaction would queue behind the worker's writes.
    const read = (await this.conn()).transaction('runs', 'readonly');
    const running = await inTx(read, 'the run status', async () => (await read.store.getAll()).filter((r) => r.status === 'running'));
    if (!running.length) return [];
    const held = typeof live === 'function' ? await live() : live;
    const seen = new Map(running.filter((r) => (held ? !held.has(r.id) : r.heartbeatAt < cutoff)).map((r) => [r.id, r.heartbeatAt]));
    if (!seen.size) return [];
    const tx = (await this.conn()).transaction('runs', 'readwrite');
    return inTx(tx, 'the run status', async () => {
      const changed: RunRecord[] = [];
      for (const [id, heartbeatAt] of seen) {
        const r = await tx.store.get(id);
        // Touched since it was read (continued, a new epoch): its worker is alive after all.
        if (!r || r.status !== 'running' || r.heartbeatAt !== heartbeatAt) continue;
        r.status = 'interrupted';
        r.updatedAt = this.now();
        changed.push(r);
      }
      await Promise.all(changed.map((r) => tx.store.put(r)));
      return changed;
    });
  }

  /** Delete checkpoint blobs and parts no run points to (older than minAgeMs). Returns how many. */
  async collectGarbage(minAgeMs = ORPHAN_MIN_AGE_MS): Promise<number> {
    const tx = (await this.conn()).transaction(['runs', 'blobs', 'parts'], 'readwrite');
    return inTx(tx, 'cleaning up', async () => {
      const referenced = new Set<string>();
      for (const r of await tx.objectStore('runs').getAll()) for (const ref of [r.checkpoints.last, r.checkpoints.best]) if (ref) referenced.add(ref.blobId);
      const before = IDBKeyRange.upperBound(this.now() - minAgeMs);
      const blobs = tx.objectStore('blobs');
      const parts = tx.objectStore('parts');
      const orphans = (await blobs.index('savedAt').getAllKeys(before)).filter((id) => !referenced.has(id));
      const orphanParts = (await parts.index('savedAt').getAllKeys(before)).filter(([blobId]) => !referenced.has(blobId));
      await Promise.all([...orphans.map((id) => blobs.delete(id)), ...orphanParts.map((k) => parts.delete(k))]);
      return orphans.length + orphanParts.length;
    });
  }

  /** Read-modify-write of one record in one transaction. */
  private async update(runId: string, what: string, change: (r: RunRecord) => void, touch = true): Promise<RunRecord> {
    const tx = (await this.conn()).transaction('runs', 'readwrite');
    return inTx(tx, what, async () => {
      const record = await tx.store.get(runId);
      if (!record) throw new RunNotFoundError(runId);
      change(record);
      if (touch) record.updatedAt = this.now();
      await tx.store.put(record);
      return record;
    });
  }
}

/** Creates what is missing (a first open, or a database deleted meanwhile); a newer studio's additions are left alone. */
function createStores(db: Db): void {
  if (!db.objectStoreNames.contains('runs')) db.createObjectStore('runs', { keyPath: 'id' });
  if (!db.objectStoreNames.contains('blobs')) {
    const blobs = db.createObjectStore('blobs', { keyPath: 'id' });
    blobs.createIndex('runId', 'runId');
    blobs.createIndex('savedAt', 'savedAt');
  }
  if (!db.objectStoreNames.contains('parts')) {
    const parts = db.createObjectStore('parts', { keyPath: ['blobId', 'index'] });
    parts.createIndex('runId', 'runId');
    parts.createIndex('savedAt', 'savedAt');
  }
}

/**
 * A connection at this studio's version or, when a newer studio (another tab) has upgraded the
 * database, at its version: this one keeps working as long as the stores it uses are there.
 */
async function connect(name: string): Promise<Db> {
  try {
    return await openDB<StudioDB>(name, DB_VERSION, { upgrade: createStores });
  } catch (err) {
    if ((err as { name?: string }).name !== 'VersionError') throw err;
  }
  const db = await openDB<StudioDB>(name);
  const missing = (['runs', 'blobs', 'parts'] as const).filter((s) => !db.objectStoreNames.contains(s));
  if (missing.length) {
    db.close();
    throw new Error(`A newer version of the studio changed this browser's run database (version ${db.version}): reload the page to use it.`);
  }
  return db;
}

export async function openRunStore(opts: RunStoreOptions = {}): Promise<RunStore> {
  const store = new RunStore(await connect(opts.name ?? DB_NAME), opts);
  if (opts.collectGarbage ?? true) await store.collectGarbage().catch(() => 0);
  return store;
}
