/**
 * What the page knows about the current run, folded from the worker's messages.
 * Step losses are not kept here (see StepLossSeries): only the latest step per run, for progress.
 */
import type { ImportProblem } from '../../core/data/types';
import { finalFrom, withEpoch, type FinalMetrics, type History, type PairedSummary, type RunKind, type StepEvent } from '../../core/train/history';
import type { TrainResult } from '../../core/train/loop';
import type { BackendReport, StorageReport, FromWorker, RunMeta } from '../../worker/protocol';
import type { ReportDataset, SweepEntry } from '../../core/train/experiment';
import type { TrainConfig } from '../../core/train/config';

/** Where the page's training session is (a stored run's status is RunStatus, in the run store). */
export type SessionStatus =
  | 'idle'
  | 'starting'
  | 'ingesting'
  | 'measuring'
  | 'training'
  | 'paused'
  | 'stopping'
  | 'done'
  | 'stopped'
  | 'error';

export type WorkerErrorKind = Extract<FromWorker, { type: 'error' }>['kind'];

export interface RunState {
  runId: string | null;
  status: SessionStatus;
  /** Epochs and runs of the experiment in progress, for the progress bar. */
  plan: { epochs: number; runs: RunKind[]; batchSize: number } | null;
  backend: BackendReport | null;
  ingest: { done: number; total: number; imagesPerSec: number; bytes: number; etaSeconds?: number; workers?: number } | null;
  /** Where the worker keeps the images (memory, or disk and streamed) and why: its memory budget. */
  storage: StorageReport | null;
  /** Caching the frozen body's output (a pretrained net with frozen layers): images done of total. */
  cache: { done: number; total: number } | null;
  split: { train: string[]; val: string[]; test: string[]; reason: string } | null;
  problems: ImportProblem[];
  lastStep: Partial<Record<RunKind, StepEvent>>;
  /** The run whose step came last: the one training now ("both" alternates per epoch). */
  lastRun: RunKind | null;
  /** The run's history so far (a continued run's stored epochs first). */
  history: History;
  warnings: string[];
  /** The warning shown for each key (a keyed warning replaces its earlier self). */
  warningKeys: Record<string, string>;
  error: { kind: WorkerErrorKind; message: string } | null;
  result: TrainResult | null;
  /** Recent (time ms, steps done) samples while training, for the speed and ETA. */
  rate: { t: number; done: number }[];
  /** performance.now() when Start was pressed and when the run ended (for "took …"). */
  startedAt: number | null;
  endedAt: number | null;
  /** The latest checkpoint stored: its epoch, size and timings. */
  checkpoint: { epoch: number; bytes: number; ms: number; exportMs: number } | null;
  /** A continued run: the epoch of the checkpoint it went on from. */
  continuedFrom: number | null;
  /**
   * An experiment with repeats: the one training now (0-based), how many, and the finished ones' results; in a sweep its
   * training size; the steps planned before it and in all (a sweep's sizes differ in steps).
   */
  repeat: { index: number; count: number; finals: FinalMetrics[]; trainSize?: number; steps?: { before: number; total: number } } | null;
  /** Every repeat's results and the paired differences, once all are done. */
  repeats: { finals: FinalMetrics[]; paired: PairedSummary } | null;
  /** A training-size sweep's rows (each size's runs and paired differences), once all are done. */
  sweep: SweepEntry[] | null;
  /** An experiment of several runs, once done: how many finished of how many planned (repeats and sweep hold the finished ones only). */
  runs: { finished: number; planned: number } | null;
  /** The experiment started from this page: its config, name and cross-dataset set, for the downloads of its results. */
  experiment: { config: TrainConfig; meta?: RunMeta; cross?: ReportDataset } | null;
}

