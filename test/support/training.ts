import * as tf from '@tensorflow/tfjs';
import { makeSyntheticSet } from '../../src/core/data/syntheticSet';
import { QUICK_DEMO, type TrainConfig } from '../../src/core/train/config';
import type { Cohort } from '../../src/core/train/cohort';
import type { EpochEvent, RunKind } from '../../src/core/train/history';
import { imageSource, type InputSource } from '../../src/core/train/inputs';
import { evaluateEpoch, sourceArgs, trainEpoch, type ExperimentData } from '../../src/core/train/loop';

/** The run's images as network input, as the training loop feeds a from-scratch net. */
export function imagesOf(config: TrainConfig, data: ExperimentData): InputSource {
  return imageSource(sourceArgs(config, data));
}

/** A small config for tests: tiny at size×size, 1 epoch. */
export function testConfig(over: Partial<TrainConfig> = {}, size = 16): TrainConfig {
  return { ...QUICK_DEMO, input: { kind: 'resize', width: size, height: size }, epochs: 1, batchSize: 4, decayEvery: 0, ...over };
}

/** Synthetic data split by content: contents 0..5 train, 6..7 test. */
export function testData(count = 32, size = 16, seed = 3): ExperimentData {
  const set = makeSyntheticSet(count, size, seed);
  const train: number[] = [];
  const test: number[] = [];
  set.refs.forEach((r, i) => (Number(r.slice(7)) < 6 ? train : test).push(i));
  return { store: set.store, mos: set.mos, train, val: [], test };
}

export async function weightsOf(model: tf.LayersModel): Promise<Float32Array[]> {
  return Promise.all(model.trainableWeights.map(async (w) => (await w.read().data()) as Float32Array));
}

export function maxAbsDiff(a: Float32Array[], b: Float32Array[]): number {
  let m = 0;
  a.forEach((arr, i) => arr.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i]![j]!)))));
  return m;
}

/** Train one epoch of a cohort and evaluate it, as the training loop does. */
export async function epochOf(cohort: Cohort, run: RunKind, epoch: number, config: TrainConfig, data: ExperimentData): Promise<EpochEvent> {
  const source = imagesOf(config, data);
  const trained = await trainEpoch(cohort, run, epoch, config, data, source, () => {});
  return evaluateEpoch(cohort, run, epoch, data, source, trained!);
}
