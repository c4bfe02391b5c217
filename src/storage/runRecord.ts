/**
 * What a stored run looks like, and the pure bookkeeping on it (history trimming, which
 * checkpoints to keep). No IndexedDB here, so the rules are testable on their own.
 */
import type { CohortState } from '../core/train/savedState';
import type { TrainConfig } from '../core/train/config';
import { readTrainConfig } from '../core/train/configSchema';
import type { EpochEvent, FinalMetrics, RunKind } from '../core/train/history';
import type { SplitNames } from '../core/splitPolicy';
import type { DatasetMeta } from '../core/data/datasetMeta';
import type { PartsLayout } from './checkpointParts';

export type { DatasetMeta };

/** 'queued': a later run of an experiment (a repeat, a sweep's size), stored before it trains so the experiment can be continued whole. */
export type RunStatus = 'queued' | 'running' | 'interrupted' | 'finished' | 'stopped' | 'failed';

export interface CheckpointRef {
  blobId: string;
  /** How many parts (the parts store, keys [blobId, 1…parts]) hold its data, when it was too big for one value. */
  parts?: number;
  /** Epochs finished (1-based, as EpochEvent.epoch): a resumed run starts at this epoch index. */
  epoch: number;
  /** The run kinds whose networks it holds. */
  runs: RunKind[];
  /**
   * A best checkpoint: the epoch each kind's networks come from (its validation-chosen epoch:
   * the baseline's, each cohort's ensemble's). Absent for a last checkpoint, where every kind is at `epoch`.
   */
  epochs?: Partial<Record<RunKind, number>>;
  bytes: number;
  savedAt: number;
}

export interface RunCheckpoints {
  last?: CheckpointRef;
  best?: CheckpointRef;
}

export interface RunRecord {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  status: RunStatus;
  config: TrainConfig;
  dataset: DatasetMeta;
  split: SplitNames;
  /** Every finished epoch of every run kind; per-image predictions only on the latest of each kind. */
  history: EpochEvent[];
  final?: FinalMetrics;
  checkpoints: RunCheckpoints;
  /** Last sign of life of the training worker (ms since epoch). */
  heartbeatAt: number;
  /** Why a failed run failed, in words. */
  error?: string;
  /**
   * One run of an experiment with several (repeats, a training-size sweep): the experiment's id
   * (its first run's), this run's index and how many there are; which repeat it is, and a sweep's training size.
   */
  group?: { id: string; index: number; count: number; repeat?: number; trainSize?: number };
  /** The cross-dataset test set scored beside the test set at every epoch, when there was one. */
  cross?: { name: string; scoreFileName: string; imageCount: number; proxy: boolean; files?: string[] };
  /** A pretrained model's base network as model.json text (architecture only): its networks are rebuilt from it, then loaded from a checkpoint. */
  backboneJson?: string;
  /** The MOS of every image of the split (higher is better, as trained on): what a PyTorch export writes as scores.csv. Absent in runs stored before it was kept. */
  scores?: Record<string, number>;
  /** Where it trained when not in the studio: 'pytorch' for a results.json of the PyTorch export imported back (metrics only, no networks). */
  source?: 'pytorch';
}

/** The data of one checkpoint: every network and optimizer of each run kind, after `epoch` epochs. */
export interface CheckpointBlob {
  id: string;
  runId: string;
  epoch: number;
  savedAt: number;
  states: Partial<Record<RunKind, CohortState>>;
  /** Set when the data was cut into parts: `states` then holds names and shapes only. */
  layout?: PartsLayout;
}

/**
 * One part of a checkpoint blob's data, in a store of its own: a studio from before parts only
 * knows the blobs store, so its garbage collection cannot take them for orphans.
 */
export interface CheckpointPart {
  blobId: string;
  /** 1…parts. */
  index: number;
  runId: string;
  savedAt: number;
  data: Float32Array;
}

/** Which checkpoint to read. */
export type CheckpointSlot = keyof RunCheckpoints;

/**
 * The new `last` is always the last. The best is `best` when given (a new best blob), the last
 * itself when `best` is 'last' (no validation set: nothing else may choose), else it stays.
 * Returns the blobs no longer referenced (their parts go with them).
 */
export function nextCheckpoints(current: RunCheckpoints, last: CheckpointRef, best: CheckpointRef | 'last' | 'unchanged'): { checkpoints: RunCheckpoints; drop: string[] } {
  const b = best === 'last' ? last : best === 'unchanged' ? (current.best ?? last) : best;
  const checkpoints: RunCheckpoints = { last, best: b };
  const kept = new Set([last.blobId, b.blobId]);
  const drop = [current.last?.blobId, current.best?.blobId].filter((id): id is string => !!id && !kept.has(id));
  return { checkpoints, drop: [...new Set(drop)] };
}

/** A stored run's config, checked against the schema (a record may come from an older studio or another tab's newer one). */
export function storedConfig(run: Pick<RunRecord, 'name' | 'config'>): TrainConfig {
  const read = readTrainConfig(run.config, `The config of the stored run "${run.name}"`);
  if (!read.config) throw new Error(`${read.problems.join(' ')} This studio cannot continue, export or score it; start a new run instead.`);
  return read.config;
}
