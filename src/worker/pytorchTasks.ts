/**
 * "Outgrow the browser", the worker's side: a stored run as a PyTorch project zip (its config,
 * split and scores, and the studio's initial networks for each repeat's seed, which need tfjs),
 * and a results.json written by that project's train.py back as stored runs, marked as trained
 * in PyTorch (metrics only: no networks come back).
 */
import type * as tf from '@tensorflow/tfjs';
import { strToU8, zipSync } from 'fflate';
import {
  exportPytorchProject,
  pytorchExportProblems,
  type InitialWeights,
  type PytorchBackbone,
  type PytorchExportInput,
  type PytorchRepeat,
} from '../core/export/pytorch';
import { mobilenetv2Backbone, studioInitialWeights } from '../core/export/pytorch/studioStart';
import { checkPytorchResults, type PytorchEpochEvent, type PytorchRepeatResult, type PytorchResults } from '../core/export/pytorch/results';
import type { TrainConfig } from '../core/train/config';
import { finalFrom, type EpochEvent } from '../core/train/history';
import { RunNotFoundError, storedConfig, type DatasetMeta, type RunRecord, type RunStore } from '../storage/runStore';
import { loadRunBase, type BuiltinModelReader } from './backbone';
import { fileStem } from './modelTasks';

/** Every stored run of `run`'s experiment (its repeats, in order), or the run alone. */
async function experimentRuns(store: RunStore, run: RunRecord): Promise<RunRecord[]> {
  const group = run.group;
  if (!group) return [run];
  const all = await store.listRuns();
  return all.filter((r) => r.group?.id === group.id).sort((a, b) => a.group!.index - b.group!.index);
}

/** The built-in MobileNetV2 with its weights (the stored run keeps its architecture only), as the export takes it. */
async function builtinBackbone(config: TrainConfig, readBuiltin: BuiltinModelReader): Promise<{ base: tf.LayersModel; backbone: PytorchBackbone }> {
  const base = (await loadRunBase(config, undefined, readBuiltin))!.base;
  try {
    const license = await readBuiltin('mobilenetv2/LICENSE')
      .then((b) => new TextDecoder().decode(b))
      .catch(() => undefined);
    return { base, backbone: await mobilenetv2Backbone(base, license) };
  } catch (err) {
    base.dispose();
    throw err;
  }
}

/**
 * The PyTorch project of a stored run: every repeat of its experiment, each with its own seed and
 * split, the scores stored with the runs, and the studio's initial networks. Throws in words
 * what cannot be exported (pytorchExportProblems), before any network is built.
 */
export async function exportPytorchRun(
  store: RunStore,
  runId: string,
  readBuiltin?: BuiltinModelReader,
): Promise<{ fileName: string; zip: Uint8Array; repeats: number; files: string[] }> {
  const run = await store.getRun(runId);
  if (!run) throw new RunNotFoundError(runId);
  const refuse = (why: string) => new Error(`“${run.name}” cannot be exported as a PyTorch project: ${why}`);
  if (run.source === 'pytorch')
    throw refuse('it was trained in PyTorch and brought back as results only. Export the studio run it came from instead.');
  const runs = await experimentRuns(store, run);
  const configs = runs.map(storedConfig);
  const scores = new Map<string, number>();
  for (const r of runs) {
    if (!r.scores)
      throw refuse(
        `${runs.length > 1 ? `its repeat “${r.name}”` : 'it'} was stored before the studio kept each image's score with its runs, and the scores are what train.py learns from. Train it again in this studio, then export that run.`,
      );
    for (const [name, mos] of Object.entries(r.scores)) scores.set(name, mos);
  }
  const first = configs[0]!;
  const config: TrainConfig = { ...first, repeats: runs.length };
  const repeats: PytorchRepeat[] = runs.map((r, i) => ({
    seed: configs[i]!.seed,
    // Each repeat's split is drawn with its own seed; an official split is the file's.
    ...(r.split.kind === 'official' ? {} : { splitSeed: configs[i]!.seed }),
    train: r.split.train,
    val: r.split.val ?? [],
    test: r.split.test,
  }));
  const input: PytorchExportInput = {
    config,
    repeats,
    scores,
    control: config.control,
    source: { scores: run.dataset.scoreFileName, proxyScores: run.dataset.proxy },
  };
  let base: tf.LayersModel | undefined;
  if (config.model === 'mobilenetv2') {
    if (!readBuiltin) throw refuse('this worker cannot read the built-in MobileNetV2 weights that the project starts from.');
    ({ base, backbone: input.backbone } = await builtinBackbone(config, readBuiltin));
  }
  try {
    const problems = pytorchExportProblems(input);
    if (problems.length) throw refuse(problems.join(' '));
    const seeds = [...new Set(repeats.map((r) => r.seed))];
    const weights: InitialWeights[] = [];
    for (const seed of seeds) weights.push(await studioInitialWeights(config, seed, base));
    input.initialWeights = weights;
  } finally {
    base?.dispose();
  }
  const project = exportPytorchProject(input);
  const stem = `${fileStem(run.name.replace(/ · repeat \d+\/\d+$/, ''))}-pytorch`;
  const zip = zipSync(Object.fromEntries(project.map((f) => [`${stem}/${f.path}`, typeof f.contents === 'string' ? strToU8(f.contents) : f.contents])));
  return { fileName: `${stem}.zip`, zip, repeats: runs.length, files: project.map((f) => f.path) };
}