export const initialRunState: RunState = {
  runId: null,
  status: 'idle',
  plan: null,
  backend: null,
  ingest: null,
  storage: null,
  cache: null,
  split: null,
  problems: [],
  lastStep: {},
  lastRun: null,
  history: [],
  warnings: [],
  warningKeys: {},
  error: null,
  result: null,
  rate: [],
  startedAt: null,
  endedAt: null,
  checkpoint: null,
  continuedFrom: null,
  repeat: null,
  repeats: null,
  sweep: null,
  runs: null,
  experiment: null,
};

export type RunAction =
  | { type: 'reset'; runId: string; plan: NonNullable<RunState['plan']>; now: number; experiment?: RunState['experiment'] }
  | { type: 'messages'; msgs: FromWorker[]; now: number }
  /** The page itself failed to start or talk to the worker. */
  | { type: 'fail'; kind: WorkerErrorKind; message: string }
  /** Back to before the run (the presentation's reset): nothing shown, Start possible again. */
  | { type: 'clear' };

const RATE_WINDOW_MS = 20_000;

export const isActive = (s: SessionStatus) =>
  s === 'starting' || s === 'ingesting' || s === 'measuring' || s === 'training' || s === 'paused' || s === 'stopping';

function stepsDone(state: RunState): number {
  let n = 0;
  for (const s of Object.values(state.lastStep)) if (s) n += s.globalStep;
  return n;
}

function apply(state: RunState, msg: FromWorker, now: number): RunState {
  switch (msg.type) {
    case 'backend':
      return { ...state, backend: msg };
    case 'ingest':
      return { ...state, ingest: { done: msg.done, total: msg.total, imagesPerSec: msg.imagesPerSec, bytes: msg.bytes, etaSeconds: msg.etaSeconds, workers: msg.workers } };
    case 'storage':
      return { ...state, storage: msg };
    case 'repeat': {
      // A new repeat draws its own curves; the finished one's results are kept for the table.
      const finals = state.repeat ? [...state.repeat.finals, finalFrom(state.history)] : [];
      const extra = { ...(msg.trainSize !== undefined && { trainSize: msg.trainSize }), ...(msg.steps && { steps: msg.steps }) };
      return { ...state, repeat: { index: msg.index, count: msg.count, finals, ...extra }, history: [], lastStep: {}, lastRun: null, checkpoint: null, cache: null, rate: [] };
    }
    case 'cache':
      return { ...state, cache: { done: msg.done, total: msg.total } };
    case 'problems':
      return { ...state, problems: [...state.problems, ...msg.problems] };
    case 'split':
      return { ...state, split: { train: msg.train, val: msg.val, test: msg.test, reason: msg.reason } };
    case 'steps': {
      if (msg.steps.length === 0) return state;
      const lastStep = { ...state.lastStep };
      for (const s of msg.steps) lastStep[s.run] = s;
      const next = { ...state, lastStep, lastRun: msg.steps[msg.steps.length - 1]!.run };
      if (next.status === 'starting' || next.status === 'ingesting' || next.status === 'measuring') next.status = 'training';
      const rate = [...state.rate, { t: now, done: stepsDone(next) }].filter((r) => now - r.t <= RATE_WINDOW_MS);
      return { ...next, rate };
    }
    case 'checkpoint':
      return { ...state, checkpoint: { epoch: msg.epoch, bytes: msg.bytes, ms: msg.ms, exportMs: msg.exportMs } };
    case 'continued':
      // The stored history, drawn before the new epochs arrive.
      return { ...state, continuedFrom: msg.fromEpoch, history: msg.history };
    case 'taskDone':
    case 'taskFailed':
      return state;
    case 'epoch':
      return { ...state, history: withEpoch(state.history, msg.event) };
    case 'state':
      // Pausing breaks the speed window: the paused time is not training time.
      return { ...state, status: msg.state, rate: msg.state === 'training' ? state.rate : [] };
    case 'warning': {
      const old = msg.key === undefined ? undefined : state.warningKeys[msg.key];
      const warningKeys = msg.key === undefined ? state.warningKeys : { ...state.warningKeys, [msg.key]: msg.message };
      if (old !== undefined) return { ...state, warningKeys, warnings: state.warnings.map((w) => (w === old ? msg.message : w)) };
      return state.warnings.includes(msg.message) ? state : { ...state, warningKeys, warnings: [...state.warnings, msg.message] };
    }
    case 'error':
      return { ...state, status: 'error', error: { kind: msg.kind, message: msg.message }, endedAt: state.endedAt ?? now };
    case 'done':
      // One 'done' per experiment, with every run's result.
      return {
        ...state,
        result: msg.result,
        repeats: msg.repeats ?? null,
        sweep: msg.sweep ?? null,
        runs: msg.runs ?? null,
        status: state.status === 'error' ? 'error' : msg.result.stopped ? 'stopped' : 'done',
        rate: [],
        endedAt: state.endedAt ?? now,
      };
  }
}

