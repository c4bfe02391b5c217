/**
 * A stored run as a model zip and back (the worker's side of "Export model" and "Import
 * model"): checkpoint → networks → zip; zip → networks → checkpoint of a new, finished run.
 * Also a backbone's layer list for the page, which never loads tfjs itself.
 */
import { exportModelZip, netLabel, readModelZip } from '../core/io/modelZip';
import { cohortsFromStates, statesFromNets } from '../core/io/restoreCohorts';
import { loadBackboneFiles } from '../core/io/backboneFiles';
import { listFeatureLayers, proposeCut } from '../core/models/pretrained';
import { fileReader, storedRunBase } from './backbone';
import type { BackboneInspection, ModelFile } from './protocol';
import type { Cohort } from '../core/train/cohort';
import { finalFrom, historyUpTo, type EpochEvent } from '../core/train/history';
import { createCohort } from '../core/train/cohort';
import { runsOf } from '../core/train/config';
import { summarizeNetwork, type NetworkSummary } from '../core/models/summary';
import { fileStem } from '../core/io/fileStem';
import { RunNotFoundError, storedConfig, type Checkpoint, type CheckpointSlot, type RunRecord, type RunStore } from '../storage/runStore';

/** A backbone's layers and proposed cut, checked as training will check it (Layers model, size, weights, a 4-D feature layer); throws the reason in words. */
export async function inspectBackbone(files: readonly ModelFile[]): Promise<BackboneInspection> {
  const { name, read } = fileReader(files);
  const fileName = name.split('/').pop()!;
  const base = await loadBackboneFiles(name, read, fileName);
  try {
    return { name: fileName, inputShape: base.inputs[0]!.shape.slice(), layers: listFeatureLayers(base, name), proposedCut: proposeCut(base, name), params: base.countParams() };
  } finally {
    base.dispose();
  }
}

/** The run and its checkpoint in `slot` (the last one when it has no best yet); throws in words when it has none. */
export async function runCheckpoint(
  store: RunStore,
  runId: string,
  slot: CheckpointSlot,
): Promise<{ run: RunRecord; checkpoint: Checkpoint; slot: CheckpointSlot }> {
  const run = await store.getRun(runId);
  if (!run) throw new RunNotFoundError(runId);
  if (run.source === 'pytorch')
    throw new Error(`“${run.name}” was trained in PyTorch: the studio has its metrics, not its networks, so it cannot export its model or score images with it.`);
  storedConfig(run);
  const wanted = await store.readCheckpoint(runId, slot);
  const checkpoint = wanted ?? (await store.readCheckpoint(runId, 'last'));
  if (!checkpoint) throw new Error(`"${run.name}" has no saved networks yet: it ended before finishing its first epoch.`);
  return { run, checkpoint, slot: wanted ? slot : 'last' };
}

export function disposeCohorts(cohorts: Partial<Record<string, Cohort>>): void {
  for (const c of Object.values(cohorts)) c?.dispose();
}

export { fileStem };

/**
 * Every network of a stored run, layer by layer (output shapes, parameters trainable and frozen).
 * The networks are built afresh from the run's config: shapes and counts do not depend on the weights.
 */
export async function summarizeRun(store: RunStore, runId: string): Promise<NetworkSummary[]> {
  const run = await store.getRun(runId);
  if (!run) throw new RunNotFoundError(runId);
  const config = storedConfig(run);
  const base = await storedRunBase(run);
  try {
    const out: NetworkSummary[] = [];
    for (const kind of runsOf(config)) {
      const cohort = createCohort(kind, config, 0, base);
      try {
        cohort.nets.forEach((net, peer) => out.push(summarizeNetwork(net, netLabel({ run: kind, peer }))));
      } finally {
        cohort.dispose();
      }
    }
    return out;
  } finally {
    base?.dispose();
  }
}

export async function exportRun(store: RunStore, runId: string, slot: CheckpointSlot): Promise<{ fileName: string; zip: Uint8Array }> {
  const { run, checkpoint, slot: used } = await runCheckpoint(store, runId, slot);
  const epoch = checkpoint.ref.epoch;
  // The metrics that go with these weights: those of the checkpoint's epoch.
  const epochs = historyUpTo(run.history, epoch);
  const base = await storedRunBase(run);
  const cohorts = await cohortsFromStates(run.config, checkpoint.states, base).finally(() => base?.dispose());
  try {
    const zip = await exportModelZip({
      config: run.config,
      backboneJson: run.backboneJson,
      cohorts,
      final: finalFrom(epochs),
      history: epochs,
      about: {
        name: run.name,
        createdAt: run.createdAt,
        epoch,
        checkpoint: used,
        dataset: { name: run.dataset.name, imageCount: run.dataset.imageCount, proxy: run.dataset.proxy },
      },
    });
    return { fileName: `${fileStem(run.name)}-epoch${epoch}.zip`, zip };
  } finally {
    disposeCohorts(cohorts);
  }
}

/** A zip made by exportRun becomes a finished run with one checkpoint (weights only: it can be scored and exported, not trained on). */
export async function importZip(store: RunStore, bytes: Uint8Array, fileName: string): Promise<RunRecord> {
  const zip = await readModelZip(bytes, fileName);
  try {
    const { config, manifest, metrics } = zip;
    const history: EpochEvent[] = metrics.history;
    const dataset = manifest.dataset ?? { name: fileName, imageCount: 0, proxy: false };
    // The networks first: a zip whose weights cannot be read leaves no empty run behind.
    const states = await statesFromNets(zip.nets);
    const run = await store.createRun({
      name: manifest.name,
      config,
      backboneJson: zip.backboneJson,
      status: 'finished',
      history,
      final: metrics.final,
      dataset: { ...dataset, scoreFileName: '', files: [] },
      split: { train: [], test: [], kind: config.split, reason: `Imported from ${fileName}: the split is not part of a model zip.` },
    });
    try {
      // A zip holds one set of networks: the imported run's last is its best.
      await store.writeCheckpoint(run.id, { epoch: manifest.epoch, states, best: 'last' });
    } catch (err) {
      await store.deleteRun(run.id).catch(() => {});
      throw err;
    }
    return run;
  } finally {
    for (const n of zip.nets) n.model.dispose();
  }
}
