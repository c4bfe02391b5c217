/**
 * A trained run as one zip: each network as a standard TF.js Layers model folder
 * (<net>/model.json + <net>/weights.bin), plus config.json, metrics.json, run.json and a
 * README.txt. Anyone can load a network with tf.loadLayersModel; the studio reads the whole
 * zip back as a run (readModelZip).
 */
import * as tf from '@tensorflow/tfjs';
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { IMAGENET_MEAN, IMAGENET_STD } from '../data/imageStore';
import { formatInputMode, netInputSize, testViews } from '../data/inputMode';
import { MODEL_INFO } from '../models/info';
import { inputScalingOf, type TrainConfig } from '../train/config';
import { runPeers } from '../train/cohort';
import { readTrainConfig } from '../train/configSchema';
import { RUN_KINDS, type EpochEvent, type FinalMetrics, type RunKind } from '../train/history';
import * as v from 'valibot';
import { checkJsonSize, zipEntryFilter } from './fileChecks';
import { layersModelFiles, loadLayersModelFiles, ModelFileError } from './layersModelFiles';
import { peerLetter } from '../train/history';

export { ModelFileError } from './layersModelFiles';
export { loadUserModel, type UserModel } from './userModel';

export const ZIP_FORMAT = 'dml-iqa-studio-model';

/** One network of a run, as it is fed at test time. */
export interface NetEntry {
  /** Folder in the zip: "baseline", "dml_peerA", "dml_peerB", … */
  folder: string;
  run: RunKind;
  /** Index within its run (0 for the baseline). */
  peer: number;
  /** This network sees the horizontally flipped image (odd DML peers). */
  flipped: boolean;
}

/** run.json: what the zip holds and where it came from. */
export interface RunManifest {
  format: typeof ZIP_FORMAT;
  version: 1;
  name: string;
  createdAt?: number;
  exportedAt: number;
  /** Epochs the exported weights were trained for. */
  epoch: number;
  /** Which stored checkpoint was exported, when known. */
  checkpoint?: 'last' | 'best';
  dataset?: { name: string; imageCount: number; proxy: boolean };
  /** Network input [height, width, 3]. */
  inputShape: [number, number, number];
  nets: NetEntry[];
}

/** metrics.json. */
export interface ZipMetrics {
  final: FinalMetrics;
  /** Every finished epoch of every run, minus per-image predictions: enough to redraw the charts. */
  history: EpochEvent[];
}

export interface ExportInput {
  config: TrainConfig;
  /** The networks of each run present, in peer order (a Cohort satisfies this). */
  cohorts: Partial<Record<RunKind, { nets: readonly tf.LayersModel[] }>>;
  final?: FinalMetrics;
  history?: readonly EpochEvent[];
  /** A pretrained model's base network as model.json text (the run's backboneJson). */
  backboneJson?: string;
  about: Pick<RunManifest, 'name' | 'epoch'> & Partial<Pick<RunManifest, 'createdAt' | 'checkpoint' | 'dataset'>>;
}

export interface LoadedNet extends NetEntry {
  /** "Baseline", "DML peer A", … */
  name: string;
  model: tf.LayersModel;
}

export interface ModelZip {
  config: TrainConfig;
  metrics: ZipMetrics;
  manifest: RunManifest;
  nets: LoadedNet[];
  /** A pretrained model's base network, architecture only (backbone.json): what rebuilds its nets when the zip is imported as a run. */
  backboneJson?: string;
}

export function netEntries(config: TrainConfig, runs: readonly RunKind[]): NetEntry[] {
  return runs.flatMap((run) =>
    runPeers(run, config).map((spec, k) => ({
      folder: run === 'baseline' ? 'baseline' : `${run}_peer${peerLetter(k)}`,
      run,
      peer: k,
      flipped: spec.flipped,
    })),
  );
}

export function netLabel(e: Pick<NetEntry, 'run' | 'peer'>): string {
  return e.run === 'baseline' ? 'Baseline' : `${e.run === 'dml' ? 'DML' : 'Independent pair'} peer ${peerLetter(e.peer)}`;
}

/** Networks grouped by run (baseline first), each group in peer order; a run with no network is left out. */
export function netsByRun<T extends Pick<NetEntry, 'run' | 'peer'>>(nets: readonly T[]): { run: RunKind; group: T[] }[] {
  return RUN_KINDS
    .map((run) => ({ run, group: nets.filter((n) => n.run === run).sort((a, b) => a.peer - b.peer) }))
    .filter((g) => g.group.length > 0);
}

