/**
 * Training throughput, browser, Node and PyTorch:
 *   npm run bench -- [--out bench.json] [--backends webgpu,wasm] [--models tiny,mobilenetv2] [--no-node] [--no-chromium] [--no-pytorch] [--node-webgpu]
 * Batch 8, baseline and DML, trained through the real pipeline (the worker and TrainerClient in
 * Chromium, the core training loop in Node); the figures are the median warm step (epoch 2 on)
 * and the tensor count's growth from epoch 1 to the last.
 *   tiny at 128×128: 32 images (24 train: 3 steps per epoch), 2 epochs, on every backend; slow
 *     backends (SwiftShader WebGPU/WebGL, cpu) get 11 images, one step per epoch.
 *   mobilenetv2 at 224×224, wasm only: trainFrom 'all' (fine-tune everything) on 21 images (16
 *     train: 2 steps per epoch), 2 epochs, so 2 timed steps; trainFrom 'head' on 32 images, 5
 *     epochs (12 timed steps of the head on the cached body output), and the cache's one-time build.
 * Then bench/torch_step.py times the same cases in PyTorch with 1 and 2 threads (when
 * /usr/bin/python3 has torch and torchvision), and each tfjs row gets its ratio to them: tfjs wasm
 * is single-threaded in Node, and the studio's worker runs it on every core but one (1 thread on a
 * 2-core machine), so the 1-thread column is the fair pair there.
 * --node-webgpu: the Node side also trains on webgpu through Dawn (the package `webgpu`), so a machine
 * with a GPU and no browser runs the GPU cases too (with --no-chromium): on a GPU the wasm cases, on a
 * software adapter (SwiftShader) the slow backends' tiny ones; with no adapter it says why and goes on.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { browserBench } from './browserBench';
import { formatTable, withRatios, type BenchCase, type BenchResult, type BenchRow } from './benchRow';
import { mobilenetMissing, nodeBench, nodeWebgpuProbe } from './nodeBench';
import { describeNodeAdapter } from '../src/node/webgpuNode';

const PYTHON = '/usr/bin/python3';
const TORCH_STEP = resolve(fileURLToPath(import.meta.url), '../torch_step.py');
const BATCH = 8;
const MODES = ['baseline', 'dml'] as const;
const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'];
const MODELS = ['tiny', 'mobilenetv2'];
/** Images per run: a random 25 % test split leaves 24 training images (3 steps), 16 (2 steps) or 8 (1 step). */
const IMAGES_FAST = 32;
const IMAGES_SLOW = 11;
const IMAGES_MOBILENET_ALL = 21;

interface Planned {
  c: BenchCase;
  images: number;
}

function parseArgs(argv: string[]) {
  const o = { out: 'bench.json', backends: BACKENDS, models: MODELS, node: true, chromium: true, pytorch: true, nodeWebgpu: false };
  const list = (v: string | undefined, allowed: string[]) => (v ?? '').split(',').filter((b) => allowed.includes(b));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--out') o.out = argv[++i] ?? o.out;
    else if (a === '--backends') o.backends = list(argv[++i], BACKENDS);
    else if (a === '--models') o.models = list(argv[++i], MODELS);
    else if (a === '--no-node') o.node = false;
    else if (a === '--no-chromium') o.chromium = false;
    else if (a === '--no-pytorch') o.pytorch = false;
    else if (a === '--node-webgpu') o.nodeWebgpu = true;
    else
      throw new Error(
        `Unknown option ${a}. Usage: npm run bench -- [--out bench.json] [--backends webgpu,webgl,wasm,cpu] [--models tiny,mobilenetv2] [--no-node] [--no-chromium] [--no-pytorch] [--node-webgpu]`,
      );
  }
  return o;
}

