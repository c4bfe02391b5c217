/**
 * runExperiment that survives losing its backend mid-run (a WebGPU device lost to a driver
 * reset, a sleeping laptop, a GPU taken by another tab): the state of the last epoch that
 * every run finished is kept on the host; when the backend dies, the cohorts are rebuilt on
 * the next backend, that state is loaded (weights, BatchNorm statistics, Adam's moments)
 * and training continues from that epoch. The batch order depends only on (seed, epoch),
 * so the continued run is the run that would have been. The same state is what the run
 * store keeps (the checkpoint hook), and a stored run continues from it (resumeFrom).
 */
import type { Cohort } from '../core/train/cohort';
import { exportCohortState, importCohortState, type CohortState } from '../core/train/cohortState';
import { runsOf, type TrainConfig } from '../core/train/config';
import type { EpochEvent, HistoryRow, RunKind, TrainEvent } from '../core/train/events';
import { createRunCohorts, type ExperimentData, type RunControl } from '../core/train/experiment';
import { finalFrom, historyRow, lastEvents } from '../core/train/final';
import { runExperiment, type ExperimentResult } from '../core/train/runExperiment';

export interface ResilienceHooks {
  /** Keep a host copy of the state after each epoch (only where the backend can be lost: it costs a read-back). */
  keepCheckpoints(): boolean;
  /** Why the backend is gone, when `err` came from losing it; null for any other error. */
  backendLost(err: unknown): Promise<string | null>;
  /** Make the next backend active; its name, or null when none is left. */
  nextBackend(): Promise<string | null>;
  /** Told before training goes on elsewhere. */
  onFallback(info: { lost: string; to: string; fromEpoch: number }): void;
  /** Awaited after each epoch of each run (the run store records its history here). */
  epochDone?(event: EpochEvent): Promise<void>;
  /**
   * Awaited once every run has finished an epoch, with their state, that epoch's events and the
   * ms spent reading the state off the backend (needs keepCheckpoints).
   */
  checkpoint?(checkpoint: Checkpoint, events: Partial<Record<RunKind, EpochEvent>>, exportMs: number): Promise<void>;
}

export interface ResilientOptions {
  emit: (e: TrainEvent) => void;
  control: RunControl;
  hooks: ResilienceHooks;
  /** Continue a stored run: the state after `epoch` epochs of every run of the config. */
  resumeFrom?: Checkpoint;
}

export interface Checkpoint {
  /** Epochs finished by every run. */
  epoch: number;
  states: Record<RunKind, CohortState>;
}

function disposeQuietly(cohorts: Iterable<Cohort>): void {
  for (const c of cohorts) {
    try {
      c.dispose();
    } catch {
      // A lost device cannot free its buffers; they went with it.
    }
  }
}

export async function trainResilient(config: TrainConfig, data: ExperimentData, o: ResilientOptions): Promise<ExperimentResult> {
  const runs = runsOf(config);
  const events = new Map<string, EpochEvent>();
  // A holder, not a `let`: the callback below sets it, which TypeScript's narrowing cannot follow.
  const saved: { checkpoint: Checkpoint | null } = { checkpoint: o.resumeFrom ?? null };
  for (;;) {
    const checkpoint = saved.checkpoint;
    const startEpoch = checkpoint?.epoch ?? 0;
    let cohorts: Partial<Record<RunKind, Cohort>> = {};
    try {
      cohorts = createRunCohorts(config, data);
      if (checkpoint) for (const r of runs) await importCohortState(cohorts[r]!, checkpoint.states[r]);
      const pending: Partial<Record<RunKind, CohortState>> = {};
      const epochEvents: Partial<Record<RunKind, EpochEvent>> = {};
      let exportMs = 0;
      const result = await runExperiment(config, data, {
        control: o.control,
        startEpoch,
        cohorts,
        emit: (e) => {
          if (e.type === 'epoch') events.set(`${e.run}:${e.epoch}`, e);
          o.emit(e);
        },
        afterEpoch: async (run, cohort, ev) => {
          await o.hooks.epochDone?.(ev);
          if (!o.hooks.keepCheckpoints()) return;
          const t0 = performance.now();
          pending[run] = await exportCohortState(cohort);
          exportMs += performance.now() - t0;
          epochEvents[run] = ev;
          // Runs alternate within an epoch: after the last one, every run has finished this epoch.
          if (run !== runs[runs.length - 1]) return;
          const c: Checkpoint = { epoch: ev.epoch, states: { ...pending } as Record<RunKind, CohortState> };
          saved.checkpoint = c;
          await o.hooks.checkpoint?.(c, { ...epochEvents }, exportMs);
          exportMs = 0;
        },
      });
      return { ...assemble(events), stopped: result.stopped };
    } catch (err) {
      const lost = await o.hooks.backendLost(err);
      if (lost === null) throw err;
      const to = await o.hooks.nextBackend();
      if (to === null) throw err;
      const fromEpoch = saved.checkpoint?.epoch ?? 0;
      // Epochs after the checkpoint are trained again on the new backend.
      for (const [k, e] of events) if (e.epoch > fromEpoch) events.delete(k);
      o.hooks.onFallback({ lost, to, fromEpoch });
    } finally {
      disposeQuietly(Object.values(cohorts));
    }
  }
}

function assemble(events: Map<string, EpochEvent>): Omit<ExperimentResult, 'stopped'> {
  const sorted = [...events.values()].sort((a, b) => a.epoch - b.epoch);
  const history: HistoryRow[] = sorted.map(historyRow);
  const last = lastEvents(sorted);
  const epochsDone: Partial<Record<RunKind, number>> = {};
  for (const e of Object.values(last)) epochsDone[e.run] = e.epoch;
  return { history, final: finalFrom(last), epochsDone };
}