export async function exportModelZip(input: ExportInput): Promise<Uint8Array> {
  const { config } = input;
  const runs = RUN_KINDS.filter((r) => input.cohorts[r]);
  if (!runs.length) throw new Error('There is no trained network to export.');
  const nets = netEntries(config, runs);
  const patch = MODEL_INFO[config.model].patchSize;
  const [h, w] = netInputSize(config.input, patch);
  const manifest: RunManifest = {
    format: ZIP_FORMAT,
    version: 1,
    ...input.about,
    exportedAt: Date.now(),
    inputShape: [h, w, 3],
    nets,
  };
  const history = (input.history ?? []).map((e) => ({ ...e, predictions: { peers: [] } }));
  const metrics: ZipMetrics = { final: input.final ?? {}, history };
  const files: Zippable = {
    'README.txt': strToU8(readme(config, manifest)),
    'run.json': strToU8(JSON.stringify(manifest, null, 2)),
    'config.json': strToU8(JSON.stringify(config, null, 2)),
    'metrics.json': strToU8(JSON.stringify(metrics)),
  };
  if (input.backboneJson) files['backbone.json'] = strToU8(input.backboneJson);
  for (const n of nets) {
    const model = input.cohorts[n.run]!.nets[n.peer];
    if (!model) throw new Error(`${netLabel(n)} is missing from the networks to export.`);
    const f = await layersModelFiles(model);
    files[`${n.folder}/model.json`] = strToU8(f.modelJson);
    // Weights barely compress: store them, which is much faster.
    files[`${n.folder}/weights.bin`] = [f.weights, { level: 0 }];
  }
  return zipSync(files, { level: 6 });
}

function unzip(bytes: Uint8Array, label: string): Record<string, Uint8Array> {
  try {
    // Names and sizes are checked from the zip's directory, before anything is inflated.
    return unzipSync(bytes, { filter: zipEntryFilter(label) });
  } catch (err) {
    if (err instanceof ModelFileError) throw err;
    throw new ModelFileError(`${label} is not a readable zip file (${(err as Error).message}). Choose a zip exported by the studio.`);
  }
}

function readJson(files: Record<string, Uint8Array>, path: string, label: string): unknown {
  const bytes = files[path];
  if (!bytes) throw new ModelFileError(`${label} has no ${path}: it is not a model zip exported by the studio, or it is incomplete.`);
  checkJsonSize(bytes, `${path} in ${label}`);
  try {
    return JSON.parse(strFromU8(bytes));
  } catch (err) {
    throw new ModelFileError(`${path} in ${label} is not valid JSON (${(err as Error).message}): the zip is damaged. Export the model again.`);
  }
}

const int = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
const text = (max: number) => v.pipe(v.string(), v.maxLength(max));
const NetEntrySchema = v.object({
  // A folder name of the zip, used as a path: letters, digits, _ and - only.
  folder: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'a folder name of letters, digits, _ and -')),
  run: v.picklist(RUN_KINDS),
  peer: int(0, 63),
  flipped: v.boolean(),
});
/** run.json: the manifest, checked before any network is read. */
const RunManifestSchema = v.object({
  format: v.literal(ZIP_FORMAT),
  version: v.literal(1),
  name: text(1000),
  createdAt: v.optional(v.pipe(v.number(), v.finite())),
  exportedAt: v.optional(v.pipe(v.number(), v.finite()), 0),
  epoch: int(0, 1e7),
  checkpoint: v.optional(v.picklist(['last', 'best'])),
  dataset: v.optional(v.object({ name: text(1000), imageCount: int(0, 1e9), proxy: v.boolean() })),
  inputShape: v.tuple([int(1, 8192), int(1, 8192), v.literal(3)]),
  nets: v.pipe(v.array(NetEntrySchema), v.minLength(1), v.maxLength(64)),
});
/** metrics.json: shapes only (its numbers are shown as text). */
const ZipMetricsSchema = v.object({
  final: v.optional(v.record(v.string(), v.unknown())),
  history: v.optional(v.pipe(v.array(v.record(v.string(), v.unknown())), v.maxLength(1e6))),
  epochs: v.optional(v.pipe(v.array(v.record(v.string(), v.unknown())), v.maxLength(1e6))),
});

function readChecked<T extends v.GenericSchema>(schema: T, files: Record<string, Uint8Array>, path: string, label: string): v.InferOutput<T> {
  const r = v.safeParse(schema, readJson(files, path, label));
  if (r.success) return r.output;
  const issue = r.issues[0];
  const where = (issue.path ?? []).map((p) => String(p.key)).join('.');
  throw new ModelFileError(
    `${path} in ${label} is not the studio's ${path === 'run.json' ? 'model description' : 'metrics file'}` +
      `${where ? ` ("${where}": ${issue.message})` : ` (${issue.message})`}. Choose a zip exported by the studio.`,
  );
}

/** Zips of the first studio version kept the epoch events under "epochs" (and results.json rows under "history"). */
function zipMetrics(m: ZipMetrics & { epochs?: EpochEvent[] }): ZipMetrics {
  return { final: m.final ?? {}, history: Array.isArray(m.epochs) ? m.epochs : (m.history ?? []) };
}

/**
 * Read a zip made by exportModelZip. Tolerates the files sitting one folder down (a zip that
 * was unpacked and packed again). The caller owns the returned models (dispose them).
 */
