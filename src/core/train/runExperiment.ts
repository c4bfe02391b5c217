import type { Cohort } from './cohort';
import { runsOf, type TrainConfig } from './config';
import type { EpochEvent, HistoryRow, RunKind, TrainEvent } from './events';
import { createRunCohorts, NO_CONTROL, trainEpoch, type ExperimentData, type RunControl } from './experiment';
import { finalFrom, historyRow, type FinalMetrics } from './final';

export interface ExperimentResult {
  history: HistoryRow[];
  final: FinalMetrics;
  /** Epochs finished per run. */
  epochsDone: Partial<Record<RunKind, number>>;
  stopped: boolean;
}

export interface RunOptions {
  emit?: (e: TrainEvent) => void;
  control?: RunControl;
  /** Networks to continue (resume); created fresh when absent. Not disposed here when given. */
  cohorts?: Partial<Record<RunKind, Cohort>>;
  /** Epochs already finished (resume). */
  startEpoch?: number;
  /** Called after each finished epoch of each run, e.g. to write a checkpoint. */
  afterEpoch?: (run: RunKind, cohort: Cohort, event: EpochEvent) => Promise<void>;
}

/**
 * Train the config's runs epoch by epoch; with mode "both" the baseline and DML alternate
 * per epoch, on the same split, seed and batch order, so their curves grow side by side.
 */
export async function runExperiment(config: TrainConfig, data: ExperimentData, opts: RunOptions = {}): Promise<ExperimentResult> {
  const emit = opts.emit ?? (() => {});
  const control = opts.control ?? NO_CONTROL;
  const runs = runsOf(config);
  const missing = runs.filter((r) => !opts.cohorts?.[r]);
  const owned = createRunCohorts(config, data, missing);
  const cohorts = { ...owned, ...opts.cohorts } as Record<RunKind, Cohort>;
  const history: HistoryRow[] = [];
  const last: Partial<Record<RunKind, EpochEvent>> = {};
  const epochsDone: Partial<Record<RunKind, number>> = {};
  let stopped = false;
  try {
    outer: for (let epoch = opts.startEpoch ?? 0; epoch < config.epochs; epoch++) {
      for (const run of runs) {
        const ev = await trainEpoch(cohorts[run], run, epoch, config, data, emit, control);
        if (!ev) {
          stopped = true;
          break outer;
        }
        last[run] = ev;
        epochsDone[run] = ev.epoch;
        history.push(historyRow(ev));
        await opts.afterEpoch?.(run, cohorts[run], ev);
      }
    }
  } finally {
    for (const c of Object.values(owned)) c.dispose();
  }
  return { history, final: finalFrom(last), epochsDone, stopped };
}
