/**
 * The training loop: one experiment's networks, epoch by epoch. Read it top to bottom:
 *
 *   build the networks (a pretrained body copied into each), restore a checkpoint if continuing
 *   choose their input: image batches, or the frozen body's output cached once per image
 *   for each epoch:
 *     for each run kind (baseline, DML — they alternate, on the same batches):
 *       for each batch: step every network of the cohort
 *       evaluate on the validation and test sets (and a cross-dataset set) → an epoch event; record it
 *     checkpoint: every network's and optimizer's state after this epoch
 *   on losing the backend: recover (another backend), rebuild from the last checkpoint, go on
 *
 * What happens to events, records and checkpoints is up to the small interfaces passed in
 * (the worker stores them and posts them to the page; the CLI prints them). Pause and stop are
 * checked between steps. Repeats are loops around `train`.
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageSet } from '../data/imageStore';
import { testViews } from '../data/inputMode';
import type { LoadedImages } from '../data/loadImages';
import type { LayersModel } from '@tensorflow/tfjs';
import { MODEL_INFO } from '../models/info';
import { deriveSeed, makeRng } from '../rng';
import type { Split } from '../splits';
import { createRunCohorts, type Cohort, type StepDetail } from './cohort';
import { exportCohortState, importCohortState, type CohortState } from './cohortState';
import { cachePlan, inputScalingOf, learningRateAt, runsOf, type TrainConfig } from './config';
import { predictCohort, scorePredictions } from './evaluate';
import { epochHeatmaps } from './featureMaps';
import { disposeInput, epochBatches, featureSource, imageSource, type InputSource, type SourceArgs } from './inputs';
import {
  finalFrom,
  historyUpTo,
  RUN_NAMES,
  withEpoch,
  type EpochEvent,
  type FinalMetrics,
  type History,
  type RunKind,
  type StepBatch,
  type StepLosses,
  type TrainEvent,
} from './history';

/** Batches a store on disk reads ahead of the one training. */
const PREFETCH_AHEAD = 2;

export interface ExperimentData {
  /** In memory, or on disk and read on demand (writeView is synchronous either way). */
  store: ImageSet;
  /** MOS per stored image, higher is better. */
  mos: ArrayLike<number>;
  train: readonly number[];
  /** Chooses epochs and checkpoints; may be empty. Never trained on. */
  val: readonly number[];
  test: readonly number[];
  /** A pretrained model's base network (mobilenetv2, a user's backbone), loaded: every peer's body is copied from it. */
  backbone?: LayersModel;
  /** A second labelled dataset (stored at the same size), scored whole at every evaluation beside the test set: the cross-dataset test. */
  cross?: { store: ImageSet; mos: ArrayLike<number> };
}

/** Decoded images plus a split (and a pretrained base network) → what the trainer consumes. */
export function experimentData(loaded: LoadedImages<ImageSet>, split: Split, backbone?: LayersModel): ExperimentData {
  return { store: loaded.store, mos: Float64Array.from(loaded.items, (it) => it.mos), train: split.train, val: split.val, test: split.test, backbone };
}

/** Mean MOS of the training images: the output units' initial bias. */
export function trainMeanMos(data: ExperimentData): number {
  return data.train.reduce((s, i) => s + data.mos[i]!, 0) / data.train.length;
}

/** Pause and stop, checked between training steps so they act within one step. */
export interface RunControl {
  shouldStop(): boolean;
  waitWhilePaused(): Promise<void>;
  /** λ for the DML cohort from the next step on (undefined: keep the config's). Read before every step. */
  lambda?(): number | undefined;
  /** What the next step reports of its batch: nothing, the batch (nearly free), or also predictions before and after the update (two more forward passes). */
  detail?(): 'none' | 'batch' | 'full';
  /** The test image of the heatmaps (a position in the test set; undefined: the config's). Read once per epoch. */
  heatmapImage?(): number | undefined;
}

export const NO_CONTROL: RunControl = { shouldStop: () => false, waitWhilePaused: async () => {} };

/** Every network and optimizer of every run kind, after `epoch` epochs of each. */
export interface Checkpoint {
  epoch: number;
  states: Record<RunKind, CohortState>;
}

