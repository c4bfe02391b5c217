/**
 * An experiment's runs and what is read off them, one definition for the CLI, the worker and
 * the runs list: the repeats (each its own seed and split) or, for a training-size sweep, every
 * size × every repeat; each run's split; the paired differences per size; the sweep as CSV and
 * the results.json part that holds the runs.
 */
import Papa from 'papaparse';
import type { LabelledItem } from '../data/types';
import { repeatSeed, splitFromNames, trainSizeProblem, trainSubset, type SplitNames } from '../splitPolicy';
import type { Split } from '../splits';
import type { TrainConfig } from './config';
import { pairedSummary, type FinalMetrics, type History, type PairedSummary } from './history';

/** One run of an experiment, in the order they train. */
export interface ExperimentJob {
  /** 0-based position among the experiment's runs, and how many runs it has. */
  index: number;
  count: number;
  /** Which repeat: its seed and (full) split. */
  repeat: number;
  seed: number;
  /** The training size of a sweep (a fraction of the training side, or a count of images). */
  trainSize?: number;
}

/** Every run of the experiment: the repeats in order, or each training size in turn with every repeat at it. */
export function experimentJobs(config: Pick<TrainConfig, 'seed' | 'repeats' | 'trainSizes'>): ExperimentJob[] {
  const sizes: (number | undefined)[] = config.trainSizes?.length ? config.trainSizes : [undefined];
  const count = sizes.length * config.repeats;
  return sizes.flatMap((trainSize, s) =>
    Array.from({ length: config.repeats }, (_, repeat) => ({
      index: s * config.repeats + repeat,
      count,
      repeat,
      seed: repeatSeed(config.seed, repeat),
      ...(trainSize !== undefined && { trainSize }),
    })),
  );
}

/**
 * The split a job trains on: its repeat's split (names not among `items`, images that failed
 * to decode, left out), with a sweep's training side cut to the job's size. Validation and test
 * stay whole, so every size is scored on the same images.
 */
export function jobSplit(names: SplitNames, items: readonly LabelledItem[], job: Pick<ExperimentJob, 'seed' | 'trainSize'>): Split {
  const full = splitFromNames(names, items, true);
  return job.trainSize === undefined ? full : trainSubset(full, items, job.trainSize, job.seed);
}

/** Why a list of training sizes cannot be swept, one sentence each (empty when it can). */
export function trainSizesProblems(sizes: readonly number[]): string[] {
  if (!sizes.length) return ['A training-size sweep needs at least one size, e.g. 0.25, 0.5, 1.'];
  const p = sizes.flatMap((s) => trainSizeProblem(s) ?? []);
  const twice = sizes.filter((s, i) => sizes.indexOf(s) !== i);
  if (twice.length) p.push(`Each training size once: ${[...new Set(twice)].join(', ')} ${twice.length === 1 ? 'is' : 'are'} given twice.`);
  return p;
}

/** Training sizes as a person types them ("0.1, 0.25 0.5,1"): the numbers, or why the text is none. */
export function parseTrainSizes(text: string): { sizes: number[] } | { problem: string } {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  const sizes = parts.map(Number);
  const bad = parts.filter((_, i) => !Number.isFinite(sizes[i]));
  if (bad.length) return { problem: `Training sizes are numbers separated by commas, e.g. 0.25, 0.5, 1 (not ${bad.map((b) => `"${b}"`).join(', ')}).` };
  const p = trainSizesProblems(sizes);
  return p.length ? { problem: p.join(' ') } : { sizes };
}

/** One run of an experiment as results.json keeps it: its seed, split (image names), history and final metrics. */
export interface RepeatResult {
  seed: number;
  split: SplitNames;
  history: History;
  final: FinalMetrics;
}

/** One training size of a sweep: its runs, each repeat's number of training images and the paired differences over them. */
export interface SweepEntry {
  trainSize: number;
  trainImages: number[];
  repeats: RepeatResult[];
  paired: PairedSummary;
}

/** A finished run and the training size it had (none outside a sweep). */
export interface JobResult {
  trainSize?: number;
  result: RepeatResult;
}

/** The sweep's rows: one per training size, in the order the sizes first appear. */
export function sweepEntries(results: readonly JobResult[]): SweepEntry[] {
  const sizes = [...new Set(results.flatMap((r) => (r.trainSize === undefined ? [] : [r.trainSize])))];
  return sizes.map((trainSize) => {
    const repeats = results.filter((r) => r.trainSize === trainSize).map((r) => r.result);
    return { trainSize, trainImages: repeats.map((r) => r.split.train.length), repeats, paired: pairedSummary(repeats.map((r) => r.final)) };
  });
}

/**
 * The runs' part of results.json: `split`, `history` and `final` of the first run (for a sweep,
 * of its last size's first repeat, so they sit beside that size's `repeats` and `paired`); with
 * several runs `repeats` and `paired` (a sweep's: those of its last size) and, for a sweep, `sweep`.
 */
export function experimentSummary(results: readonly JobResult[]): {
  split: SplitNames;
  history: History;
  final: FinalMetrics;
  repeats?: RepeatResult[];
  paired?: PairedSummary;
  sweep?: SweepEntry[];
} {
  const first = results[0]?.result;
  if (!first) throw new Error('An experiment summary needs at least one finished run.');
  const sweep = sweepEntries(results);
  const last = sweep.at(-1);
  const done = last ? last.repeats : results.map((r) => r.result);
  return {
    split: (last?.repeats[0] ?? first).split,
    history: (last?.repeats[0] ?? first).history,
    final: (last?.repeats[0] ?? first).final,
    ...(done.length > 1 && { repeats: done, paired: last?.paired ?? pairedSummary(done.map((d) => d.final)) }),
    ...(sweep.length && { sweep }),
  };
}

const COMPARISONS = ['dml_vs_baseline', 'dml_vs_control', 'peerA_vs_baseline'] as const;

/** The sweep as CSV: one row per training size and comparison (mean, sd, 95% t interval, wins over the repeats). */
export function sweepCsv(rows: readonly Pick<SweepEntry, 'trainSize' | 'trainImages' | 'paired'>[]): string {
  const fields = ['train_size', 'train_images_min', 'train_images_max', 'comparison', 'basis', 'mean', 'sd', 'ci95_lo', 'ci95_hi', 'wins', 'repeats'];
  const data = rows.flatMap((r) =>
    COMPARISONS.flatMap((key) => {
      const d = r.paired[key];
      return d ? [[r.trainSize, Math.min(...r.trainImages), Math.max(...r.trainImages), key, r.paired.basis, d.mean, d.sd, d.ci95[0], d.ci95[1], d.wins, d.perRepeat.length]] : [];
    }),
  );
  return `${Papa.unparse({ fields, data }, { escapeFormulae: true, newline: '\n' })}\n`;
}

/** The data an experiment's report names: the folder, its score file, whether the scores are a formula (and the cross-dataset set's). */
export interface ReportDataset {
  name: string;
  scoreFileName: string;
  proxy: boolean;
  imageCount?: number;
}

/** A sweep's rows back as the runs they hold, each with its training size. */
export function sweepResults(sweep: readonly SweepEntry[]): JobResult[] {
  return sweep.flatMap((e) => e.repeats.map((result) => ({ trainSize: e.trainSize, result })));
}
