/**
 * Headless training: `npm run train -- --images DIR --scores FILE [options]`.
 * The same src/core code the browser worker runs, on the wasm backend in Node (or webgpu through Dawn).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importDataset } from '../core/data/importDataset';
import { ImportError } from '../core/data/importError';
import { formatInputMode } from '../core/data/inputMode';
import { loadImages, StoreWriteError, type WritableImageSet } from '../core/data/loadImages';
import { isInfoProblem } from '../core/data/matchImages';
import type { ImportProblem } from '../core/data/types';
import { chooseSplits, type SplitNames } from '../core/splitPolicy';
import { defaultSplitKind, SplitError } from '../core/splits';
import { ModelFileError } from '../core/io/layersModelFiles';
import { MODEL_INFO } from '../core/models/info';
import { BackboneError, MOBILENETV2_NSFWJS, pretrainedNetInfo, proposeCut } from '../core/models/pretrained';
import { createCohort } from '../core/train/cohort';
import { cachePlan, configProblems, inputScalingOf, runsOf, splitOptionsOf, type TrainConfig } from '../core/train/config';
import { FeatureCacheTooLargeError } from '../core/train/inputs';
import { readTrainConfig } from '../core/train/configSchema';
import { pairedSummary, type EpochEvent } from '../core/train/history';
import { experimentJobs, experimentSummary, jobSplit, sweepCsv, sweepEntries, type JobResult, type RepeatResult } from '../core/train/experiment';
import { experimentData, train, type ExperimentData } from '../core/train/loop';
import { BUILTIN_MOBILENETV2, loadBackboneFile } from '../node/backbone';
import { decodeFile } from '../node/decodeImages';
import { listFilesRecursive } from '../node/files';
import { initNodeBackend } from '../node/tfNode';
import { describeNodeAdapter, NoWebgpuAdapterError, nodeWebgpuAdapter, stopNodeWebgpu } from '../node/webgpuNode';
import { resultsFile, resultsJson, type BackboneRecord, type ResultsDataset } from '../core/export/resultsFile';
import { parseArgs, UsageError, USAGE } from './args';
import { cliImageStorage, diskStore } from './imageStorage';
import { epochLine, finalTable, pairedTable, repeatsTable, sweepTable } from './report';

const DEMO_DIR = resolve(fileURLToPath(import.meta.url), '../../../public/demo');

/** A message for the user, printed without a stack trace; exit code 1 (2 for usage). */
class UserError extends Error {}