/** The cases to run on one tfjs backend. MobileNetV2 only on wasm: a training step takes seconds there already. */
function plan(backend: string, models: string[]): Planned[] {
  const out: Planned[] = [];
  if (models.includes('tiny')) {
    const images = backend === 'wasm' ? IMAGES_FAST : IMAGES_SLOW;
    for (const mode of MODES) out.push({ c: { backend, mode, model: 'tiny', batch: BATCH, size: 128 }, images });
  }
  if (models.includes('mobilenetv2') && backend === 'wasm') {
    for (const mode of MODES) out.push({ c: { backend, mode, model: 'mobilenetv2', trainFrom: 'head', batch: BATCH, size: 224, epochs: 5 }, images: IMAGES_FAST });
    for (const mode of MODES) out.push({ c: { backend, mode, model: 'mobilenetv2', trainFrom: 'all', batch: BATCH, size: 224 }, images: IMAGES_MOBILENET_ALL });
  }
  return out;
}

/** torch_step.py's rows for the given cases, or why there are none. */
async function pytorchRows(models: string[]): Promise<BenchRow[] | string> {
  const run = promisify(execFile);
  try {
    await run(PYTHON, ['-c', 'import torch, torchvision']);
  } catch (err) {
    const why = (err as { stderr?: string }).stderr?.trim().split('\n').pop() ?? (err as Error).message;
    return `${PYTHON} cannot import torch and torchvision (${why})`;
  }
  const only = models.flatMap((m) => (m === 'mobilenetv2' ? ['mobilenetv2-all', 'mobilenetv2-head'] : [m]));
  const { stdout } = await run(PYTHON, [TORCH_STEP, '--json', '--only', only.join(',')], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as BenchRow[];
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const log = (s: string) => console.log(s);
  let models = o.models;
  if (models.includes('mobilenetv2')) {
    const missing = await mobilenetMissing();
    if (missing) {
      log(`Skipping mobilenetv2: ${missing}.`);
      models = models.filter((m) => m !== 'mobilenetv2');
    }
  }
  const rows: BenchResult[] = [];
  const t0 = Date.now();
  const loadAtStart = loadavg()[0]!;
  if (o.chromium) rows.push(...(await browserBench(o.backends.flatMap((b) => plan(b, models)), log)));
  if (o.node) rows.push(...(await nodeBench(plan('wasm', models), log)));
  if (o.node && o.nodeWebgpu) {
    const adapter = await nodeWebgpuProbe();
    if (typeof adapter === 'string') log(`Skipping node webgpu: ${adapter}`);
    else {
      log(describeNodeAdapter(adapter));
      // A GPU gets the wasm cases (MobileNetV2 included); a software adapter the slow backends' tiny ones.
      const cases = adapter.isFallbackAdapter ? plan('webgpu', models) : plan('wasm', models).map((p) => ({ ...p, c: { ...p.c, backend: 'webgpu' } }));
      rows.push(...(await nodeBench(cases, log)));
    }
  }
  let torch: BenchRow[] = [];
  if (o.pytorch) {
    const t1 = Date.now();
    const got = await pytorchRows(models);
    if (typeof got === 'string') log(`Skipping PyTorch: ${got}.`);
    else {
      torch = got;
      log(`pytorch: done (${((Date.now() - t1) / 1000).toFixed(0)} s)`);
    }
  }
  const all = [...withRatios(rows, torch), ...torch];
  console.log(`\nbatch ${BATCH}, ${((Date.now() - t0) / 1000).toFixed(0)} s in all. ×PyTorch: ms/step over PyTorch's with 1 and 2 threads.`);
  console.log('cache ms: trainFrom head, the frozen body run once over every image and its mirror, building the nets included.\n');
  console.log(formatTable(all));
  // Other work on the machine slows every row, and not evenly: say so beside the figures.
  const cores = availableParallelism();
  const load = [loadAtStart, loadavg()[0]!];
  const busy = Math.max(...load) > cores * 0.75 ? ` — the machine was busy, so the figures (and ratios) are noisy: rerun when it is idle` : '';
  console.log(`\nLoad average ${load.map((l) => l.toFixed(1)).join(' at the start, ')} at the end, on ${cores} cores${busy}.`);
  await writeFile(o.out, JSON.stringify(all, null, 2) + '\n');
  console.log(`\nWrote ${o.out}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
