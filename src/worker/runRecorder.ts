/**
 * A training session's link to the run store: holds the run's lock while it trains, records
 * the run, each epoch and each checkpoint, and its end. Training never stops for storage: a
 * write that fails (quota, a run deleted in another tab) becomes a warning to the page.
 */
import { finalFrom, historyUpTo, RUN_NAMES, type EpochEvent, type FinalMetrics, type RunKind } from '../core/train/history';
import type { Checkpoint as LoopCheckpoint, Recorder } from '../core/train/loop';
import type { FromWorker } from './protocol';
import { holdRunLock, type RunLock } from '../storage/runLock';
import { BestCheckpoints } from '../core/train/bestCheckpoints';
import type { CohortState } from '../core/train/savedState';
import { RunNotFoundError, StorageFullError, type Checkpoint, type NewRun, type RunRecord, type RunStatus, type RunStore } from '../storage/runStore';

/** Heartbeats at most this often (ms): the page's fallback sign of life where Web Locks are missing. */
const HEARTBEAT_MS = 2000;

/** The page shows one line per key, updated as epochs go by, instead of one line per epoch. */
export const CHECKPOINTS_FULL = 'storage-full:checkpoints';
export const HISTORY_FULL = 'storage-full:history';

/** "epoch 3", "epochs 2 and 3", "epochs 2, 3 and 4". */
function epochList(epochs: readonly (number | string)[]): string {
  if (epochs.length === 1) return `epoch ${epochs[0]}`;
  return `epochs ${epochs.slice(0, -1).join(', ')} and ${epochs.at(-1)}`;
}

const MAKE_ROOM =
  'To make room, delete runs you no longer need in the runs list (step 5; “Export model” first keeps a run’s networks as a zip) or free disk space: the next checkpoint that fits is saved.';

export class RunRecorder implements Recorder {
  private lastBeat = 0;
  /** Each kind's networks at its validation-chosen epoch: what the "best" checkpoint holds. */
  private readonly best = new BestCheckpoints<CohortState>();
  /** true once the run is in the store (created or resumed): before that, or after a failed createRun, nothing is written. */
  private recording = false;
  /** The epoch of the newest checkpoint stored (0: none yet), and the epochs whose checkpoint a full storage refused since. */
  private storedEpoch = 0;
  private refused: number[] = [];
  /** A best (validation-chosen) the storage refused: each kind's epoch; written with the next checkpoint that fits. */
  private bestPending: Partial<Record<RunKind, number>> | null = null;
  /** Epochs whose metrics a full storage refused ("baseline 3"). */
  private historyRefused: string[] = [];

  private constructor(
    private readonly store: RunStore,
    readonly runId: string,
    private readonly lock: RunLock,
    private readonly send: (msg: FromWorker) => void,
  ) {}

  /** Takes the run's lock (RunBusyError when another tab trains it). */
  static async open(store: RunStore, runId: string, send: (msg: FromWorker) => void): Promise<RunRecorder> {
    return new RunRecorder(store, runId, await holdRunLock(runId), send);
  }

  private warn(what: string, err: unknown): void {
    this.send({ type: 'warning', message: `${what}: ${(err as Error).message ?? String(err)}` });
  }

  async create(meta: NewRun): Promise<void> {
    try {
      await this.store.createRun({ ...meta, id: this.runId });
      this.recording = true;
    } catch (err) {
      this.warn('This run is not being saved, so a reload loses it', err);
    }
  }

  /**
   * Read the stored run and its last checkpoint to continue it, changing nothing: `check` sees
   * the record and throws when it cannot go on. The history comes back cut to the checkpoint's
   * epoch (epochs after it are trained again). Nothing is written until commitResume, so an
   * attempt that fails before it leaves the record as it was.
   */
  async prepareResume(check: (run: RunRecord) => void): Promise<{ run: RunRecord; checkpoint: Checkpoint | null }> {
    const run = await this.store.getRun(this.runId);
    if (!run) throw new RunNotFoundError(this.runId);
    check(run);
    const checkpoint = await this.store.readCheckpoint(this.runId, 'last');
    this.storedEpoch = checkpoint?.ref.epoch ?? 0;
    const history = historyUpTo(run.history, checkpoint?.ref.epoch ?? 0);
    // The validation-chosen bests so far go on competing with the epochs still to come.
    const best = checkpoint && (await this.store.readCheckpoint(this.runId, 'best'));
    if (best?.ref.epochs) this.best.restore(best.states, best.ref.epochs, history);
    return { run: { ...run, history }, checkpoint };
  }

  /** Training goes on now: the stored history is cut back to the checkpoint and the run is 'running' again. */
  async commitResume(): Promise<void> {
    await this.store.beginResume(this.runId);
    this.recording = true;
  }