/** Where a run is kept (the run store in the browser). */
export interface Recorder {
  /** One run kind finished an epoch. */
  record(event: EpochEvent): Promise<void>;
  /** Every run kind finished an epoch: their state, that epoch's events, the ms spent reading the state off the backend. */
  checkpoint(checkpoint: Checkpoint, events: Partial<Record<RunKind, EpochEvent>>, exportMs: number): Promise<void>;
}

/** A way on after losing the backend (a WebGPU device lost to a driver reset, a sleeping laptop). */
export interface Recovery {
  /**
   * true when `err` was the loss of the backend and another one is now active: training goes
   * on from the checkpoint of `fromEpoch` epochs (0: from the start). false: `err` is rethrown.
   */
  recover(err: unknown, fromEpoch: number): Promise<boolean>;
}

export interface TrainIo {
  /** Every step and every epoch, as they happen. */
  emit?: (e: TrainEvent) => void;
  control?: RunControl;
  recorder?: Recorder;
  recovery?: Recovery;
  /** Continue a stored run: its checkpoint and its history up to that checkpoint. */
  from?: { checkpoint: Checkpoint; history: History };
}

export interface TrainResult {
  /** Every finished epoch of every run kind, a continued run's earlier epochs included. */
  history: History;
  final: FinalMetrics;
  stopped: boolean;
}

export async function train(config: TrainConfig, data: ExperimentData, io: TrainIo = {}): Promise<TrainResult> {
  const runs = runsOf(config);
  const emit = io.emit ?? (() => {});
  const control = io.control ?? NO_CONTROL;
  // A host copy of the state costs a read-back per epoch: only when something needs it.
  const keepCheckpoints = io.recorder !== undefined || io.recovery !== undefined;
  let checkpoint = io.from?.checkpoint ?? null;
  let history: History = [...(io.from?.history ?? [])];
  const result = (stopped: boolean): TrainResult => ({ history, final: finalFrom(history), stopped });
  // A heatmap is a picture beside the results: when one cannot be made that epoch has none, training goes on, and it is said once.
  let heatmapWarned = false;
  const heatmapOrWarn = async <T>(make: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await make();
    } catch (err) {
      if (!heatmapWarned) {
        heatmapWarned = true;
        emit({ type: 'warning', message: `A feature heatmap could not be made (${(err as Error).message ?? String(err)}): epochs where this happens have no heatmap; training goes on.` });
      }
      return undefined;
    }
  };

  for (;;) {
    let cohorts: Partial<Record<RunKind, Cohort>> = {};
    let source: InputSource | null = null;
    let cross: InputSource | null = null;
    try {
      cohorts = createRunCohorts(config, runs, trainMeanMos(data), data.backbone);
      if (checkpoint) for (const run of runs) await importCohortState(cohorts[run]!, checkpoint.states[run]);
      source = await inputSource(config, data, Object.values(cohorts), emit);
      // The other dataset's images go through the whole nets (no cache of its own).
      if (data.cross) cross = imageSource({ ...sourceArgs(config, data), store: data.cross.store, mos: data.cross.mos });

      for (let epoch = checkpoint?.epoch ?? 0; epoch < config.epochs; epoch++) {
        const events: Partial<Record<RunKind, EpochEvent>> = {};
        // Read once, so every run kind's map of one epoch is of the same image (undefined, the default image, included).
        let heatmapImage: number | undefined;
        let heatmapRead = false;
        for (const run of runs) {
          const cohort = cohorts[run]!;
          const trained = await trainEpoch(cohort, run, epoch, config, data, source, emit, control);
          if (!trained) return result(true);
          const event = await evaluateEpoch(cohort, run, epoch, data, source, trained, cross);
          if (!heatmapRead) {
            heatmapImage = control.heatmapImage?.() ?? config.heatmapImage;
            heatmapRead = true;
          }
          const heatmap = await heatmapOrWarn(() => epochHeatmaps(cohort, { ...config, heatmapImage }, data));
          if (heatmap) event.heatmap = heatmap;
          history = withEpoch(history, event);
          events[run] = event;
          emit(event);
          await io.recorder?.record(event);
        }
        if (keepCheckpoints) {
          const t0 = performance.now();
          checkpoint = await takeCheckpoint(cohorts as Record<RunKind, Cohort>, runs, epoch + 1);
          await io.recorder?.checkpoint(checkpoint, events, performance.now() - t0);
        }
      }
      return result(false);
    } catch (err) {
      const fromEpoch = checkpoint?.epoch ?? 0;
      if (!io.recovery || !(await io.recovery.recover(err, fromEpoch))) throw err;
      // Epochs after the checkpoint are trained again on the new backend.
      history = historyUpTo(history, fromEpoch);
    } finally {
      source?.dispose();
      cross?.dispose();
      disposeQuietly(Object.values(cohorts));
    }
  }
}

