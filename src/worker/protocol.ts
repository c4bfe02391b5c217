/**
 * The one definition of the messages between the page and the training worker.
 * Both sides import these types; nothing else crosses the boundary.
 */
import type { ImportProblem, LabelledItem } from '../core/data/types';
import type { TrainConfig } from '../core/train/config';
import type { CacheEvent, EpochEvent, FinalMetrics, PairedSummary, StepEvent } from '../core/train/history';
import type { SplitNames } from '../core/splitPolicy';
import type { TrainResult } from '../core/train/loop';
import type { SweepEntry } from '../core/train/experiment';
import type { CheckpointSlot } from '../storage/runRecord';
import type { FeatureLayer } from '../core/models/pretrained';
import type { BudgetParts, NetFootprint, StorageMode } from '../core/data/memoryBudget';
import type { NetworkSummary } from '../core/models/summary';

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
  /** The split, made once on the page from the items (chooseSplit); images that fail to decode leave it. */
  split: SplitNames;
  /** With config.repeats N > 1: the splits of repeats 2..N (chooseSplits), each trained with its repeat's seed. */
  moreSplits?: SplitNames[];
  /** A user's backbone (model 'backbone'): its model.json and weight files. */
  backboneFiles?: ModelFile[];
  backend: BackendChoice;
  /** Forget the remembered "auto" choice and time the candidates again. */
  remeasure?: boolean;
  /**
   * Test hooks (browser tests, benchmark): destroy the WebGPU device at the first step after this many epochs; the wasm backend's threads (default: every core but one);
   * the most bytes of checkpoints the run store holds (all runs together) before a write fails as a full quota does.
   */
  debug?: { loseDeviceAfterEpoch?: number; wasmThreads?: number; storeByteLimit?: number };
  /** Stored with the run (the worker adds the image list and the split); a default name when absent. */
  meta?: RunMeta;
  /** For the memory budget: what the page knows of the network and of its own memory use. */
  memory?: MemoryHints;
  /** A second labelled dataset, decoded at the same size and scored whole at every evaluation beside the test set (the cross-dataset test). */
  cross?: CrossDataset;
}

/** The cross-dataset test set: its folder and score file as the user picked them, its usable rows and their image files. */
export interface CrossDataset {
  name: string;
  scoreFileName: string;
  proxy: boolean;
  items: LabelledItem[];
  files: DatasetFile[];
}

/** What the page adds to the worker's memory budget: the network's footprint (from its layer list) and the bytes the page already uses. */
export interface MemoryHints {
  footprint?: NetFootprint;
  inUse?: number;
  /** Test hook: pretend the tab may use this many bytes (forces streaming from disk). */
  deviceBytes?: number;
}

/** The memory budget the worker decided with, before decoding: where the images are kept and why. */
export interface StorageReport {
  type: 'storage';
  mode: StorageMode;
  /** False: the estimate is over what the tab may use even so (`advice` says what would fit). */
  fits: boolean;
  why: string;
  advice: string[];
  parts: BudgetParts;
  allowed: number;
  /** Streaming: decoded images held in memory at a time (bytes). */
  streamCache: number;
}

export interface RunMeta {
  name: string;
  /** The folder as the user picked it, the score file, and whether its scores are a formula. */
  dataset: { name: string; scoreFileName: string; proxy: boolean };
}

/**
 * Continue a stored run from its last checkpoint (after a reload, a crash or a stop): same
 * config, split, history and optimizer state. The page supplies the run's data again.
 */
export interface ContinueMessage {
  type: 'continue';
  runId: string;
  items: LabelledItem[];
  files: DatasetFile[];
  backend: BackendChoice;
  /** More stored runs of the same experiment to continue after this one, in order (continuing a group): one progress, one 'done'. */
  then?: string[];
  /** For the memory budget, as in 'start'. */
  memory?: MemoryHints;
  cross?: CrossDataset;
  /** A user's backbone (model 'backbone'), when the page has one: a run that never trained (queued) starts from its pretrained weights, which no run stores. */
  backboneFiles?: ModelFile[];
}

/** A file of a user's TF.js model: model.json or a weight shard. */
export interface ModelFile {
  name: string;
  file: Blob;
}

/** Which networks score: a stored run's checkpoint, or a TF.js model the user brought (resized to `size` when it takes any size). */
export type ScoreModel =
  | { kind: 'run'; runId: string; slot: CheckpointSlot }
  | { kind: 'user'; files: ModelFile[]; size?: { width: number; height: number } };

/** Jobs on stored runs and models (tfjs work, so in a worker); each is answered by 'taskDone' or 'taskFailed'. */
export type TaskRequest =
  | { task: 'export'; runId: string; slot: CheckpointSlot }
  | { task: 'import'; file: Blob; fileName: string }
  | { task: 'checkModel'; files: ModelFile[] }
  /** A backbone's model.json and weight files: its layers, for the page to choose cuts and trainFrom. */
  | { task: 'inspectBackbone'; files: ModelFile[] }
  | { task: 'score'; model: ScoreModel; images: DatasetFile[] }
  /** A stored run (every repeat of its experiment) as a PyTorch project zip: train.py, config, split, scores, the studio's initial weights. */
  | { task: 'exportPytorch'; runId: string }
  /** A results.json written by such a project's train.py: one stored run per repeat, marked as trained in PyTorch. */
  | { task: 'importPytorch'; file: Blob; fileName: string }
  /** Every network of a stored run: its layers, output shapes and parameters, trainable and frozen. */
  | { task: 'modelSummary'; runId: string };

