/**
 * What a run records, epoch by epoch, and what is read off it. One shape everywhere: the
 * worker sends these events, the run store keeps them, the charts draw them and results.json
 * holds them. No tfjs here (types and plain functions only), so the page can use it without
 * pulling in the training code.
 */
import type { IqaMetrics } from '../metrics';

/** Which network group an event belongs to. */
export type RunKind = 'baseline' | 'dml';

/** Every run kind, in the order they alternate within an epoch. */
export const RUN_KINDS: readonly RunKind[] = ['baseline', 'dml'];

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
  /** Test-set predictions, for the scatter plot: per network, and the ensemble. Kept on the newest event of each kind only. */
  predictions: { peers: number[][]; ensemble?: number[] };
  lr: number;
  seconds: number;
  imagesPerSec: number;
  memory: { numTensors: number; numBytes: number };
}

/** The frozen body's output is being cached: images done of total (before the first step). */
export interface CacheEvent {
  type: 'cache';
  done: number;
  total: number;
}

export type TrainEvent = StepEvent | EpochEvent | CacheEvent;

/** A run's history: every finished epoch of every run kind, in the order they finished. */
export type History = EpochEvent[];

export interface FinalMetrics {
  baseline?: IqaMetrics;
  dml?: { ensemble: IqaMetrics; peers: IqaMetrics[] };
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

/**
 * The run's results: each kind's metrics at its last epoch. A kind whose metrics are missing
 * (e.g. a DML event without an ensemble) is left out. The one place final metrics come from.
 */
export function finalFrom(history: readonly EpochEvent[]): FinalMetrics {
  const last = lastEvents(history);
  const final: FinalMetrics = {};
  const base = last.baseline?.test.peers[0];
  if (base) final.baseline = base;
  if (last.dml?.test.ensemble) final.dml = { ensemble: last.dml.test.ensemble, peers: last.dml.test.peers };
  return final;
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
