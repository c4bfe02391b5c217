/**
 * results.json: one run's (or one experiment's) config, data, split, per-epoch history and
 * final metrics. One builder for the command line and the studio, so both write one shape.
 */
import type { ImportSummary } from '../data/importDataset';
import type { ScoreFileLayout } from '../data/scoreFile';
import type { ImportProblem } from '../data/types';
import type { InputScaling } from '../models/types';
import type { TrainConfig } from '../train/config';
import type { experimentSummary, ReportDataset, RepeatResult } from '../train/experiment';

/** One repeat of the experiment: its seed, its split (image names), its history and final metrics. */
export type ResultsRepeat = RepeatResult;

export interface ResultsDataset {
  /** The image folder (a path on the command line, the folder's name in the studio). */
  images: string;
  /** The score file (a path, or its name). */
  scores: string;
  /** The demo dataset. */
  demo: boolean;
  /** The scores are a formula (the demo's MS-SSIM proxy, a set made from photos), not human opinions. */
  proxyScores: boolean;
  layout?: ScoreFileLayout;
  summary?: ImportSummary;
  /** How many images it holds (a cross-dataset set's). */
  imageCount?: number;
}

/** The studio's record of a dataset (its folder's name, its score file's, whether the scores are a formula) in results.json's words. */
export function datasetFromMeta(meta: ReportDataset): ResultsDataset {
  return {
    images: meta.name,
    scores: meta.scoreFileName,
    demo: meta.proxy && meta.name === 'demo',
    proxyScores: meta.proxy,
    ...(meta.imageCount !== undefined && { imageCount: meta.imageCount }),
  };
}

/** A pretrained run's body: what it is, where it is cut, what trains. */
export interface BackboneRecord {
  name: string;
  source: string;
  cuts: string[];
  trainFrom: string;
  scaling: InputScaling;
  params: { trainable: number; frozen: number };
  cache: string;
}

/**
 * The runs' part (experimentSummary): the first run's split, history and final; with several
 * runs every repeat and the paired differences; a sweep's sizes.
 */
export type ResultsRuns = ReturnType<typeof experimentSummary>;

/** The WebGPU adapter the run used, when it ran on WebGPU. */
export interface ResultsAdapter {
  vendor: string;
  architecture: string;
  description: string;
  /** A software adapter (SwiftShader): correct, and far slower than a GPU. */
  isFallbackAdapter: boolean;
  icd?: string;
}

export interface ResultsFile extends ResultsRuns {
  /** The run's name, where it has one (the studio's runs list). */
  name?: string;
  config: TrainConfig;
  dataset: ResultsDataset;
  /** The second labelled dataset scored at every evaluation (the cross-dataset test). */
  cross?: ResultsDataset;
  backend: string;
  adapter?: ResultsAdapter;
  backbone?: BackboneRecord;
  seconds: number;
  problems: ImportProblem[];
}

export interface ResultsInput {
  name?: string;
  config: TrainConfig;
  dataset: ResultsDataset;
  cross?: ResultsDataset;
  backend: string;
  adapter?: ResultsAdapter | null;
  runs: ResultsRuns;
  backbone?: BackboneRecord;
  seconds: number;
  problems?: readonly ImportProblem[];
}

/** The results.json object, its keys in the order the command line has always written them. */
export function resultsFile(input: ResultsInput): ResultsFile {
  const { split, history, final, repeats, paired, sweep } = input.runs;
  return {
    ...(input.name !== undefined && { name: input.name }),
    config: input.config,
    dataset: input.dataset,
    ...(input.cross && { cross: input.cross }),
    backend: input.backend,
    ...(input.adapter && { adapter: input.adapter }),
    split,
    history,
    final,
    ...(repeats && { repeats }),
    ...(paired && { paired }),
    ...(sweep?.length && { sweep }),
    ...(input.backbone && { backbone: input.backbone }),
    seconds: input.seconds,
    problems: [...(input.problems ?? [])],
  };
}

/** results.json as text (JSON has no NaN: a NaN metric is written as null, as JSON.stringify does). */
export function resultsJson(file: ResultsFile): string {
  return JSON.stringify(file, null, 1);
}