export interface ScoreTable {
  /** Paths of the images scored, in row order. */
  files: string[];
  /** "Baseline", "DML ensemble", "DML peer A", … or the user model's name; one value per file. */
  columns: { name: string; values: number[] }[];
  /** The same table as CSV, full precision. */
  csv: string;
  /** Files left out (not an image, unreadable), in words. */
  problems: string[];
}

/** What the page shows of a backbone before training: every layer (shapes at the model's own input size) and the proposed cut. */
export interface BackboneInspection {
  /** The model.json's file name. */
  name: string;
  /** [null, H, W, 3]; H and W are null for a model that takes any size. */
  inputShape: (number | null)[];
  layers: FeatureLayer[];
  proposedCut: string;
  params: number;
}

export type TaskReply =
  | { task: 'export'; fileName: string; zip: Uint8Array }
  | { task: 'import'; runId: string; name: string }
  | { task: 'checkModel'; name: string; inputSize: [number, number] | null }
  | ({ task: 'inspectBackbone' } & BackboneInspection)
  | ({ task: 'score' } & ScoreTable)
  /** `repeats`: how many repeats (stored runs) the project trains. */
  | { task: 'exportPytorch'; fileName: string; zip: Uint8Array; repeats: number; files: string[] }
  | { task: 'importPytorch'; runs: { id: string; name: string }[] }
  | { task: 'modelSummary'; networks: NetworkSummary[] };

export type TaskReplyOf<T extends TaskRequest['task']> = Extract<TaskReply, { task: T }>;

export type ToWorker =
  | StartMessage
  | ContinueMessage
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  /** While paused: exactly one training step, then paused again. */
  | { type: 'step' }
  /** Pause right after the last step of the current epoch (a paused run resumes until then). */
  | { type: 'finishEpoch' }
  /** The DML cohort's λ from the next step on; step and epoch events record the λ they trained with. */
  | { type: 'setLambda'; lambda: number }
  /** The feature heatmaps' test image (its 0-based position in the test set) from the next epoch on. */
  | { type: 'setHeatmapImage'; index: number }
  /** Whether each step event carries its batch in detail (images, MOS, predictions, gradient norms). */
  | { type: 'detail'; on: boolean }
  | { type: 'task'; id: number; request: TaskRequest };

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
  /** When wasm runs: its binary and threads. */
  wasm?: WasmReport;
}

/** The wasm binary tfjs runs (threaded SIMD needs a cross-origin isolated page), its threadpool's size, and why it is not the threaded one. */
export interface WasmReport {
  binary: 'threaded-simd' | 'simd' | 'plain';
  threads: number;
  why?: string;
}

export type FromWorker =
  | BackendReport
  /** Decoding: images done, the rate so far, the time left, the decode workers, and where the images go. */
  | { type: 'ingest'; done: number; total: number; imagesPerSec: number; bytes: number; etaSeconds?: number; workers?: number; mode?: StorageMode }
  | StorageReport
  | { type: 'problems'; problems: ImportProblem[] }
  | { type: 'split'; train: string[]; val: string[]; test: string[]; reason: string }
  | { type: 'steps'; steps: StepEvent[] }
  /** The frozen body's output is being cached (before the first step of a pretrained, partly frozen net). */
  | CacheEvent
  | { type: 'epoch'; event: EpochEvent }
  | { type: 'state'; state: 'ingesting' | 'measuring' | 'training' | 'paused' | 'stopping' }
  /** With a key, it replaces the earlier warning of that key (one line kept up to date, not one per epoch). */
  | { type: 'warning'; message: string; key?: string }
  /** kind 'interrupted': the page found the worker gone (it sends no such message itself). */
  | { type: 'error'; message: string; kind: 'data' | 'backend' | 'diverged' | 'memory' | 'storage' | 'run' | 'internal' | 'interrupted' }
  /** Every repeat's final metrics and the paired differences over them, when the experiment has repeats; a sweep's rows (each size's runs and paired differences) instead, for a training-size sweep. */
  | {
      type: 'done';
      result: TrainResult;
      repeats?: { finals: FinalMetrics[]; paired: PairedSummary };
      sweep?: SweepEntry[];
      /** An experiment of several runs: how many finished (only those are in repeats and sweep: a stopped run's epochs may not match its pair's) of how many planned. */
      runs?: { finished: number; planned: number };
    }
  /** Repeat `index` (0-based) of `count` begins: its own seed, split and stored run. */
  | {
      type: 'repeat';
      index: number;
      count: number;
      seed: number;
      runId: string;
      /** A sweep's training size for this run. */
      trainSize?: number;
      /** Training steps planned before this run and in all of this session's runs (sizes differ in steps): for one progress bar. */
      steps?: { before: number; total: number };
    }
  /** A checkpoint (every network and optimizer after `epoch`) is stored: its size, and the time to read it off the backend and to write it. */
  | { type: 'checkpoint'; epoch: number; bytes: number; ms: number; exportMs: number }
  /** A continued run: the stored history it goes on from (cut back to the checkpoint's epoch). */
  | { type: 'continued'; fromEpoch: number; history: EpochEvent[] }
  | { type: 'taskDone'; id: number; reply: TaskReply }
  | { type: 'taskFailed'; id: number; message: string };

/**
 * Sent by the worker, outside FromWorker (the client consumes it), once it holds this Web Lock,
 * which it keeps for as long as it lives: the page waits on the lock to learn that the worker
 * is gone (closed, crashed, out of memory) even when it could not say so.
 */
export interface WorkerLifeline {
  type: 'lifeline';
  lock: string;
}
