/**
 * Headless training: `npm run train -- --images DIR --scores FILE [options]`.
 * The same src/core code the browser worker runs, on the wasm backend in Node.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importDataset } from '../core/data/importDataset';
import { ImportError } from '../core/data/importError';
import { formatInputMode } from '../core/data/inputMode';
import { loadImages } from '../core/data/loadImages';
import { isInfoProblem } from '../core/data/matchImages';
import type { ImportProblem } from '../core/data/types';
import { defaultSplitKind, makeSplit, SplitError } from '../core/splits';
import { configProblems } from '../core/train/config';
import type { EpochEvent } from '../core/train/events';
import { runsOf } from '../core/train/experiment';
import { experimentData } from '../core/train/experimentData';
import { runExperiment } from '../core/train/runExperiment';
import { decodeFile } from '../node/decodeImages';
import { listFilesRecursive } from '../node/files';
import { initNodeBackend } from '../node/tfNode';
import { parseArgs, UsageError, USAGE } from './args';
import { epochLine, finalTable } from './report';

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
  const config = opts.config;
  const demo = !opts.images;
  const imagesDir = resolve(opts.images ?? DEMO_DIR);
  const scoresPath = resolve(opts.scores ?? join(DEMO_DIR, 'mos.csv'));
  const bad = configProblems(config);
  if (bad.length) throw new UserError(bad.join('\n'));

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
  if (!files.length) throw new UserError(`The image folder ${imagesDir} is empty: point --images at the folder that holds the images.`);

  console.log(demo ? 'Demo dataset (public/demo): its scores are a formula (an MS-SSIM proxy), not human opinions.' : `Images: ${imagesDir}`);
  const imported = importDataset({
    scoreFileName: basename(scoresPath),
    scoreText,
    files,
    overrides: opts.higherIsBetter === undefined ? undefined : { higherIsBetter: opts.higherIsBetter },
  });
  const L = imported.layout;
  console.log(
    `Score file ${basename(scoresPath)}: image column "${L.columns[L.imageColumn]}", score column "${L.columns[L.scoreColumn]}"` +
      (L.refColumn !== undefined ? `, reference column "${L.columns[L.refColumn]}"` : '') +
      (L.splitColumn !== undefined ? `, split column "${L.columns[L.splitColumn]}"` : '') +
      `, ${L.higherIsBetter ? 'higher' : 'lower'} is better. ${imported.summary.usable} of ${imported.summary.rows} rows usable.`,
  );

  const { width, height } = config.input;
  const t0 = performance.now();
  const loaded = await loadImages(imported.items, width, height, (file, w, h) => decodeFile(join(imagesDir, file), w, h), (p) => {
    if (p.done === p.total || p.done % 200 === 0) process.stdout.write(`\rDecoding images ${p.done}/${p.total} (${p.imagesPerSec.toFixed(0)}/s)`);
  });
  process.stdout.write(`\n`);
  const problems = [...imported.problems, ...loaded.problems];
  printProblems(problems);
  if (!loaded.items.length) throw new UserError('No image could be decoded: nothing to train on.');

  config.split = opts.split ?? defaultSplitKind(loaded.items);
  const split = makeSplit(loaded.items, { kind: config.split, testFrac: config.testFrac, seed: config.seed });
  console.log(`Split: ${split.reason} — ${split.train.length} train, ${split.test.length} test images.`);
  console.log(`Decoded ${loaded.items.length} images at ${width}×${height} in ${((performance.now() - t0) / 1000).toFixed(1)} s.`);

  const backend = await initNodeBackend(opts.backend);
  const runs = runsOf(config);
  console.log(
    `Training ${runs.join(' + ')} · ${config.model} · ${formatInputMode(config.input)} · ${config.epochs} epochs · batch ${config.batchSize} · lr ${config.lr} · λ ${config.lambda} · ${config.peers} peers · seed ${config.seed} · backend ${backend}`,
  );

  const tStart = performance.now();
  let pending: EpochEvent[] = [];
  const result = await runExperiment(config, experimentData(loaded, split), {
    emit: (e) => {
      if (e.type !== 'epoch') return;
      pending.push(e);
      if (pending.length === runs.length) {
        console.log(epochLine(e.epoch, config.epochs, pending));
        pending = [];
      }
    },
  });
  const seconds = (performance.now() - tStart) / 1000;
  console.log(`\nFinal test metrics after ${config.epochs} epochs (${seconds.toFixed(0)} s of training):\n${finalTable(result.final)}`);

  const names = (idx: number[]) => idx.map((i) => loaded.items[i]!.file);
  const out = {
    config,
    dataset: { images: imagesDir, scores: scoresPath, demo, proxyScores: demo, layout: L, summary: imported.summary },
    backend,
    split: { kind: split.kind, reason: split.reason, train: names(split.train), test: names(split.test) },
    history: result.history,
    final: result.final,
    seconds,
    problems,
  };
  await writeFile(opts.out, JSON.stringify(out, null, 1));
  console.log(`Results written to ${opts.out}`);
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    if (err.message) console.error(`${err.message}\n`);
    console.error(USAGE);
    process.exit(2);
  }
  if (err instanceof UserError || err instanceof ImportError || err instanceof SplitError) {
    console.error(`Error: ${err.message}`);
    process.exit(1);
  }
  console.error(err);
  process.exit(1);
});