function printProblems(problems: readonly ImportProblem[]): void {
  const errors = problems.filter((p) => !isInfoProblem(p));
  const info = problems.filter(isInfoProblem);
  const show = (list: readonly ImportProblem[], label: string, max: number) => {
    if (!list.length) return;
    console.log(`${label} (${list.length}):`);
    for (const p of list.slice(0, max)) console.log(`  - ${p.message}`);
    if (list.length > max) console.log(`  … and ${list.length - max} more (all are in the results file under "problems").`);
  };
  show(errors, 'Rows or files that cannot be used', 20);
  show(info, 'Notes', 3);
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const read = readTrainConfig(opts.config, 'The options');
  if (!read.config) throw new UserError(read.problems.join('\n'));
  const config = read.config;
  const demo = !opts.images;
  const imagesDir = resolve(opts.images ?? DEMO_DIR);
  const scoresPath = resolve(opts.scores ?? join(DEMO_DIR, 'mos.csv'));
  if (opts.trainSizes) config.trainSizes = opts.trainSizes;
  const bad = configProblems(config);
  if (bad.length) throw new UserError(bad.join('\n'));

  console.log(demo ? 'Demo dataset (public/demo): its scores are a formula (an MS-SSIM proxy), not human opinions.' : `Images: ${imagesDir}`);
  const imported = await importFolder(imagesDir, scoresPath, ['--images', '--scores'], opts.higherIsBetter);
  const L = imported.layout;

  const { width, height } = config.input;
  const storage = cliImageStorage(imported.items.length, width, height, opts.imagesOnDisk);
  console.log(`Storage: ${storage.why}.`);
  const t0 = performance.now();
  const loaded = await loadImages<WritableImageSet>(
    imported.items,
    width,
    height,
    (file, w, h) => decodeFile(join(imagesDir, file), w, h),
    (p) => {
      if (p.done === p.total || p.done % 200 === 0) process.stdout.write(`\rDecoding images ${p.done}/${p.total} (${p.imagesPerSec.toFixed(0)}/s)`);
    },
    undefined,
    storage.disk ? diskStore : undefined,
  );
  process.stdout.write(`\n`);
  const problems = [...imported.problems, ...loaded.problems];
  printProblems(problems);
  if (!loaded.items.length) throw new UserError('No image could be decoded: nothing to train on.');

  // The cross-dataset test: another folder and score file, decoded at the same size, scored whole every epoch.
  let cross: ExperimentData['cross'];
  let crossSet: ResultsDataset | undefined;
  if (opts.crossImages && opts.crossScores) {
    const dir = resolve(opts.crossImages);
    const crossScores = resolve(opts.crossScores);
    console.log(`Cross-dataset test set: ${dir}`);
    const other = await importFolder(dir, crossScores, ['--cross-images', '--cross-scores']);
    const decoded = await loadImages(other.items, width, height, (file, w, h) => decodeFile(join(dir, file), w, h));
    const crossProblems = [...other.problems, ...decoded.problems];
    printProblems(crossProblems);
    // Kept in results.json beside the training data's, each marked as the cross set's.
    problems.push(...crossProblems.map((p) => ({ ...p, set: 'cross' as const })));
    crossSet = { images: dir, scores: crossScores, demo: false, proxyScores: false, layout: other.layout, summary: other.summary, imageCount: decoded.items.length };
    if (!decoded.items.length) throw new UserError(`None of the images of ${basename(opts.crossScores)} could be found or decoded in ${dir}: check --cross-images.`);
    cross = { store: decoded.store, mos: Float64Array.from(decoded.items, (it) => it.mos) };
    console.log(`${decoded.items.length} cross-dataset images, scored at every epoch beside the test set (never used to choose).`);
  }

  // The split is made once, from the imported rows, by the same policy as the studio's; with
  // --repeats N each repeat draws its own seed. Images that failed to decode (listed above) leave it.
  config.split = opts.split ?? defaultSplitKind(imported.items);
  const choices = chooseSplits(imported.items, splitOptionsOf(config), config.repeats);
  if (choices[0]!.warning) console.log(choices[0]!.warning);
  const splits = choices.map((c) => c.names);
  config.split = splits[0]!.kind;
  const sizes = (n: SplitNames) => `${n.train.length} train, ${n.val?.length ?? 0} validation, ${n.test.length} test images`;
  console.log(splits.length > 1 ? `${splits.length} repeats, each its own seed and split (${config.split}), e.g. ${sizes(splits[0]!)}.` : `Split: ${splits[0]!.reason}`);
  console.log(`Decoded ${loaded.items.length} images at ${width}×${height} in ${((performance.now() - t0) / 1000).toFixed(1)} s.`);

  const backend = await initNodeBackend(opts.backend);
  const adapter = nodeWebgpuAdapter();
  if (adapter) console.log(describeNodeAdapter(adapter));
  const pretrained = MODEL_INFO[config.model].pretrained ? await describeBackbone(config, opts.backbonePath) : undefined;
  const runs = runsOf(config);
  console.log(
    `Training ${runs.join(' + ')} · ${config.model} · ${formatInputMode(config.input)} · ${config.epochs} epochs · batch ${config.batchSize} · lr ${config.lr} · λ ${config.lambda} · ${config.peers} peers · seed ${config.seed} · backend ${backend}`,
  );

  const tStart = performance.now();
  // Every run in turn: the repeats, or each training size with every repeat at it (its training side cut to the size).
  const results: JobResult[] = [];
  const jobs = experimentJobs(config);
  for (const job of jobs) {
    const { seed, repeat, trainSize } = job;
    const names = splits[repeat]!;
    const split = jobSplit(names, loaded.items, job);
    if (trainSize !== undefined && repeat === 0) console.log(`\n=== Training size ${trainSize} ===`);
    if (jobs.length > 1) console.log(`\nRepeat ${repeat + 1}/${splits.length} (seed ${seed}): ${split.reason}`);
    let pending: EpochEvent[] = [];
    const result = await train({ ...config, seed }, { ...experimentData(loaded, split, pretrained?.base), cross }, {
      emit: (e) => {
        if (e.type === 'warning') console.warn(`Warning: ${e.message}`);
        if (e.type !== 'epoch') return;
        pending.push(e);
        if (pending.length === runs.length) {
          console.log(epochLine(e.epoch, config.epochs, pending));
          pending = [];
        }
      },
    });
    console.log(`\nAfter ${config.epochs} epochs:\n${finalTable(result.final, { test: split.test.length, val: split.val.length })}`);
    const used = (idx: number[]) => idx.map((j) => loaded.items[j]!.file);
    const done: RepeatResult = { seed, split: { ...names, train: used(split.train), val: used(split.val), test: used(split.test) }, history: result.history, final: result.final };
    results.push({ ...(trainSize !== undefined && { trainSize }), result: done });
    // The last repeat of a size (or of the experiment): its repeats' table and paired differences.
    if (splits.length > 1 && repeat === splits.length - 1) {
      const reps = results.filter((r) => r.trainSize === trainSize).map((r) => r.result.final);
      console.log(`\n${trainSize !== undefined ? `Training size ${trainSize}: ` : ''}${repeatsTable(reps, pairedSummary(reps).basis)}\n\n${pairedTable(pairedSummary(reps))}`);
    }
  }
  const sweep = sweepEntries(results);
  if (sweep.length) console.log(`\n${sweepTable(sweep)}`);
  const seconds = (performance.now() - tStart) / 1000;
  console.log(`\n${seconds.toFixed(0)} s of training.`);

  const out = resultsFile({
    config,
    dataset: { images: imagesDir, scores: scoresPath, demo, proxyScores: demo, layout: L, summary: imported.summary },
    cross: crossSet,
    backend,
    adapter,
    // With --repeats N split, history and final are the first repeat's (a sweep's: the last size's first); repeats holds every repeat.
    runs: experimentSummary(results),
    backbone: pretrained?.record,
    seconds,
    problems,
  });
  await writeFile(opts.out, resultsJson(out));
  console.log(`Results written to ${opts.out}`);
  if (sweep.length) {
    const csvPath = opts.out.replace(/\.json$/i, '') + '-sweep.csv';
    await writeFile(csvPath, sweepCsv(sweep));
    console.log(`The sweep's table written to ${csvPath}`);
  }
}

