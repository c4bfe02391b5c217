import * as tf from '@tensorflow/tfjs';
import type { ImageStore } from '../data/imageStore';
import { netInputSize, testViews } from '../data/inputMode';
import { MODEL_INFO } from '../models/info';
import { deriveSeed, makeRng } from '../rng';
import { epochBatches, makeTrainBatch } from './batches';
import { Cohort, peerSpec, type PeerSpec, type StepLosses } from './cohort';
import { learningRateAt, runsOf, type TrainConfig } from './config';
import { predictCohort, scorePredictions } from './evaluate';
import type { EpochEvent, RunKind, TrainEvent } from './events';

/** Mean MOS of the training images: the output units' initial bias. */
export function trainMeanMos(data: ExperimentData): number {
  return data.train.reduce((s, i) => s + data.mos[i]!, 0) / data.train.length;
}

export interface ExperimentData {
  store: ImageStore;
  /** MOS per stored image, higher is better. */
  mos: ArrayLike<number>;
  train: readonly number[];
  test: readonly number[];
}

/** Pause and stop, checked between training steps so they act within one step. */
export interface RunControl {
  shouldStop(): boolean;
  waitWhilePaused(): Promise<void>;
}

export const NO_CONTROL: RunControl = { shouldStop: () => false, waitWhilePaused: async () => {} };

/** The networks of one run: the baseline is peer 0's spec alone, so λ = 0 DML peer A ≡ baseline. */
export function runPeers(run: RunKind, config: TrainConfig): PeerSpec[] {
  return run === 'baseline' ? [peerSpec(0)] : Array.from({ length: config.peers }, (_, k) => peerSpec(k));
}


export function createCohort(run: RunKind, config: TrainConfig, outputBias?: number): Cohort {
  const [h, w] = netInputSize(config.input, MODEL_INFO[config.model].patchSize);
  return new Cohort({
    model: { name: config.model, width: config.width },
    inputShape: [h, w, 3],
    peers: runPeers(run, config),
    lambda: run === 'baseline' ? 0 : config.lambda,
    lr: config.lr,
    seed: config.seed,
    tag: run === 'baseline' ? 'base' : 'peer',
    outputBias,
  });
}

/**
 * Fresh cohorts for `runs` (all the config's runs by default), output bias at the training MOS
 * mean: the one way runExperiment and a rebuild after a lost backend make them.
 */
export function createRunCohorts(config: TrainConfig, data: ExperimentData, runs: readonly RunKind[] = runsOf(config)): Partial<Record<RunKind, Cohort>> {
  const bias = trainMeanMos(data);
  const cohorts: Partial<Record<RunKind, Cohort>> = {};
  try {
    for (const r of runs) cohorts[r] = createCohort(r, config, bias);
  } catch (err) {
    for (const c of Object.values(cohorts)) c.dispose();
    throw err;
  }
  return cohorts;
}

/**
 * Train one epoch of one cohort and evaluate it. The batch order, crops and flips depend only
 * on (seed, epoch), so the baseline and DML see the same data, and a resumed run continues
 * exactly as an uninterrupted one would.
 * Returns null when stopped mid-epoch.
 */
export async function trainEpoch(
  cohort: Cohort,
  run: RunKind,
  epoch: number,
  config: TrainConfig,
  data: ExperimentData,
  emit: (e: TrainEvent) => void,
  control: RunControl = NO_CONTROL,
): Promise<EpochEvent | null> {
  const patch = MODEL_INFO[config.model].patchSize;
  const lr = learningRateAt(config, epoch);
  cohort.setLearningRate(lr);
  const rng = makeRng(deriveSeed(config.seed, `epoch-${epoch}`));
  const batches = epochBatches(data.train, config.batchSize, rng);
  const K = cohort.size;
  const sums: StepLosses = { supervised: Array(K).fill(0), mimicry: Array(K).fill(0), total: Array(K).fill(0) };
  const t0 = performance.now();
  let images = 0;
  for (let s = 0; s < batches.length; s++) {
    await control.waitWhilePaused();
    if (control.shouldStop()) return null;
    const idxs = batches[s]!;
    const host = makeTrainBatch(data.store, data.mos, idxs, config.input, rng, config.flipAugment, patch);
    const x = tf.tensor4d(host.x, host.shape);
    const y = tf.tensor1d(host.y);
    const ts = performance.now();
    let losses: StepLosses;
    try {
      losses = await cohort.step(x, y);
    } finally {
      x.dispose();
      y.dispose();
    }
    images += idxs.length;
    for (let k = 0; k < K; k++) {
      sums.supervised[k]! += losses.supervised[k]!;
      sums.mimicry[k]! += losses.mimicry[k]!;
      sums.total[k]! += losses.total[k]!;
    }
    if (!losses.total.every(Number.isFinite))
      throw new TrainingDivergedError(run, epoch + 1, s + 1);
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
    });
  }
  const trainSeconds = (performance.now() - t0) / 1000;
  const views = testViews(config.input, patch);
  const pred = await predictCohort(cohort, data.store, data.test, views);
  const mosTest = data.test.map((i) => data.mos[i]!);
  const n = batches.length;
  const mean = (a: number[]) => a.map((v) => v / n);
  const { numTensors, numBytes } = tf.memory();
  const event: EpochEvent = {
    type: 'epoch',
    run,
    epoch: epoch + 1,
    trainLoss: { supervised: mean(sums.supervised), mimicry: mean(sums.mimicry), total: mean(sums.total) },
    test: scorePredictions(pred, mosTest),
    predictions: { peers: pred.peers.map((p) => Array.from(p)), ensemble: pred.ensemble && Array.from(pred.ensemble) },
    lr,
    seconds: (performance.now() - t0) / 1000,
    imagesPerSec: images / trainSeconds,
    memory: { numTensors, numBytes },
  };
  emit(event);
  return event;
}

export class TrainingDivergedError extends Error {
  constructor(
    readonly run: RunKind,
    readonly epoch: number,
    readonly step: number,
  ) {
    super(
      `The ${run === 'dml' ? 'DML' : 'baseline'} loss became NaN or infinite at epoch ${epoch}, step ${step}: ` +
        'the learning rate is probably too high. Lower it (e.g. ÷10) and start again.',
    );
    this.name = 'TrainingDivergedError';
  }
}