/** How the run's images become network input: views, flips and pixel scaling, from the config. */
export function sourceArgs(config: TrainConfig, data: ExperimentData): SourceArgs {
  const patchSize = MODEL_INFO[config.model].patchSize;
  return {
    store: data.store,
    mos: data.mos,
    mode: config.input,
    patchSize,
    flipAugment: config.flipAugment,
    scaling: inputScalingOf(config),
    testViews: testViews(config.input, patchSize),
  };
}

/** The networks' input for this run: image batches, or the frozen body's output, cached once. */
async function inputSource(config: TrainConfig, data: ExperimentData, cohorts: Cohort[], emit: (e: TrainEvent) => void): Promise<InputSource> {
  const args = sourceArgs(config, data);
  if (!cachePlan(config).cache) return imageSource(args);
  // Every tensor that crosses from the frozen part is cached (with MLSP levels below the trained
  // layers: their pooled vectors, beside the map the first trained layer reads).
  const frozen = cohorts.map((c) => c.useFeatures())[0]!;
  return featureSource(args, frozen, { onProgress: (done, total) => emit({ type: 'cache', done, total }) });
}

/** What one epoch of training gives, before evaluation. */
export interface TrainedEpoch {
  /** Mean over the epoch's steps, per network. */
  loss: StepLosses;
  lr: number;
  /** λ in use at the epoch's last step. */
  lambda: number;
  /** When the epoch started (performance.now()) and how long its steps took. */
  startedAt: number;
  trainSeconds: number;
  images: number;
}

/**
 * Train one epoch of one cohort. The batch order, crops and flips depend only on (seed,
 * epoch), so the baseline and DML see the same data, and a continued run goes on exactly as
 * an uninterrupted one would. Returns null when stopped mid-epoch.
 */
export async function trainEpoch(
  cohort: Cohort,
  run: RunKind,
  epoch: number,
  config: TrainConfig,
  data: ExperimentData,
  source: InputSource,
  emit: (e: TrainEvent) => void,
  control: RunControl = NO_CONTROL,
): Promise<TrainedEpoch | null> {
  const lr = learningRateAt(config, epoch);
  cohort.setLearningRate(lr);
  const rng = makeRng(deriveSeed(config.seed, `epoch-${epoch}`));
  const batches = epochBatches(data.train, config.batchSize, rng);
  const K = cohort.size;
  const sums: StepLosses = { supervised: Array(K).fill(0), mimicry: Array(K).fill(0), total: Array(K).fill(0) };
  const startedAt = performance.now();
  let images = 0;
  for (const [s, idxs] of batches.entries()) {
    await control.waitWhilePaused();
    if (control.shouldStop()) return null;
    // The control cohort is λ = 0 by definition and the baseline has no peers: only DML's λ follows the page.
    const asked = run === 'dml' ? control.lambda?.() : undefined;
    if (asked !== undefined) cohort.args.lambda = asked;
    const level = control.detail?.() ?? 'none';
    const { input, y } = source.trainBatch(idxs, rng);
    // A store on disk reads the next batches now (the epoch's order is known), not when they are due;
    // a feature cache reads no image while training, so nothing is read ahead for it.
    if (source.readsImages) data.store.prefetch?.(batches.slice(s + 1, s + 1 + PREFETCH_AHEAD).flat());
    const ts = performance.now();
    let losses: StepLosses;
    let batch: StepBatch | undefined;
    try {
      if (level === 'none') losses = await cohort.step(input, y);
      else {
        const predictAll = () => Promise.all(Array.from({ length: K }, (_, k) => readAndFree(cohort.predict(k, input))));
        const before = level === 'full' ? await predictAll() : undefined;
        const detail: StepDetail = {};
        losses = await cohort.step(input, y, detail);
        const after = level === 'full' ? await predictAll() : undefined;
        batch = { idxs: [...idxs], mos: idxs.map((i) => data.mos[i]!), preds: detail.preds!, gradNorm: detail.gradNorm!, ...(before && { before, after }) };
      }
    } finally {
      disposeInput(input);
      y.dispose();
    }
    images += idxs.length;
    for (let k = 0; k < K; k++) {
      sums.supervised[k]! += losses.supervised[k]!;
      sums.mimicry[k]! += losses.mimicry[k]!;
      sums.total[k]! += losses.total[k]!;
    }
    if (!losses.total.every(Number.isFinite)) throw new TrainingDivergedError(run, epoch + 1, s + 1);
    emit({
      type: 'step',
      run,
      epoch,
      step: s,
      stepsPerEpoch: batches.length,
      globalStep: epoch * batches.length + s + 1,
      losses,
      imagesPerSec: idxs.length / ((performance.now() - ts) / 1000),
      lr,
      lambda: cohort.args.lambda,
      ...(batch && { batch }),
    });
  }
  const mean = (a: number[]) => a.map((v) => v / batches.length);
  return {
    loss: { supervised: mean(sums.supervised), mimicry: mean(sums.mimicry), total: mean(sums.total) },
    lr,
    lambda: cohort.args.lambda,
    startedAt,
    trainSeconds: (performance.now() - startedAt) / 1000,
    images,
  };
}