/** A score file and its image folder, imported (layout detected); the flags name where they came from in errors. */
async function importFolder(dir: string, scoresPath: string, flags: [string, string], higherIsBetter?: boolean) {
  let scoreText: string;
  try {
    scoreText = await readFile(scoresPath, 'utf8');
  } catch {
    throw new UserError(`Cannot read the score file ${scoresPath}: check the path given to ${flags[1]}.`);
  }
  let files: string[];
  try {
    files = await listFilesRecursive(dir);
  } catch {
    throw new UserError(`Cannot read the image folder ${dir}: check the path given to ${flags[0]}.`);
  }
  if (!files.length) throw new UserError(`The image folder ${dir} is empty: point ${flags[0]} at the folder that holds the images.`);
  const imported = importDataset({
    scoreFileName: basename(scoresPath),
    scoreText,
    files,
    overrides: higherIsBetter === undefined ? undefined : { higherIsBetter },
  });
  if (!imported.items.length)
    throw new UserError(`No row of ${basename(scoresPath)} matches an image in ${dir}: check that ${flags[0]} is the folder of that score file.`);
  const L = imported.layout;
  console.log(
    `Score file ${basename(scoresPath)}: image column "${L.columns[L.imageColumn]}", score column "${L.columns[L.scoreColumn]}"` +
      (L.refColumn !== undefined ? `, reference column "${L.columns[L.refColumn]}"` : '') +
      (L.splitColumn !== undefined ? `, split column "${L.columns[L.splitColumn]}"` : '') +
      `, ${L.higherIsBetter ? 'higher' : 'lower'} is better. ${imported.summary.usable} of ${imported.summary.rows} rows usable.`,
  );
  return imported;
}

/** Load the pretrained base network and say what will train: the record results.json keeps. */
async function describeBackbone(config: TrainConfig, path: string | undefined) {
  const source = path ? resolve(path) : BUILTIN_MOBILENETV2;
  const base = await loadBackboneFile(source);
  const probe = createCohort('baseline', config, 0, base);
  const info = pretrainedNetInfo(probe.nets[0]!);
  probe.dispose();
  const b = config.backbone!;
  const cuts = b.cuts ?? [proposeCut(base)];
  const record: BackboneRecord = {
    name: config.model === 'mobilenetv2' ? 'mobilenetv2' : (b.name ?? basename(source)),
    source: config.model === 'mobilenetv2' ? `${MOBILENETV2_NSFWJS.describe} (public/models/mobilenetv2)` : source,
    cuts,
    trainFrom: b.trainFrom,
    scaling: inputScalingOf(config),
    params: { trainable: info.trainableParams, frozen: info.frozenParams },
    cache: cachePlan(config).why,
  };
  console.log(
    `Backbone ${record.name}, cut at ${cuts.join(' + ')}, training from ${b.trainFrom}: ${info.trainableParams.toLocaleString('en')} trainable, ` +
      `${info.frozenParams.toLocaleString('en')} frozen parameters; input ${record.scaling === 'unit' ? 'x/255' : 'ImageNet mean/std'}. Cache: ${record.cache}.`,
  );
  return { base, record };
}

main().then(stopNodeWebgpu, (err: unknown) => {
  stopNodeWebgpu();
  if (err instanceof UsageError) {
    if (err.message) console.error(`${err.message}\n`);
    console.error(USAGE);
    process.exit(2);
  }
  if (err instanceof UserError || err instanceof ImportError || err instanceof SplitError || err instanceof ModelFileError || err instanceof BackboneError || err instanceof FeatureCacheTooLargeError || err instanceof NoWebgpuAdapterError || err instanceof StoreWriteError) {
    console.error(`Error: ${err.message}`);
    process.exit(1);
  }
  console.error(err);
  process.exit(1);
});
