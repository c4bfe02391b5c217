/**
 * The experiment `npm run train` would run, as a PyTorch project folder:
 *   npm run export:pytorch -- [the data and experiment flags of npm run train] [--control] [--no-initial-weights] --out DIR
 * The data are imported and split exactly as `npm run train` does (same rows, same decodable
 * images, same seeds), so train.py trains on the same split.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tf from '@tensorflow/tfjs';
import { importDataset } from '../core/data/importDataset';
import { ImportError } from '../core/data/importError';
import { loadImages } from '../core/data/loadImages';
import { isInfoProblem } from '../core/data/matchImages';
import {
  exportPytorchProject,
  PytorchExportError,
  pytorchExportProblems,
  type PytorchBackbone,
  type PytorchExportInput,
  type PytorchRepeat,
} from '../core/export/pytorch';
import { mobilenetv2Backbone, studioInitialWeights } from '../core/export/pytorch/studioStart';
import { ModelFileError } from '../core/io/layersModelFiles';
import { BackboneError } from '../core/models/pretrained';
import { deriveSeed } from '../core/rng';
import { chooseSplits, splitFromNames } from '../core/splitPolicy';
import { defaultSplitKind, SplitError } from '../core/splits';
import { splitOptionsOf } from '../core/train/config';
import { BUILTIN_MOBILENETV2, loadBackboneFile } from '../node/backbone';
import { decodeFile } from '../node/decodeImages';
import { listFilesRecursive } from '../node/files';
import { initNodeBackend } from '../node/tfNode';
import { parseArgs, USAGE, UsageError } from './args';

const DEMO_DIR = resolve(fileURLToPath(import.meta.url), '../../../public/demo');

const OWN_USAGE = `Usage: npm run export:pytorch -- [the options of npm run train] [--control] [--no-initial-weights] --out DIR

Writes DIR/train.py, config.json, split.json, scores.csv, weights/, README.md, requirements.txt.
  --out DIR               the project folder (default pytorch-export)
  --control               also train the control cohort (the DML peers with λ = 0)
  --no-initial-weights    leave out the studio's initial networks (PyTorch then draws its own)
  --splits N              N repeats, each on its own split (as npm run train's cross-validation)

The options of npm run train (its --out is replaced by the folder above):`;

class UserError extends Error {}

/** This command's own flags, taken out before the rest goes to npm run train's parser. */
function ownArgs(argv: readonly string[]) {
  const rest: string[] = [];
  let out = 'pytorch-export';
  let control = false;
  let weights = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--control') control = true;
    else if (a === '--no-initial-weights') weights = false;
    else if (a === '--out') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError('--out needs a folder.');
      out = v;
    } else rest.push(a);
  }
  return { rest, out, control, weights };
}

/** The built-in MobileNetV2 as the export takes it, with its licence. */
async function builtinBackbone(): Promise<{ base: tf.LayersModel; backbone: PytorchBackbone }> {
  const base = await loadBackboneFile(BUILTIN_MOBILENETV2);
  const license = await readFile(join(dirname(BUILTIN_MOBILENETV2), 'LICENSE'), 'utf8');
  return { base, backbone: await mobilenetv2Backbone(base, license) };
}

async function main(): Promise<void> {
  const own = ownArgs(process.argv.slice(2));
  const opts = parseArgs(own.rest);
  const config = opts.config;
  const demo = !opts.images;
  const imagesDir = resolve(opts.images ?? DEMO_DIR);
  const scoresPath = resolve(opts.scores ?? join(DEMO_DIR, 'mos.csv'));

  let scoreText: string;
  try {
    scoreText = await readFile(scoresPath, 'utf8');
  } catch {
    throw new UserError(`Cannot read the score file ${scoresPath}: check the path given to --scores.`);
  }
  let files: string[];
  try {
    files = await listFilesRecursive(imagesDir);
  } catch {
    throw new UserError(`Cannot read the image folder ${imagesDir}: check the path given to --images.`);
  }
  const imported = importDataset({
    scoreFileName: basename(scoresPath),
    scoreText,
    files,
    overrides: opts.higherIsBetter === undefined ? undefined : { higherIsBetter: opts.higherIsBetter },
  });
  // Decoded (small) only to drop the files npm run train could not decode, so the split is its split.
  const loaded = await loadImages(imported.items, 8, 8, (file, w, h) => decodeFile(join(imagesDir, file), w, h));
  const unusable = [...imported.problems, ...loaded.problems].filter((p) => !isInfoProblem(p));
  if (unusable.length) console.log(`${unusable.length} rows or files cannot be used (npm run train lists them); the export leaves them out.`);
  if (!loaded.items.length) throw new UserError('No image could be decoded: nothing to export.');

  // The split policy of npm run train: made from the imported rows, each of --splits N from its
  // own seed; images that fail to decode leave it, the order of the rest is kept.
  config.split = opts.split ?? defaultSplitKind(imported.items);
  const choices = chooseSplits(imported.items, splitOptionsOf(config), config.repeats);
  if (choices[0]!.warning) console.log(choices[0]!.warning);
  config.split = choices[0]!.names.kind;
  const used = (idx: number[]) => idx.map((i) => loaded.items[i]!.file);
  const repeats: PytorchRepeat[] = choices.map((c, i) => {
    const split = splitFromNames(c.names, loaded.items, true);
    const splitSeed = config.split === 'official' ? undefined : choices.length > 1 ? deriveSeed(config.seed, `cv:${i}`) : config.seed;
    return { seed: config.seed, ...(splitSeed === undefined ? {} : { splitSeed }), train: used(split.train), val: [], test: used(split.test) };
  });
  const input: PytorchExportInput = {
    config,
    repeats,
    scores: new Map(loaded.items.map((it) => [it.file, it.mos])),
    control: own.control,
    source: { scores: basename(scoresPath), proxyScores: demo },
  };
  let base: tf.LayersModel | undefined;
  if (config.model === 'mobilenetv2' || own.weights) await initNodeBackend(opts.backend);
  if (config.model === 'mobilenetv2') ({ base, backbone: input.backbone } = await builtinBackbone());
  // Before building any network: what the export cannot take (a model it does not cover, a cut that is no layer) is refused in words.
  const problems = pytorchExportProblems(input);
  if (problems.length) throw new PytorchExportError(problems);
  if (own.weights) input.initialWeights = [await studioInitialWeights(config, config.seed, base)];
  base?.dispose();
  const project = exportPytorchProject(input);

  const outDir = resolve(own.out);
  for (const f of project) {
    const path = join(outDir, f.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, f.contents);
  }
  console.log(`${choices[0]!.names.reason}${choices.length > 1 ? ` (and ${choices.length - 1} more splits)` : ''}`);
  console.log(`Wrote ${project.length} files to ${outDir}: ${project.map((f) => f.path).join(', ')}.`);
  console.log(`Run:  cd ${outDir} && python train.py --images ${imagesDir}`);
  console.log(`  or: cd ${outDir} && torchrun --nproc_per_node=N train.py --images ${imagesDir}`);
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    if (err.message) console.error(`${err.message}\n`);
    console.error(`${OWN_USAGE}\n\n${USAGE}`);
    process.exit(2);
  }
  if (
    err instanceof UserError ||
    err instanceof ImportError ||
    err instanceof SplitError ||
    err instanceof PytorchExportError ||
    err instanceof ModelFileError ||
    err instanceof BackboneError
  ) {
    console.error(`Error: ${err.message}`);
    process.exit(1);
  }
  console.error(err);
  process.exit(1);
});
