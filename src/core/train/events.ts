import type { IqaMetrics } from '../metrics';
import type { StepLosses } from './cohort';

/** Which network group an event belongs to. */
export type RunKind = 'baseline' | 'dml';

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

export interface EpochEvent {
  type: 'epoch';
  run: RunKind;
  /** 1-based: the number of epochs finished. */
  epoch: number;
  /** Mean training loss per network over the epoch: supervised, mimicry, total. */
  trainLoss: StepLosses;
  test: EpochMetrics;
  /** Test-set predictions, for the scatter plot: per network, and the ensemble. */
  predictions: { peers: number[][]; ensemble?: number[] };
  lr: number;
  seconds: number;
  imagesPerSec: number;
  memory: { numTensors: number; numBytes: number };
}

export type TrainEvent = StepEvent | EpochEvent;

/** A results.json history row (issue #2's format). */
export interface HistoryRow {
  mode: RunKind;
  epoch: number;
  loss: number;
  test: EpochMetrics;
}
