/**
 * The benchmark's Node side: the same src/core trainer on the wasm backend, or on webgpu through
 * Dawn (the package `webgpu`, with --node-webgpu), images decoded by sharp.
 */
import { execFile } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { importDataset } from '../src/core/data/importDataset';
import { loadImages } from '../src/core/data/loadImages';
import { spreadSample } from '../src/core/data/spreadSample';
import { MODEL_INFO } from '../src/core/models/info';
import { makeSplit } from '../src/core/splits';
import { QUICK_DEMO, splitOptionsOf, type TrainConfig } from '../src/core/train/config';
import type { EpochEvent, StepEvent } from '../src/core/train/history';
import { experimentData, train } from '../src/core/train/loop';
import { BUILTIN_MOBILENETV2, loadBackboneFile } from '../src/node/backbone';
import { decodeFile } from '../src/node/decodeImages';
import { initNodeBackend } from '../src/node/tfNode';
import { describeNodeAdapter, findNodeAdapter, nodeWebgpuAdapter, stopNodeWebgpu, type NodeWebgpuAdapter } from '../src/node/webgpuNode';
import { benchFailure, CASE_LIMIT_S, benchRow, failed, type BenchCase, type BenchResult, type BenchRow } from './benchRow';

const SELF = fileURLToPath(import.meta.url);
const ROOT = resolve(SELF, '../..');
const DEMO = join(ROOT, 'public/demo');

/** The first `n` demo items spread evenly over the references, as the browser harness picks them. */
export async function demoSlice(n: number) {
  const manifest = JSON.parse(await readFile(join(DEMO, 'manifest.json'), 'utf8')) as { scoreFile: string; images: string[] };
  const scoreText = await readFile(join(DEMO, manifest.scoreFile), 'utf8');
  const { items } = importDataset({ scoreFileName: manifest.scoreFile, scoreText, files: manifest.images });
  return spreadSample(items, n);
}

export function benchConfig(c: BenchCase): TrainConfig {
  return {
    ...QUICK_DEMO,
    mode: c.mode,
    model: c.model as TrainConfig['model'],
    ...(c.trainFrom && { backbone: { trainFrom: c.trainFrom } }),
    input: { kind: 'resize', width: c.size, height: c.size },
    epochs: c.epochs ?? 2,
    batchSize: c.batch,
    decayEvery: 0,
    split: 'random',
    // No validation set: every image not in test trains, so the batches stay full.
    valFrac: 0,
  };
}

/** Why the built-in MobileNetV2 cannot be benchmarked here, or null when its files are in place. */
export async function mobilenetMissing(): Promise<string | null> {
  try {
    await access(BUILTIN_MOBILENETV2);
    return null;
  } catch {
    return `${BUILTIN_MOBILENETV2} is missing (npm install writes it)`;
  }
}

/** The wasm backend's heap in MiB (it only grows: a process's high-water mark), or undefined on another backend. */
function wasmHeapMiB(): number | undefined {
  const bytes = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm?.HEAPU8.length;
  return bytes === undefined ? undefined : Math.round(bytes / 2 ** 20);
}

/** One case trained through train() in this process; a 'head' row also gets the cache's one-time build. */
export async function nodeCase(c: BenchCase, images: number): Promise<BenchRow> {
  const backend = c.backend === 'webgpu' ? 'webgpu' : 'wasm';
  await initNodeBackend(backend);
  const adapter = nodeWebgpuAdapter();
  const config = benchConfig(c);
  const pretrained = MODEL_INFO[config.model].pretrained;
  const base = pretrained ? await loadBackboneFile(BUILTIN_MOBILENETV2) : undefined;
  try {
    const items = await demoSlice(images);
    const loaded = await loadImages(items, c.size, c.size, (f, w, h) => decodeFile(join(DEMO, f), w, h));
    const split = makeSplit(loaded.items, splitOptionsOf(config));
    const steps: StepEvent[] = [];
    const epochs: EpochEvent[] = [];
    let cacheDone: number | undefined;
    const t0 = performance.now();
    await train(config, experimentData(loaded, split, base), {
      emit: (e) => {
        if (e.type === 'step') steps.push(e);
        else if (e.type === 'epoch') epochs.push(e);
        else if (e.type === 'cache' && e.done === e.total) cacheDone = performance.now();
      },
    });
    if (c.trainFrom === 'head' && cacheDone === undefined) throw new Error('training built no feature cache');
    return {
      ...benchRow('node', { ...c, backend }, steps, epochs, cacheDone === undefined ? undefined : cacheDone - t0),
      ...(backend === 'wasm' && { wasmHeapMiB: wasmHeapMiB() }),
      ...(adapter && { adapter: describeNodeAdapter(adapter) }),
    };
  } finally {
    base?.dispose();
  }
}