export async function readModelZip(bytes: Uint8Array, label = 'The model zip'): Promise<ModelZip> {
  const raw = unzip(bytes, label);
  const configPath = Object.keys(raw).find((p) => p === 'config.json' || p.endsWith('/config.json'));
  const prefix = configPath ? configPath.slice(0, -'config.json'.length) : '';
  const files: Record<string, Uint8Array> = {};
  for (const [p, b] of Object.entries(raw)) if (p.startsWith(prefix)) files[p.slice(prefix.length)] = b;

  const read = readTrainConfig(readJson(files, 'config.json', label), `config.json in ${label}`);
  if (!read.config) throw new ModelFileError(`${read.problems.join(' ')} Choose a zip exported by the studio.`);
  const config = read.config;
  const manifest: RunManifest = readChecked(RunManifestSchema, files, 'run.json', label);
  if (new Set(manifest.nets.map((n) => n.folder)).size !== manifest.nets.length)
    throw new ModelFileError(`run.json in ${label} lists one network folder twice. Choose a zip exported by the studio.`);
  const metrics = files['metrics.json']
    ? zipMetrics(readChecked(ZipMetricsSchema, files, 'metrics.json', label) as unknown as ZipMetrics & { epochs?: EpochEvent[] })
    : { final: {}, history: [] };

  const nets: LoadedNet[] = [];
  try {
    for (const entry of manifest.nets) {
      const json = files[`${entry.folder}/model.json`];
      if (!json) throw new ModelFileError(`${label} has no ${entry.folder}/model.json, which run.json lists: the zip is incomplete.`);
      const model = await loadLayersModelFiles(strFromU8(json), `${entry.folder}/model.json in ${label}`, (p) => files[`${entry.folder}/${p}`]);
      nets.push({ ...entry, name: netLabel(entry), model });
    }
  } catch (err) {
    for (const n of nets) n.model.dispose();
    throw err;
  }
  const backbone = files['backbone.json'];
  if (backbone) checkJsonSize(backbone, `backbone.json in ${label}`);
  return { config, metrics, manifest, nets, backboneJson: backbone && strFromU8(backbone) };
}

function readme(config: TrainConfig, m: RunManifest): string {
  const patch = MODEL_INFO[config.model].patchSize;
  const views = testViews(config.input, patch);
  const [h, w] = m.inputShape;
  const dml = m.nets.filter((n) => n.run === 'dml');
  const viewText =
    views.length === 1
      ? `the whole image resized to ${config.input.width}×${config.input.height} (width×height)`
      : `the image resized to ${config.input.width}×${config.input.height}, then the mean prediction over ${views.length} ${w}×${h} ` +
        (patch ? 'patches on a centred non-overlapping grid' : 'crops (4 corners and the centre)');
  return [
    `DML-IQA Studio model export: "${m.name}", ${m.epoch} epoch(s) of training${m.checkpoint ? ` (${m.checkpoint} checkpoint)` : ''}.`,
    `Model: ${config.model} — ${MODEL_INFO[config.model].describe}. Input mode: ${formatInputMode(config.input)}.`,
    m.dataset?.proxy
      ? `Trained on "${m.dataset.name}", whose scores are a formula (a proxy), not human opinions.`
      : m.dataset
        ? `Trained on "${m.dataset.name}" (${m.dataset.imageCount} images).`
        : '',
    '',
    'Contents',
    ...m.nets.map((n) => `  ${n.folder}/model.json + weights.bin   ${netLabel(n)}${n.flipped ? ' (fed the horizontally flipped image)' : ''}`),
    '  config.json    the training settings (the studio\'s TrainConfig)',
    '  metrics.json   final test metrics and the per-epoch history',
    '  run.json       which network is which, input shape, export details',
    '',
    'Loading a network (TensorFlow.js)',
    "  const model = await tf.loadLayersModel('<url or folder>/dml_peerA/model.json');",
    '  (cnniqa models use a custom layer, GlobalMinPooling2D (min over height and width):',
    '   register a class of that name with tf.serialization.registerClass before loading.)',
    '',
    'Input',
    ...(inputScalingOf(config) === 'unit'
      ? [`  One network input is [N, ${h}, ${w}, 3]: RGB, channels last, values scaled to 0..1 (x / 255), as its pretrained body expects.`]
      : [
          `  One network input is [N, ${h}, ${w}, 3]: RGB, channels last, values scaled to 0..1 then`,
          `  ImageNet-normalised per channel: (x - mean) / std, mean = (${IMAGENET_MEAN.join(', ')}), std = (${IMAGENET_STD.join(', ')}).`,
        ]),
    `  The output is [N, 1]: the predicted quality score (higher is better). The studio's score for an image is`,
    `  ${viewText}.`,
    '',
    dml.length
      ? [
          'DML prediction',
          `  The DML score is the mean of the ${dml.length} peers' predictions, where odd peers (B, D, …) are fed the`,
          '  horizontally flipped image: for a pair, (A(x) + B(flip(x))) / 2.',
          '  Each peer alone is also a complete model.',
        ].join('\n')
      : '',
  ]
    .filter((l, i, a) => l !== '' || a[i - 1] !== '')
    .join('\n');
}