/** Score every network of the cohort (and their ensemble) on the validation and test sets: the epoch's event. */
export async function evaluateEpoch(
  cohort: Cohort,
  run: RunKind,
  epoch: number,
  data: ExperimentData,
  source: InputSource,
  trained: TrainedEpoch,
  crossSource?: InputSource | null,
): Promise<EpochEvent> {
  const mosOf = (idxs: readonly number[]) => idxs.map((i) => data.mos[i]!);
  const val = data.val.length ? scorePredictions(await predictCohort(cohort, source, data.val), mosOf(data.val)) : undefined;
  const c = data.cross;
  const all = c ? Array.from({ length: c.store.count }, (_, i) => i) : [];
  const cross = c && crossSource ? scorePredictions(await predictCohort(cohort, crossSource, all), Array.from(all, (i) => c.mos[i]!)) : undefined;
  const pred = await predictCohort(cohort, source, data.test);
  const { numTensors, numBytes, numBytesAllocatedInGPU } = tf.memory() as tf.MemoryInfo & { numBytesAllocatedInGPU?: number };
  return {
    type: 'epoch',
    run,
    epoch: epoch + 1,
    trainLoss: trained.loss,
    test: scorePredictions(pred, mosOf(data.test)),
    ...(val && { val }),
    ...(cross && { cross }),
    predictions: { peers: pred.peers.map((p) => Array.from(p)), ensemble: pred.ensemble && Array.from(pred.ensemble) },
    lr: trained.lr,
    lambda: trained.lambda,
    seconds: (performance.now() - trained.startedAt) / 1000,
    imagesPerSec: trained.images / trained.trainSeconds,
    memory: { numTensors, numBytes, ...(numBytesAllocatedInGPU !== undefined && { numBytesAllocatedInGPU }) },
  };
}

async function readAndFree(t: tf.Tensor1D): Promise<number[]> {
  try {
    return Array.from(await t.data());
  } finally {
    t.dispose();
  }
}

async function takeCheckpoint(cohorts: Record<RunKind, Cohort>, runs: readonly RunKind[], epoch: number): Promise<Checkpoint> {
  const states: Partial<Record<RunKind, CohortState>> = {};
  for (const run of runs) states[run] = await exportCohortState(cohorts[run]);
  return { epoch, states: states as Record<RunKind, CohortState> };
}

function disposeQuietly(cohorts: Iterable<Cohort | undefined>): void {
  for (const c of cohorts) {
    try {
      c?.dispose();
    } catch {
      // A lost device cannot free its buffers; they went with it.
    }
  }
}

export class TrainingDivergedError extends Error {
  constructor(
    readonly run: RunKind,
    readonly epoch: number,
    readonly step: number,
  ) {
    super(
      `The ${RUN_NAMES[run]} loss became NaN or infinite at epoch ${epoch}, step ${step}: ` +
        'the learning rate is probably too high. Lower it (e.g. ÷10) and start again.',
    );
    this.name = 'TrainingDivergedError';
  }
}
