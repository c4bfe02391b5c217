/**
 * A training session's link to the run store: holds the run's lock while it trains, records
 * the run, each epoch and each checkpoint, and its end. Training never stops for storage: a
 * write that fails (quota, a run deleted in another tab) becomes a warning to the page.
 */
import type { CohortState } from '../core/train/savedState';
import type { EpochEvent, RunKind } from '../core/train/events';
import { finalFrom, type FinalMetrics } from '../core/train/runExperiment';
import type { FromWorker } from './protocol';
import { holdRunLock, type RunLock } from './storage/runLock';
import { RunNotFoundError, selectionSrcc, type Checkpoint, type NewRun, type RunRecord, type RunStatus, type RunStore } from './storage/runStore';

/** Heartbeats at most this often (ms): the page's fallback sign of life where Web Locks are missing. */
const HEARTBEAT_MS = 2000;

/** The last event of each run kind in a history. */
export function lastEvents(history: readonly EpochEvent[]): Partial<Record<RunKind, EpochEvent>> {
  const last: Partial<Record<RunKind, EpochEvent>> = {};
  for (const e of history) if (!last[e.run] || last[e.run]!.epoch <= e.epoch) last[e.run] = e;
  return last;
}

export class RunRecorder {
  private lastBeat = 0;
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
   * Continue the stored run: `check` sees the record first and throws when it cannot go on (the
   * record is then left as it was); then its history is cut back to its last checkpoint.
   */
  async resume(check: (run: RunRecord) => void): Promise<{ run: RunRecord; checkpoint: Checkpoint | null }> {
    const before = await this.store.getRun(this.runId);
    if (!before) throw new RunNotFoundError(this.runId);
    check(before);
    const resumed = await this.store.beginResume(this.runId);
    this.recording = true;
    return resumed;
  }

  /** Called from the step path: a heartbeat now and then, never awaited. */
  beat(): void {
    const now = performance.now();
    if (!this.recording || now - this.lastBeat < HEARTBEAT_MS) return;
    this.lastBeat = now;
    this.store.heartbeat(this.runId).catch(() => {});
  }

  async epoch(event: EpochEvent): Promise<void> {
    if (!this.recording) return;
    try {
      await this.store.appendEpoch(this.runId, event);
    } catch (err) {
      this.warn(`Epoch ${event.epoch} of the ${event.run === 'dml' ? 'DML' : 'baseline'} run was not saved`, err);
    }
  }

  async checkpoint(epoch: number, states: Record<RunKind, CohortState>, events: Partial<Record<RunKind, EpochEvent>>, exportMs: number): Promise<void> {
    if (!this.recording) return;
    try {
      const w = await this.store.writeCheckpoint(this.runId, { epoch, states, srcc: selectionSrcc(events) });
      this.send({ type: 'checkpoint', epoch, bytes: w.bytes, ms: w.ms, exportMs });
    } catch (err) {
      this.warn(`Checkpoint of epoch ${epoch} skipped`, err);
    }
  }

  /**
   * Record how the run ended and release its lock. A continued run's result covers only the
   * epochs after the resume: with none, the final metrics come from the stored history.
   * Returns the final metrics recorded.
   */
  async end(status: RunStatus, extra: { final?: FinalMetrics; error?: string } = {}): Promise<FinalMetrics | undefined> {
    let final = extra.final;
    try {
      if (!this.recording) return final;
      if (status !== 'failed' && !final?.baseline && !final?.dml) {
        const run = await this.store.getRun(this.runId);
        if (run) final = finalFrom(lastEvents(run.history));
      }
      await this.store.setStatus(this.runId, status, { ...extra, final });
    } catch (err) {
      this.warn('How the run ended was not saved', err);
    } finally {
      this.lock.release();
    }
    return final;
  }
}
