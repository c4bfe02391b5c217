/**
 * Training throughput, browser and Node: `npm run bench -- [--out bench.json] [--backends webgpu,wasm] [--no-node] [--no-chromium]`.
 * The tiny model, batch 8, 128×128 demo images, baseline and DML, trained 2 epochs through
 * the real pipeline (the worker and TrainerClient in Chromium, the core training loop in Node); the
 * figures are the median warm step (epoch 2) and the tensor count's growth from epoch 1 to 2.
 * Slow backends (SwiftShader WebGPU/WebGL, cpu) get one step per epoch so the run takes minutes.
 */
import { writeFile } from 'node:fs/promises';
import { browserBench } from './browserBench';
import { formatTable, type BenchCase, type BenchRow } from './benchRow';
import { nodeBench } from './nodeBench';

const MODEL = 'tiny';
const BATCH = 8;
const SIZE = 128;
const MODES = ['baseline', 'dml'] as const;
const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'];
/** Images per run: a random 25 % test split leaves 24 training images (3 steps) or 8 (1 step). */
const IMAGES_FAST = 32;
const IMAGES_SLOW = 11;

function parseArgs(argv: string[]) {
  const o = { out: 'bench.json', backends: BACKENDS, node: true, chromium: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--out') o.out = argv[++i] ?? o.out;
    else if (a === '--backends') o.backends = (argv[++i] ?? '').split(',').filter((b) => BACKENDS.includes(b));
    else if (a === '--no-node') o.node = false;
    else if (a === '--no-chromium') o.chromium = false;
    else throw new Error(`Unknown option ${a}. Usage: npm run bench -- [--out bench.json] [--backends webgpu,webgl,wasm,cpu] [--no-node] [--no-chromium]`);
  }
  return o;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const kase = (backend: string, mode: BenchCase['mode']): BenchCase => ({ backend, mode, model: MODEL, batch: BATCH, size: SIZE });
  const rows: BenchRow[] = [];
  const t0 = Date.now();
  if (o.chromium) {
    const cases = o.backends.flatMap((b) => MODES.map((m) => ({ c: kase(b, m), images: b === 'wasm' ? IMAGES_FAST : IMAGES_SLOW })));
    rows.push(...(await browserBench(cases, (s) => console.log(s))));
  }
  if (o.node) {
    rows.push(...(await nodeBench(MODES.map((m) => kase('wasm', m)), IMAGES_FAST)));
    console.log('node wasm: done');
  }
  console.log(`\n${MODEL}, batch ${BATCH}, ${SIZE}×${SIZE}, ${((Date.now() - t0) / 1000).toFixed(0)} s in all\n`);
  console.log(formatTable(rows));
  await writeFile(o.out, JSON.stringify(rows, null, 2) + '\n');
  console.log(`\nWrote ${o.out}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
