/**
 * What a run records, epoch by epoch, and what is read off it. One shape everywhere: the
 * worker sends these events, the run store keeps them, the charts draw them and results.json
 * holds them. No tfjs here (types and plain functions only), so the page can use it without
 * pulling in the training code.
 */
import { pairedDifference, type IqaMetrics, type PairedDifference } from '../metrics';

/** Which network group an event belongs to: the baseline, the DML cohort, or the control (the DML cohort with λ = 0: an independent pair). */
export type RunKind = 'baseline' | 'dml' | 'control';

/** Every run kind, in the order they alternate within an epoch. */
export const RUN_KINDS: readonly RunKind[] = ['baseline', 'dml', 'control'];

/** Each run kind in words, for messages and tables. */
export const RUN_NAMES: Record<RunKind, string> = { baseline: 'baseline', dml: 'DML', control: 'independent pair' };

/** One value per network of a cohort: supervised MSE, mimicry MSE (0 for a lone network), total. */
export interface StepLosses {
  supervised: number[];
  mimicry: number[];
  total: number[];
}

export interface StepEvent {
  type: 'step';
  run: RunKind;
  /** 0-based epoch and step within it. */
  epoch: number;
  step: number;
  stepsPerEpoch: number;
  /** Global step count of this run, 1-based. */
  globalStep: number;
  losses: StepLosses;
  imagesPerSec: number;
  lr: number;
  /** λ, the mimicry weight, this step trained with (it can change between steps). */
  lambda?: number;
  /** The batch in detail, only when the run's control asked for it (it costs a little extra work). */
  batch?: StepBatch;
}

/** One step's batch as the cohort saw it. */
export interface StepBatch {
  /** The images' indices in the run's image store, and their MOS. */
  idxs: number[];
  mos: number[];
  /** The images' file names (filled in by whoever knows the store's names). */
  files?: string[];
  /** Per peer, its training-mode predictions on the batch: what the losses compared. */
  preds: number[][];
  /** Per peer, the L2 norm of the gradient of its own loss over its trainable weights. */
  gradNorm: number[];
  /** Per peer, inference-mode predictions on the batch before and after the update (single steps only: two more forward passes). */
  before?: number[][];
  after?: number[][];
}

export interface EpochMetrics {
  /** One entry per network: the baseline alone, or each DML peer. */
  peers: IqaMetrics[];
  /** The DML ensemble (mean of the peers). */
  ensemble?: IqaMetrics;
}

/** One finished epoch of one run kind: the unit of a run's history. */
export interface EpochEvent {
  type: 'epoch';
  run: RunKind;
  /** 1-based: the number of epochs finished. */
  epoch: number;
  /** Mean training loss per network over the epoch: supervised, mimicry, total. */
  trainLoss: StepLosses;
  test: EpochMetrics;
  /** The validation set's metrics, when there is one: what chooses epochs and checkpoints. */
  val?: EpochMetrics;
  /** A second dataset's metrics (the cross-dataset test), when one is given: reported, never used to choose. */
  cross?: EpochMetrics;
  /** Test-set predictions, for the scatter plot: per network, and the ensemble. Kept on the newest event of each kind only. */
  predictions: { peers: number[][]; ensemble?: number[] };
  lr: number;
  /** λ in use at the epoch's last step (the page can change it during a run). */
  lambda?: number;
  seconds: number;
  imagesPerSec: number;
  /** tf.memory() after the epoch; numBytesAllocatedInGPU on webgpu only: its buffer pool, freed tensors' buffers included. */
  memory: { numTensors: number; numBytes: number; numBytesAllocatedInGPU?: number };
  /** Each network's feature heatmap of one test image after this epoch. */
  heatmap?: FeatureHeatmap;
}

/**
 * Each network's last convolutional feature map for one test image, as the mean over channels
 * after ReLU (the seed code's features_dis). A mirrored peer's map is of the mirrored image, as
 * it sees it.
 */
export interface FeatureHeatmap {
  /** The image's position in the run's test set, and its index in the image store. */
  test: number;
  image: number;
  height: number;
  width: number;
  /** Per network, height × width values, row by row. */
  peers: number[][];
  /** Per network, whether it was fed the mirrored image. */
  mirrored: boolean[];
}

/** The frozen body's output is being cached: images done of total (before the first step). */
export interface CacheEvent {
  type: 'cache';
  done: number;
  total: number;
}