/** A stopped experiment's results in words: how many runs finished, and that the paired results hold only those. */
export function unfinishedNote({ finished, planned }: { finished: number; planned: number }): string {
  const over = finished
    ? `the paired results are over ${finished === 1 ? 'that one' : `those ${finished}`}; the stopped run's epochs are left out (its networks are not all at one epoch)`
    : 'there are no paired results yet';
  return `${finished} of ${planned} runs finished: ${over}. Continue the experiment from the runs list to train the rest.`;
}

export function runReducer(state: RunState, action: RunAction): RunState {
  switch (action.type) {
    case 'reset':
      return { ...initialRunState, runId: action.runId, status: 'starting', plan: action.plan, startedAt: action.now, experiment: action.experiment ?? null };
    case 'fail':
      return { ...state, status: 'error', error: { kind: action.kind, message: action.message } };
    case 'messages':
      return action.msgs.reduce((s, m) => apply(s, m, action.now), state);
    case 'clear':
      return initialRunState;
  }
}

export interface Progress {
  /** 0..1 of all planned steps. */
  fraction: number;
  done: number;
  total: number;
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  run: RunKind | null;
  imagesPerSec: number | null;
  etaSeconds: number | null;
}

/** Progress over all planned steps (both runs in "both" mode), speed and ETA from the recent window. */
export function progressOf(state: RunState): Progress | null {
  if (!state.plan) return null;
  const latest = Object.values(state.lastStep).sort((a, b) => (b?.globalStep ?? 0) - (a?.globalStep ?? 0))[0];
  const spe = latest?.stepsPerEpoch ?? 0;
  const perRepeat = spe * state.plan.epochs * state.plan.runs.length;
  // Planned steps when the worker gave them (a sweep's runs differ in size), else every repeat as long as this one.
  const planned = state.repeat?.steps;
  const total = planned ? planned.total : perRepeat * (state.repeat?.count ?? 1);
  const done = stepsDone(state) + (planned ? planned.before : perRepeat * (state.repeat?.index ?? 0));
  const r = state.rate;
  let stepsPerSec: number | null = null;
  if (r.length >= 2) {
    const dt = (r[r.length - 1]!.t - r[0]!.t) / 1000;
    if (dt > 0.5) stepsPerSec = (r[r.length - 1]!.done - r[0]!.done) / dt;
  }
  // The step shown is that of the run training now.
  const current = state.lastRun ? state.lastStep[state.lastRun] : undefined;
  return {
    fraction: total > 0 ? Math.min(1, done / total) : 0,
    done,
    total,
    epoch: current ? current.epoch + 1 : 0,
    epochs: state.plan.epochs,
    step: current ? current.step + 1 : 0,
    stepsPerEpoch: spe,
    run: current?.run ?? null,
    imagesPerSec: stepsPerSec !== null ? stepsPerSec * state.plan.batchSize : (current?.imagesPerSec ?? null),
    etaSeconds: stepsPerSec && stepsPerSec > 0 && total > 0 ? (total - done) / stepsPerSec : null,
  };
}