const sameNames = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** A stored studio run trained on this split (the one the project was exported from, when it is still here). */
function originOf(runs: readonly RunRecord[], split: PytorchRepeatResult['split']): RunRecord | undefined {
  return runs.find((r) => r.source !== 'pytorch' && sameNames(r.split.train, split.train) && sameNames(r.split.test, split.test));
}

/** train.py's epoch rows as the studio's epoch events; TF.js's memory figures do not apply. */
function epochEvent(e: PytorchEpochEvent): EpochEvent {
  return { ...e, predictions: e.predictions ?? { peers: [] }, seconds: e.seconds ?? 0, imagesPerSec: e.imagesPerSec ?? 0, memory: { numTensors: 0, numBytes: 0 } };
}

function newId(): string {
  return globalThis.crypto.randomUUID();
}

function producerWords(r: PytorchResults): string {
  const p = r.producer;
  if (!p) return 'PyTorch';
  const n = p.processes ?? 1;
  return `PyTorch${p.torch ? ` ${p.torch}` : ''}, ${n} process${n === 1 ? '' : 'es'}${p.device ? ` on ${p.device}` : ''}`;
}

/**
 * A results.json of the PyTorch export (checkPytorchResults refuses anything else, in words)
 * becomes one finished run per repeat, grouped as the studio's own repeats are, marked
 * source 'pytorch'. Named after the stored run of the same split when it is still here.
 */
export async function importPytorchResults(store: RunStore, text: string, fileName: string): Promise<RunRecord[]> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${fileName} was not imported: it is not JSON (${(err as Error).message}). Pick the results.json that the exported train.py wrote.`);
  }
  const check = checkPytorchResults(json);
  if (!check.ok) throw new Error(`${fileName} was not imported. ${check.reason}`);
  const results = check.results;
  const config = results.config;
  const repeats: PytorchRepeatResult[] = results.repeats ?? [{ seed: config.seed, split: results.split, history: results.history, final: results.final }];
  const stored = await store.listRuns();
  const count = repeats.length;
  const groupId = newId();
  const made: RunRecord[] = [];
  try {
    for (const [i, rep] of repeats.entries()) {
      const origin = originOf(stored, rep.split);
      const base = origin ? origin.name.replace(/ · repeat \d+\/\d+$/, '') : `${fileName} · ${config.mode} · ${config.model}`;
      const names = new Set([...rep.split.train, ...rep.split.val, ...rep.split.test]);
      const dataset: DatasetMeta = origin
        ? { ...origin.dataset, files: [] }
        : { name: fileName, scoreFileName: 'scores.csv', imageCount: names.size, files: [], proxy: false };
      const history = rep.history.map(epochEvent);
      const group = count > 1 ? { id: groupId, index: i, count } : undefined;
      made.push(
        await store.createRun({
          id: i === 0 ? groupId : `${groupId}~${i + 1}`,
          name: `${base} · PyTorch${group ? ` · repeat ${i + 1}/${count}` : ''}`,
          config: { ...config, seed: rep.seed, repeats: 1 },
          dataset,
          split: { ...rep.split, kind: config.split, reason: `The exported split, trained by train.py (${producerWords(results)}); imported from ${fileName}.` },
          status: 'finished',
          history,
          final: finalFrom(history),
          source: 'pytorch',
          ...(group && { group }),
        }),
      );
    }
  } catch (err) {
    for (const r of made) await store.deleteRun(r.id).catch(() => {});
    throw err;
  }
  return made;
}