  /** Called from the step path: a heartbeat now and then, never awaited. Not needed while the run's lock is held (the page reads the locks instead). */
  beat(): void {
    if (this.lock.held) return;
    const now = performance.now();
    if (!this.recording || now - this.lastBeat < HEARTBEAT_MS) return;
    this.lastBeat = now;
    this.store.heartbeat(this.runId).catch(() => {});
  }

  async record(event: EpochEvent): Promise<void> {
    if (!this.recording) return;
    try {
      await this.store.appendEpoch(this.runId, event);
    } catch (err) {
      if (!(err instanceof StorageFullError)) return this.warn(`Epoch ${event.epoch} of the ${RUN_NAMES[event.run]} run was not saved`, err);
      this.historyRefused.push(`${RUN_NAMES[event.run]} ${event.epoch}`);
      this.send({
        type: 'warning',
        key: HISTORY_FULL,
        message: `Storage is full: the metrics of ${this.historyRefused.join(', ')} (run and epoch) were not saved, so the runs list will lack them; the charts here still show them. ${MAKE_ROOM}`,
      });
    }
  }

  async checkpoint({ epoch, states }: LoopCheckpoint, events: Partial<Record<RunKind, EpochEvent>>, exportMs: number): Promise<void> {
    if (!this.recording) return;
    const best = this.best.offer(epoch, states, events);
    try {
      const w = await this.store.writeCheckpoint(this.runId, { epoch, states, best });
      this.best.written();
      this.send({ type: 'checkpoint', epoch, bytes: w.bytes, ms: w.ms, exportMs });
      this.storedEpoch = epoch;
      if (this.refused.length) this.send({ type: 'warning', key: CHECKPOINTS_FULL, message: this.roomAgain(epoch, !!this.bestPending) });
      this.refused = [];
      this.bestPending = null;
    } catch (err) {
      if (!(err instanceof StorageFullError)) return this.warn(`Checkpoint of epoch ${epoch} skipped`, err);
      this.refused.push(epoch);
      if (typeof best === 'object') this.bestPending = best.epochs;
      this.send({ type: 'warning', key: CHECKPOINTS_FULL, message: this.storageFull() });
    }
  }

  /** What a full storage did not keep, what that means, and what to do. */
  private storageFull(): string {
    const n = this.refused.length;
    const what = `Storage is full: the ${n === 1 ? 'checkpoint' : 'checkpoints'} of ${epochList(this.refused)} (networks and optimizer state) ${n === 1 ? 'was' : 'were'} not saved.`;
    const kept = this.storedEpoch
      ? ` The last checkpoint kept is that of epoch ${this.storedEpoch}: a reload or a crash continues from there.`
      : ' No checkpoint of this run is kept: a reload or a crash starts it over.';
    const pending = this.bestPending
      ? ` The best networks so far (by validation SRCC: ${Object.entries(this.bestPending)
          .map(([k, e]) => `${RUN_NAMES[k as RunKind]} of epoch ${e}`)
          .join(', ')}) wait in memory and are written with the next checkpoint that fits.`
      : '';
    const metrics = this.historyRefused.length ? '' : "; every epoch's metrics are still recorded";
    return `${what}${kept}${pending} Training goes on${metrics}. ${MAKE_ROOM}`;
  }

  /** After a full storage: what is kept now, and what was lost for good. */
  private roomAgain(epoch: number, withBest: boolean): string {
    const n = this.refused.length;
    return (
      `Storage had room again: the checkpoint of epoch ${epoch} is saved${withBest ? ', with the best networks so far' : ''}. ` +
      `The ${n === 1 ? 'checkpoint' : 'checkpoints'} of ${epochList(this.refused)} ${n === 1 ? 'was' : 'were'} not saved, which no longer matters: a reload continues from epoch ${epoch}.`
    );
  }

  /**
   * Record how the run ended and release its lock. `final` is the loop's (a continued run's
   * history included); without it (stopped before training) it comes from the stored history.
   * A failed run keeps none. Returns the final metrics recorded.
   */
  async end(status: RunStatus, final?: FinalMetrics, error?: string): Promise<void> {
    try {
      if (!this.recording) return;
      // Nothing trained this time (stopped before the first step): the stored history's results stand.
      if (status !== 'failed' && (!final || !Object.keys(final).length)) {
        const run = await this.store.getRun(this.runId);
        if (run) final = finalFrom(run.history);
      }
      await this.store.setStatus(this.runId, status, { final: status === 'failed' ? undefined : final, error });
    } catch (err) {
      this.warn('How the run ended was not saved', err);
    } finally {
      this.lock.release();
    }
  }
}
