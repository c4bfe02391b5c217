/**
 * Scores for new images from saved networks: each network and, for DML, the ensemble, with
 * the same test views and flips as evaluation during training (predictCohort does the work).
 */
import type * as tf from '@tensorflow/tfjs';
import Papa from 'papaparse';
import type { ImageSet } from '../data/imageStore';
import { testViews, type InputMode } from '../data/inputMode';
import { predictNet } from '../train/cohort';
import type { InputScaling } from '../models/types';
import { predictCohort, type CohortPredictions, type Predictor } from '../train/evaluate';
import { imageSource } from '../train/inputs';
import { RUN_KINDS, type RunKind } from '../train/history';
import { netLabel, netsByRun, type LoadedNet } from './modelZip';

/** Plain networks (whole: images in) as a Predictor; flipped ones see flip(x), as Cohort.predict does for odd DML peers. */
export function netsPredictor(nets: readonly { model: tf.LayersModel; flipped: boolean }[]): Predictor {
  return {
    size: nets.length,
    predict: (k, input) => {
      if (input.kind !== 'images') throw new Error('Saved networks score images, not cached features.');
      return predictNet(nets[k]!.model, nets[k]!.flipped, input.x);
    },
  };
}

export interface ScoreOptions {
  /** How the images were stored and are viewed (the run's config.input). */
  input: InputMode;
  /** The model's fixed patch size (cnniqa), if any. */
  patchSize?: number;
  /** The pixels the model takes (inputScalingOf its config): the same as in training. */
  scaling: InputScaling;
  /** Which stored images (default: all). */
  indices?: readonly number[];
}

/** Per network and (with more than one) their mean, one value per image in `indices` order. */
export async function scoreImages(predictor: Predictor, store: ImageSet, opts: ScoreOptions): Promise<CohortPredictions> {
  if (store.width !== opts.input.width || store.height !== opts.input.height)
    throw new Error(
      `The images are held at ${store.width}×${store.height} but the model expects them at ${opts.input.width}×${opts.input.height}: decode them at the model's size.`,
    );
  const idxs = opts.indices ?? Array.from({ length: store.count }, (_, i) => i);
  const views = testViews(opts.input, opts.patchSize);
  const source = imageSource({ store, mos: [], mode: opts.input, patchSize: opts.patchSize, flipAugment: false, scaling: opts.scaling, testViews: views });
  return predictCohort(predictor, source, idxs);
}

export interface ScoreColumn {
  /** "Baseline", "DML ensemble", "DML peer A", … */
  name: string;
  values: ArrayLike<number>;
}

/**
 * Score with the networks of each run (a Cohort is a Predictor, and so is netsPredictor of a
 * zip's networks). Columns in display order: baseline, DML ensemble, then each DML peer.
 */
export async function scoreRuns(runs: Partial<Record<RunKind, Predictor>>, store: ImageSet, opts: ScoreOptions): Promise<ScoreColumn[]> {
  const columns: ScoreColumn[] = [];
  for (const run of RUN_KINDS) {
    const predictor = runs[run];
    if (!predictor) continue;
    const pred = await scoreImages(predictor, store, opts);
    // The baseline is one network: only DML has an ensemble.
    if (run !== 'baseline' && pred.ensemble) columns.push({ name: run === 'dml' ? 'DML ensemble' : 'Independent pair ensemble', values: pred.ensemble });
    pred.peers.forEach((values, k) => columns.push({ name: netLabel({ run, peer: k }), values }));
  }
  return columns;
}

/** scoreRuns for the networks read from a model zip. */
export function scoreWithNets(nets: readonly LoadedNet[], store: ImageSet, opts: ScoreOptions): Promise<ScoreColumn[]> {
  const runs: Partial<Record<RunKind, Predictor>> = {};
  for (const { run, group } of netsByRun(nets)) runs[run] = netsPredictor(group);
  return scoreRuns(runs, store, opts);
}

/**
 * The score table as CSV: one row per image (its file name), one column per network. File names
 * come from the user's folder: a name such as "=HYPERLINK(…).jpg" is written with a leading '
 * so a spreadsheet shows it as text instead of running it (Papa's escapeFormulae).
 */
export function scoresCsv(files: readonly string[], columns: readonly ScoreColumn[]): string {
  const body = Papa.unparse(
    // Scores go in as numbers: Papa leaves numbers alone, so a negative score keeps no '.
    { fields: ['image', ...columns.map((c) => c.name)], data: files.map((f, i) => [f, ...columns.map((c) => c.values[i]!)]) },
    { escapeFormulae: true, newline: '\n' },
  );
  return `${body}\n`;
}
