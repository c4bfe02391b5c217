/** The results.json a run's page downloads: one run (with the page's fresher history) or, for one run of an experiment, the whole experiment as stored. */
import { datasetFromMeta, resultsFile, type ResultsAdapter, type ResultsFile } from '../../core/export/resultsFile';
import type { ImportProblem } from '../../core/data/types';
import { experimentSummary, type JobResult } from '../../core/train/experiment';
import type { EpochEvent, FinalMetrics } from '../../core/train/history';
import { groupConfig, groupName, groupResults, type RunGroup } from '../../storage/runGroups';
import type { RunRecord } from '../../storage/runRecord';

export interface PageRun {
  /** The split the page received, when it has one (names). */
  split?: { train: string[]; val: string[]; test: string[] } | null;
  history: EpochEvent[];
  final: FinalMetrics;
  backend?: { name: string; adapter?: ResultsAdapter | null } | null;
  seconds: number;
  problems: readonly ImportProblem[];
}

/** Throws, in words, when there is nothing to write (no stored record, no finished run of the experiment). */
export function runResultsFile(record: RunRecord | undefined, group: RunGroup | undefined, page: PageRun): ResultsFile {
  if (!record) throw new Error('this run is not in the browser’s storage, so its config is not known');
  const split = { ...record.split, ...(page.split && { train: page.split.train, val: page.split.val, test: page.split.test }) };
  const results: JobResult[] = group ? groupResults(group) : [{ result: { seed: record.config.seed, split, history: page.history, final: page.final } }];
  if (!results.length) throw new Error('no run of this experiment has finished yet');
  return resultsFile({
    name: group ? groupName(group) : record.name,
    config: group ? groupConfig(group) : record.config,
    dataset: datasetFromMeta(record.dataset),
    ...(record.cross && { cross: datasetFromMeta(record.cross) }),
    backend: page.backend?.name ?? 'unknown',
    // The badge names the adapter it probed even when wasm won: the file names it only for a WebGPU run.
    adapter: page.backend?.name === 'webgpu' ? page.backend.adapter : undefined,
    runs: experimentSummary(results),
    seconds: page.seconds,
    problems: page.problems,
  });
}
