/**
 * The runs of one experiment (its repeats, or a training-size sweep's sizes × repeats) as one:
 * listed together, continued (its unfinished runs, in order), reported and deleted whole. Pure
 * bookkeeping on the records, apart from deleteGroup.
 */
import { experimentSummary, type JobResult } from '../core/train/experiment';
import { datasetFromMeta, resultsFile, type ResultsFile } from '../core/export/resultsFile';
import { finalFrom } from '../core/train/history';
import type { TrainConfig } from '../core/train/config';
import type { RunRecord, RunStatus } from './runRecord';
import type { RunStore } from './runStore';

export interface RunGroup {
  id: string;
  /** Its stored runs, in the order the experiment trains them. */
  runs: RunRecord[];
  /** How many runs the experiment has (fewer are stored when some were deleted one by one). */
  count: number;
  /** A sweep's training sizes, in order; empty for repeats alone. */
  trainSizes: number[];
}

export type RunListEntry = { kind: 'run'; run: RunRecord } | { kind: 'group'; group: RunGroup };

/** The statuses a run goes on from: its last checkpoint, or the start (a queued run, or one stopped before any checkpoint). */
export const CONTINUABLE: ReadonlySet<RunStatus> = new Set<RunStatus>(['queued', 'interrupted', 'stopped', 'failed']);

/** The runs list with each experiment's runs together, placed where its newest run falls. */
export function groupRunList(runs: readonly RunRecord[]): RunListEntry[] {
  const groups = new Map<string, RunRecord[]>();
  for (const r of runs) if (r.group) groups.set(r.group.id, [...(groups.get(r.group.id) ?? []), r]);
  const out: RunListEntry[] = [];
  const placed = new Set<string>();
  for (const r of runs) {
    if (!r.group) {
      out.push({ kind: 'run', run: r });
      continue;
    }
    if (placed.has(r.group.id)) continue;
    placed.add(r.group.id);
    const members = [...groups.get(r.group.id)!].sort((a, b) => a.group!.index - b.group!.index);
    const sizes = [...new Set(members.flatMap((m) => (m.group!.trainSize === undefined ? [] : [m.group!.trainSize])))];
    out.push({ kind: 'group', group: { id: r.group.id, runs: members, count: Math.max(...members.map((m) => m.group!.count)), trainSizes: sizes } });
  }
  return out;
}

/** The runs still to train, in order: queued, interrupted, stopped or failed (not those brought back from PyTorch, which have no networks). */
export function unfinishedRuns(group: RunGroup): RunRecord[] {
  return group.runs.filter((r) => CONTINUABLE.has(r.status) && r.source !== 'pytorch');
}

/** The experiment's name: its first run's, without the "· repeat i/N" the worker adds to each run's. */
export function groupName(group: RunGroup): string {
  const first = group.runs[0]?.name ?? 'experiment';
  return first.replace(/ · (size \S+ · )?repeat \d+\/\d+$/, '');
}

/** The whole experiment's config: a run's own (seed of the first repeat), with the experiment's repeats and training sizes. */
export function groupConfig(group: RunGroup): TrainConfig {
  const first = group.runs.find((r) => r.group?.repeat === 0) ?? group.runs[0]!;
  const repeats = group.trainSizes.length ? Math.round(group.count / group.trainSizes.length) : group.count;
  const { trainSizes: _none, ...config } = first.config;
  return { ...config, repeats, ...(group.trainSizes.length && { trainSizes: group.trainSizes }) };
}

/** The finished runs as the experiment's results: each with its seed, split, history, final metrics and training size. */
export function groupResults(group: RunGroup): JobResult[] {
  return group.runs
    .filter((r) => r.status === 'finished')
    .map((r) => ({
      ...(r.group?.trainSize !== undefined && { trainSize: r.group.trainSize }),
      result: { seed: r.config.seed, split: r.split, history: r.history, final: r.final ?? finalFrom(r.history) },
    }));
}

/**
 * The experiment's results.json from its stored runs (the command line's shape); null while
 * none has finished. The runs do not store their backend; seconds are the epochs' own.
 */
export function groupReport(group: RunGroup): ResultsFile | null {
  const results = groupResults(group);
  const first = group.runs[0];
  if (!results.length || !first) return null;
  const seconds = group.runs.reduce((s, r) => s + r.history.reduce((t, e) => t + e.seconds, 0), 0);
  return resultsFile({
    name: groupName(group),
    config: groupConfig(group),
    dataset: datasetFromMeta(first.dataset),
    ...(first.cross && { cross: datasetFromMeta(first.cross) }),
    backend: 'not stored with the runs',
    runs: experimentSummary(results),
    seconds,
  });
}

/** Every stored run of the experiment, with its checkpoints. A run another tab trains now is refused before anything is deleted. */
export async function deleteGroup(store: RunStore, groupId: string): Promise<number> {
  const runs = (await store.listRuns()).filter((r) => r.group?.id === groupId);
  const busy = runs.find((r) => r.status === 'running');
  if (busy) throw new Error(`“${busy.name}” is training now: stop it (or wait for it) before deleting its experiment.`);
  for (const r of runs) await store.deleteRun(r.id);
  return runs.length;
}