const caseName = (c: BenchCase) => `${c.model}${c.trainFrom ? `/${c.trainFrom}` : ''} ${c.mode}`;

/**
 * Each case in a fresh Node process: the wasm heap only grows, so a case's heap figure is its
 * own, and a case that runs out of it (wasm32 stops at 4 GiB) leaves the others unharmed.
 */
export async function nodeBench(cases: { c: BenchCase; images: number }[], log: (s: string) => void = () => {}): Promise<BenchResult[]> {
  const run = promisify(execFile);
  const rows: BenchResult[] = [];
  for (const { c, images } of cases) {
    const backend = c.backend === 'webgpu' ? 'webgpu' : 'wasm';
    const t0 = Date.now();
    const took = () => `${((Date.now() - t0) / 1000).toFixed(0)} s with loading and evaluation`;
    try {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', SELF, JSON.stringify({ c, images })], { cwd: ROOT, maxBuffer: 16 << 20, timeout: CASE_LIMIT_S * 1000 });
      const row = JSON.parse(stdout.trim().split('\n').pop()!) as BenchResult;
      rows.push(row);
      log(`node ${backend} ${caseName(c)}: ${failed(row) ? `failed: ${row.error}` : `${row.msPerStep} ms/step`} (${took()})`);
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? '';
      // The last line that is neither a stack frame nor emscripten's minified source.
      const timedOut = (err as { killed?: boolean }).killed === true;
      const why = timedOut ? `did not finish within ${CASE_LIMIT_S} s` : stderr.split('\n').filter((l) => l.trim() && !/^\s+at /.test(l) && l.length < 500).pop() ?? (err as Error).message;
      rows.push(benchFailure('node', { ...c, backend }, why.trim()));
      log(`node ${backend} ${caseName(c)}: failed: ${why.trim()} (${took()})`);
    }
  }
  return rows;
}

/**
 * The adapter Dawn gives in Node, or why there is none (in words), asked of a child process:
 * Dawn keeps a process alive while its instance is referenced.
 */
export async function nodeWebgpuProbe(): Promise<NodeWebgpuAdapter | string> {
  const run = promisify(execFile);
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', SELF, '--probe-webgpu'], { cwd: ROOT, timeout: 120_000 });
    return JSON.parse(stdout.trim().split('\n').pop()!) as NodeWebgpuAdapter | string;
  } catch (err) {
    return `the probe failed: ${(err as Error).message.split('\n')[0]}`;
  }
}

// Child: `node --import tsx bench/nodeBench.ts '{"c": …, "images": n}'` prints the case's row as JSON.
if (process.argv[1] === SELF && process.argv[2] === '--probe-webgpu') {
  findNodeAdapter().then(
    ({ report }) => console.log(JSON.stringify(report)),
    (err: unknown) => console.log(JSON.stringify(err instanceof Error ? err.message : String(err))),
  ).finally(() => process.exit(0));
} else if (process.argv[1] === SELF) {
  const { c, images } = JSON.parse(process.argv[2]!) as { c: BenchCase; images: number };
  nodeCase(c, images).then(
    (row) => {
      console.log(JSON.stringify(row));
      stopNodeWebgpu();
    },
    (err: unknown) => {
      // A wasm kernel that cannot allocate reads or writes out of bounds: the heap says whether that was it.
      const heap = wasmHeapMiB();
      const where = heap === undefined ? '' : ` (wasm heap ${heap} MiB of wasm32's 4096)`;
      console.log(JSON.stringify(benchFailure('node', { ...c, backend: c.backend === 'webgpu' ? 'webgpu' : 'wasm' }, `${err instanceof Error ? err.message : String(err)}${where}`)));
      stopNodeWebgpu();
    },
  );
}
