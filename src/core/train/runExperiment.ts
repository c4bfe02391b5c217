import type { IqaMetrics } from '../metrics';
import type { Cohort } from './cohort';
import type { TrainConfig } from './config';
import type { EpochEvent, HistoryRow, RunKind, TrainEvent } from './events';
import { createCohort, NO_CONTROL, runsOf, trainEpoch, trainMeanMos, type ExperimentData, type RunControl } from './experiment';

export interface FinalMetrics {
  baseline?: IqaMetrics;
  dml?: { ensemble: IqaMetrics; peers: IqaMetrics[] };
}

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

export function historyRow(e: EpochEvent): HistoryRow {
  const loss = e.trainLoss.total.reduce((a, b) => a + b, 0) / e.trainLoss.total.length;
  return { mode: e.run, epoch: e.epoch, loss, test: e.test };
}

export function finalFrom(last: Partial<Record<RunKind, EpochEvent>>): FinalMetrics {
  const final: FinalMetrics = {};
  if (last.baseline) final.baseline = last.baseline.test.peers[0];
  if (last.dml) final.dml = { ensemble: last.dml.test.ensemble!, peers: last.dml.test.peers };
  return final;
}

/**
 * Train the config's runs epoch by epoch; with mode "both" the baseline and DML alternate
 * per epoch, on the same split, seed and batch order, so their curves grow side by side.
 */
export async function runExperiment(config: TrainConfig, data: ExperimentData, opts: RunOptions = {}): Promise<ExperimentResult> {
  const emit = opts.emit ?? (() => {});
  const control = opts.control ?? NO_CONTROL;
  const runs = runsOf(config);
  const owned: Cohort[] = [];
  const cohorts = Object.fromEntries(
    runs.map((r) => {
      const given = opts.cohorts?.[r];
      if (given) return [r, given];
      const c = createCohort(r, config, trainMeanMos(data));
      owned.push(c);
      return [r, c];
    }),
  ) as Record<RunKind, Cohort>;
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
    for (const c of owned) c.dispose();
  }
  return { history, final: finalFrom(last), epochsDone, stopped };
}
