/**
 * The one definition of the messages between the page and the training worker.
 * Both sides import these types; nothing else crosses the boundary.
 */
import type { ImportProblem, LabelledItem } from '../core/data/types';
import type { TrainConfig } from '../core/train/config';
import type { EpochEvent, RunKind, StepEvent } from '../core/train/events';
import type { ExperimentResult } from '../core/train/runExperiment';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type BackendChoice = 'auto' | BackendName;

/** A file of the user's folder, with its path relative to the folder (webkitRelativePath minus the top folder). */
export interface DatasetFile {
  path: string;
  file: Blob;
}

export interface StartMessage {
  type: 'start';
  runId: string;
  config: TrainConfig;
  /** Usable rows after import and matching (done on the page, which shows the report). */
  items: LabelledItem[];
  /** The image files the items point to. */
  files: DatasetFile[];
  backend: BackendChoice;
  /** Forget the remembered "auto" choice and time the candidates again. */
  remeasure?: boolean;
  /** Test hook (browser tests only): destroy the WebGPU device at the first step after this many epochs. */
  debug?: { loseDeviceAfterEpoch?: number };
}

export type ToWorker =
  | StartMessage
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' };

export interface BackendCandidateReport {
  name: BackendName;
  /** Why it was not used (failed to start, slower, not measured because forced). */
  skipped?: string;
  /** ms per training step when it was timed. */
  msPerStep?: number;
}

export interface BackendReport {
  type: 'backend';
  name: BackendName;
  /** Why this one runs: forced by the user, fastest measured, remembered from an earlier measurement, or fallback. */
  reason: string;
  adapter?: { vendor: string; architecture: string; description: string; isFallbackAdapter: boolean };
  candidates: BackendCandidateReport[];
}

export type FromWorker =
  | BackendReport
  | { type: 'ingest'; done: number; total: number; imagesPerSec: number; bytes: number }
  | { type: 'problems'; problems: ImportProblem[] }
  | { type: 'split'; train: string[]; test: string[]; reason: string }
  | { type: 'steps'; steps: StepEvent[] }
  | { type: 'epoch'; event: EpochEvent }
  | { type: 'state'; state: 'ingesting' | 'measuring' | 'training' | 'paused' | 'stopping' }
  | { type: 'warning'; message: string }
  | { type: 'error'; message: string; kind: 'data' | 'backend' | 'diverged' | 'memory' | 'storage' | 'internal' }
  | { type: 'done'; result: ExperimentResult; run?: RunKind };
