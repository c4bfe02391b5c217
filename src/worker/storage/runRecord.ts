/**
 * What a stored run looks like, and the pure bookkeeping on it (history trimming, which
 * checkpoints to keep). No IndexedDB here, so the rules are testable on their own.
 */
import type { CohortState } from '../../core/train/savedState';
import type { TrainConfig } from '../../core/train/config';
import type { EpochEvent, RunKind } from '../../core/train/events';
import type { FinalMetrics } from '../../core/train/final';
import type { SplitKind } from '../../core/splits';

export type RunStatus = 'running' | 'interrupted' | 'finished' | 'stopped' | 'failed';

export interface DatasetMeta {
  /** The folder's name, as the user picked it. */
  name: string;
  scoreFileName: string;
  imageCount: number;
  /** Relative paths of the images used, to check a folder supplied again on resume. */
  files: string[];
  /** Scores come from a formula (e.g. the demo's MS-SSIM), not from human opinion. */
  proxy: boolean;
}

/** The split as file names (relative paths), so it survives a re-supplied folder in any order. */
export interface SplitMeta {
  train: string[];
  test: string[];
  kind: SplitKind;
  reason: string;
}

export interface CheckpointRef {
  blobId: string;
  /** Epochs finished (1-based, as EpochEvent.epoch): a resumed run starts at this epoch index. */
  epoch: number;
  /** The run kinds whose networks it holds. */
  runs: RunKind[];
  /** Test SRCC that ranks it: the DML ensemble's, or the baseline's when there is no DML run. */
  srcc: number;
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
  split: SplitMeta;
  /** Every finished epoch of every run kind; per-image predictions only on the latest of each kind. */
  history: EpochEvent[];
  final?: FinalMetrics;
  checkpoints: RunCheckpoints;
  /** Last sign of life of the training worker (ms since epoch). */
  heartbeatAt: number;
  /** Why a failed run failed, in words. */
  error?: string;
}

/** The data of one checkpoint: every network and optimizer of each run kind, after `epoch` epochs. */
export interface CheckpointBlob {
  id: string;
  runId: string;
  epoch: number;
  savedAt: number;
  states: Partial<Record<RunKind, CohortState>>;
}

/** Which checkpoint to read. */
export type CheckpointSlot = keyof RunCheckpoints;

/** NaN (e.g. constant predictions) ranks below any real SRCC. */
function rank(srcc: number): number {
  return Number.isFinite(srcc) ? srcc : -Infinity;
}

/**
 * The new `ref` is always the last; it is also the best when it beats the current best
 * (ties go to the newer one: same quality, more training). Returns the blobs no longer referenced.
 */
export function nextCheckpoints(current: RunCheckpoints, ref: CheckpointRef): { checkpoints: RunCheckpoints; drop: string[] } {
  const best = !current.best || rank(ref.srcc) >= rank(current.best.srcc) ? ref : current.best;
  const checkpoints: RunCheckpoints = { last: ref, best };
  const kept = new Set([ref.blobId, best.blobId]);
  const drop = [current.last?.blobId, current.best?.blobId].filter((id): id is string => !!id && !kept.has(id));
  return { checkpoints, drop: [...new Set(drop)] };
}

/** The SRCC a checkpoint is ranked by: DML ensemble when a DML run is present, else the baseline. */
export function selectionSrcc(events: Partial<Record<RunKind, EpochEvent>>): number {
  const dml = events.dml?.test.ensemble ?? events.dml?.test.peers[0];
  if (dml) return dml.srcc;
  return events.baseline?.test.peers[0]?.srcc ?? NaN;
}

/**
 * Add an epoch to the history. An epoch trained again (after a resume from an earlier
 * checkpoint) replaces the old one and everything after it of that run kind, so no epoch is
 * ever listed twice. Per-image predictions are kept only on the newest event of each kind.
 */
export function withEpoch(history: readonly EpochEvent[], event: EpochEvent): EpochEvent[] {
  const kept = history.filter((e) => e.run !== event.run || e.epoch < event.epoch);
  return [...kept.map((e) => (e.run === event.run ? withoutPredictions(e) : e)), event];
}

/** History up to and including `epoch` (for a resume from a checkpoint of that epoch). */
export function historyUpTo(history: readonly EpochEvent[], epoch: number): EpochEvent[] {
  return history.filter((e) => e.epoch <= epoch);
}

function withoutPredictions(e: EpochEvent): EpochEvent {
  return e.predictions.peers.length || e.predictions.ensemble ? { ...e, predictions: { peers: [] } } : e;
}

/**
 * Whether the files supplied again for a resume are the run's dataset: same count and every
 * image path present. null when they match; otherwise what is wrong, naming the folder, the
 * score file and a few missing files.
 */
export function datasetProblem(meta: DatasetMeta, supplied: readonly string[]): string | null {
  const have = new Set(supplied);
  const missing = meta.files.filter((f) => !have.has(f));
  const where = `the folder "${meta.name}" (with the score file "${meta.scoreFileName}")`;
  if (missing.length) {
    const shown = missing.slice(0, 3).join(', ') + (missing.length > 3 ? ` and ${missing.length - 3} more` : '');
    return `This run was trained on ${where}: ${missing.length} of its ${meta.files.length} images are not among the files given (${shown}). Choose that folder again.`;
  }
  if (supplied.length !== meta.imageCount)
    return `This run was trained on ${meta.imageCount} images of ${where}; ${supplied.length} were given. Choose the same folder and score file as before.`;
  return null;
}
