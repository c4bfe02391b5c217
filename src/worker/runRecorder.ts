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
import { RunNotFoundError, type Checkpoint, type NewRun, type RunRecord, type RunStatus, type RunStore } from '../storage/runStore';

/** Heartbeats at most this often (ms): the page's fallback sign of life where Web Locks are missing. */
const HEARTBEAT_MS = 2000;

export class RunRecorder implements Recorder {
  private lastBeat = 0;
  /** Each kind's networks at its validation-chosen epoch: what the "best" checkpoint holds. */
  private readonly best = new BestCheckpoints<CohortState>();
  /** true once the run is in the store (created or resumed): before that, or after a failed createRun, nothing is written. */
  private recording = false;

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
      this.warn(`Epoch ${event.epoch} of the ${RUN_NAMES[event.run]} run was not saved`, err);
    }
  }

  async checkpoint({ epoch, states }: LoopCheckpoint, events: Partial<Record<RunKind, EpochEvent>>, exportMs: number): Promise<void> {
    if (!this.recording) return;
    try {
      const w = await this.store.writeCheckpoint(this.runId, { epoch, states, best: this.best.offer(epoch, states, events) });
      this.best.written();
      this.send({ type: 'checkpoint', epoch, bytes: w.bytes, ms: w.ms, exportMs });
    } catch (err) {
      this.warn(`Checkpoint of epoch ${epoch} skipped`, err);
    }
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