/** Something went wrong that training goes on without (e.g. a feature heatmap that could not be made): said once, in words. */
export interface WarningEvent {
  type: 'warning';
  message: string;
}

export type TrainEvent = StepEvent | EpochEvent | CacheEvent | WarningEvent;

/** A run's history: every finished epoch of every run kind, in the order they finished. */
export type History = EpochEvent[];

export interface CohortFinal {
  ensemble: IqaMetrics;
  peers: IqaMetrics[];
}

/** A network's epoch of best validation SRCC, and its test metrics there. */
export interface Chosen {
  epoch: number;
  valSrcc: number;
  test: IqaMetrics;
  /** The cross-dataset metrics at that epoch, when there is a second dataset. */
  cross?: IqaMetrics;
}

export interface FinalMetrics {
  /** Test metrics at each kind's last epoch. */
  baseline?: IqaMetrics;
  dml?: CohortFinal;
  control?: CohortFinal;
  /** The cross-dataset set's metrics at each kind's last epoch, when there is one. */
  cross?: { baseline?: IqaMetrics; dml?: CohortFinal; control?: CohortFinal };
  /**
   * Test metrics at the epoch chosen by validation SRCC, network by network (the baseline, each
   * cohort's ensemble, each peer). Absent without a validation set. The test set chooses nothing.
   */
  selected?: { baseline?: Chosen; dml?: { ensemble: Chosen; peers: Chosen[] }; control?: { ensemble: Chosen; peers: Chosen[] } };
}

/** The last event of each run kind in a history. */
export function lastEvents(history: readonly EpochEvent[]): Partial<Record<RunKind, EpochEvent>> {
  const last: Partial<Record<RunKind, EpochEvent>> = {};
  for (const e of history) {
    const seen = last[e.run];
    if (!seen || seen.epoch <= e.epoch) last[e.run] = e;
  }
  return last;
}

/** NaN (e.g. constant predictions) ranks below any real SRCC. */
function rank(srcc: number | undefined): number {
  return srcc !== undefined && Number.isFinite(srcc) ? srcc : -Infinity;
}

/**
 * The epoch (of one kind's events) whose validation SRCC of network `pick` is highest; ties go to
 * the later epoch (same quality, more training). Only validation metrics are read.
 */
function choose(events: readonly EpochEvent[], pick: (m: EpochMetrics) => IqaMetrics | undefined): Chosen | undefined {
  let best: EpochEvent | undefined;
  for (const e of events) {
    if (!e.val || !pick(e.val)) continue;
    if (!best || rank(pick(e.val)?.srcc) >= rank(pick(best.val!)?.srcc)) best = e;
  }
  const test = best && pick(best.test);
  const cross = best?.cross && pick(best.cross);
  return best && test ? { epoch: best.epoch, valSrcc: pick(best.val!)!.srcc, test, ...(cross && { cross }) } : undefined;
}

/**
 * The run's results: each kind's test metrics at its last epoch and, with a validation set, at
 * each network's validation-chosen epoch. A kind whose metrics are missing (e.g. a DML event
 * without an ensemble) is left out. The one place final metrics come from.
 */
export function finalFrom(history: readonly EpochEvent[]): FinalMetrics {
  const last = lastEvents(history);
  const final: FinalMetrics = {};
  const base = last.baseline?.test.peers[0];
  if (base) final.baseline = base;
  for (const run of ['dml', 'control'] as const) {
    const e = last[run];
    if (e?.test.ensemble) final[run] = { ensemble: e.test.ensemble, peers: e.test.peers };
  }
  const crossBase = last.baseline?.cross?.peers[0];
  const cross: NonNullable<FinalMetrics['cross']> = {};
  if (crossBase) cross.baseline = crossBase;
  for (const run of ['dml', 'control'] as const) {
    const c = last[run]?.cross;
    if (c?.ensemble) cross[run] = { ensemble: c.ensemble, peers: c.peers };
  }
  if (Object.keys(cross).length) final.cross = cross;
  const of = (run: RunKind) => history.filter((e) => e.run === run);
  const selected: NonNullable<FinalMetrics['selected']> = {};
  const b = choose(of('baseline'), (m) => m.peers[0]);
  if (b) selected.baseline = b;
  for (const run of ['dml', 'control'] as const) {
    const events = of(run);
    const ensemble = choose(events, (m) => m.ensemble);
    const peers = (last[run]?.test.peers ?? []).map((_, k) => choose(events, (m) => m.peers[k]));
    if (ensemble && peers.every((p) => p)) selected[run] = { ensemble, peers: peers as Chosen[] };
  }
  if (Object.keys(selected).length) final.selected = selected;
  return final;
}

/** The paired comparisons of an experiment, each over its repeats. */
export interface PairedSummary {
  /** Test SRCC at each network's validation-chosen epoch ('selected'), or at the last epoch when there is no validation set. */
  basis: 'selected' | 'last';
  /** DML ensemble − baseline: the headline comparison, which credits ensembling too. */
  dml_vs_baseline?: PairedDifference;
  /** DML ensemble − independent ensemble (λ = 0): what mutual learning adds beyond ensembling. */
  dml_vs_control?: PairedDifference;
  /** DML peer A − baseline: one net against one net. */
  peerA_vs_baseline?: PairedDifference;
}

/** Paired SRCC differences over repeats, for each comparison every repeat can make. */
export function pairedSummary(finals: readonly FinalMetrics[]): PairedSummary {
  const basis = finals.length > 0 && finals.every((f) => f.selected) ? 'selected' : 'last';
  const srcc = (f: FinalMetrics) =>
    basis === 'selected'
      ? { baseline: f.selected?.baseline?.test.srcc, dml: f.selected?.dml?.ensemble.test.srcc, control: f.selected?.control?.ensemble.test.srcc, peerA: f.selected?.dml?.peers[0]?.test.srcc }
      : { baseline: f.baseline?.srcc, dml: f.dml?.ensemble.srcc, control: f.control?.ensemble.srcc, peerA: f.dml?.peers[0]?.srcc };
  const out: PairedSummary = { basis };
  const pair = (a: 'dml' | 'peerA', b: 'baseline' | 'control') => {
    const diffs = finals.map((f) => {
      const s = srcc(f);
      return s[a] !== undefined && s[b] !== undefined ? s[a]! - s[b]! : undefined;
    });
    return diffs.length && diffs.every((d) => d !== undefined) ? pairedDifference(diffs as number[]) : undefined;
  };
  const dmlBase = pair('dml', 'baseline');
  const dmlControl = pair('dml', 'control');
  const peerA = pair('peerA', 'baseline');
  if (dmlBase) out.dml_vs_baseline = dmlBase;
  if (dmlControl) out.dml_vs_control = dmlControl;
  if (peerA) out.peerA_vs_baseline = peerA;
  return out;
}

/** Epochs finished by each run kind. */
export function epochsDone(history: readonly EpochEvent[]): Partial<Record<RunKind, number>> {
  const done: Partial<Record<RunKind, number>> = {};
  for (const e of Object.values(lastEvents(history))) done[e.run] = e.epoch;
  return done;
}

/**
 * Add an epoch to a history. An epoch trained again (after continuing from an earlier
 * checkpoint, or after a lost backend) replaces the old one and everything after it of that
 * run kind, so no epoch is ever listed twice. Per-image predictions are kept only on the
 * newest event of each kind.
 */
export function withEpoch(history: readonly EpochEvent[], event: EpochEvent): EpochEvent[] {
  const kept = history.filter((e) => e.run !== event.run || e.epoch < event.epoch);
  return [...kept.map((e) => (e.run === event.run ? withoutPredictions(e) : e)), event];
}

/** History up to and including `epoch` (to continue from a checkpoint of that epoch). */
export function historyUpTo(history: readonly EpochEvent[], epoch: number): EpochEvent[] {
  return history.filter((e) => e.epoch <= epoch);
}

function withoutPredictions(e: EpochEvent): EpochEvent {
  return e.predictions.peers.length || e.predictions.ensemble ? { ...e, predictions: { peers: [] } } : e;
}

/** Mean total training loss over a cohort's networks. */
export function meanTrainLoss(e: EpochEvent): number {
  return e.trainLoss.total.reduce((a, b) => a + b, 0) / e.trainLoss.total.length;
}

/** Peer k's name in tables, charts and file names: A, B, C, … (then 27, 28, … past Z). */
export function peerLetter(k: number): string {
  return k < 26 ? String.fromCharCode(65 + k) : String(k + 1);
}
