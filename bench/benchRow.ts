import type { EpochEvent, StepEvent } from '../src/core/train/history';

/** A case still running after this long is stopped and listed as failed. */
export const CASE_LIMIT_S = 300;

export interface BenchRow {
  env: 'chromium' | 'node' | 'pytorch';
  /** tfjs backend, or "cpu 1t" / "cpu 2t" for PyTorch's thread count. */
  backend: string;
  mode: 'baseline' | 'dml';
  model: string;
  /** Pretrained models: 'all' (fine-tune everything) or 'head' (frozen body, its output cached). */
  trainFrom?: 'all' | 'head';
  batch: number;
  /** "128x128" */
  input: string;
  imagesPerSec: number;
  msPerStep: number;
  /** numTensors after the last epoch minus after epoch 1 (0 = no leak); not for PyTorch. */
  numTensorsGrowth?: number;
  /** How many warm steps (epoch 2 on) the figures are the median of. */
  timedSteps: number;
  /** trainFrom 'head': ms from the start of training to the cache's last chunk (building the nets included), once per run. */
  cacheMs?: number;
  /** Node: the wasm heap's size after the run, in MiB (a fresh process per case, so its high-water mark; wasm32 stops at 4096). */
  wasmHeapMiB?: number;
  /** webgpu: the GPU buffers tfjs holds after the last epoch (numBytesAllocatedInGPU: its pool, free buffers included), in MiB. */
  gpuMiB?: number;
  /** Node webgpu: the adapter Dawn gave. */
  adapter?: string;
  /** msPerStep over PyTorch's for the same case with 1 and 2 threads. */
  vsPytorch1t?: number;
  vsPytorch2t?: number;
}

/** A case that did not run to the end: the same labels, and why instead of the figures. */
export type BenchFailure = Pick<BenchRow, 'env' | 'backend' | 'mode' | 'model' | 'trainFrom' | 'batch' | 'input'> & { error: string };

export type BenchResult = BenchRow | BenchFailure;

export const failed = (r: BenchResult): r is BenchFailure => 'error' in r;

export function benchFailure(env: BenchRow['env'], c: BenchCase, error: string): BenchFailure {
  return { env, backend: c.backend, mode: c.mode, model: c.model, ...(c.trainFrom && { trainFrom: c.trainFrom }), batch: c.batch, input: `${c.size}x${c.size}`, error };
}

export interface BenchCase {
  backend: string;
  mode: 'baseline' | 'dml';
  model: string;
  trainFrom?: 'all' | 'head';
  batch: number;
  size: number;
  /** Epochs to train: the first is warm-up, the rest are timed (default 2). */
  epochs?: number;
}

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * Figures from a run's events: the median step from epoch 2 on (warm: shaders compiled,
 * Adam's slots made) and the tensor count's change from epoch 1 to the last. Every batch is
 * full (the split leaves a multiple of the batch size), so a step's time is batch / imagesPerSec.
 */
export function benchRow(env: BenchRow['env'], c: BenchCase, steps: StepEvent[], epochs: EpochEvent[], cacheMs?: number): BenchRow {
  const warm = steps.filter((s) => s.epoch >= 1);
  const want = c.epochs ?? 2;
  if (!warm.length || epochs.length < want) throw new Error(`${env}/${c.backend}/${c.model}/${c.mode}: the run did not finish ${want} epochs`);
  const ms = median(warm.map((s) => (1000 * c.batch) / s.imagesPerSec));
  return {
    env,
    backend: c.backend,
    mode: c.mode,
    model: c.model,
    ...(c.trainFrom && { trainFrom: c.trainFrom }),
    batch: c.batch,
    input: `${c.size}x${c.size}`,
    imagesPerSec: round((1000 * c.batch) / ms, 1),
    msPerStep: round(ms, ms < 100 ? 2 : 1),
    numTensorsGrowth: epochs[epochs.length - 1]!.memory.numTensors - epochs[0]!.memory.numTensors,
    timedSteps: warm.length,
    ...(cacheMs !== undefined && { cacheMs: Math.round(cacheMs) }),
    ...gpuMiB(epochs[epochs.length - 1]!),
  };
}

function gpuMiB(e: EpochEvent): { gpuMiB?: number } {
  const bytes = e.memory.numBytesAllocatedInGPU;
  return bytes === undefined ? {} : { gpuMiB: round(bytes / 2 ** 20, 1) };
}

/** The PyTorch row a tfjs row compares with: same model, training extent, mode, batch and input. */
function sameCase(a: BenchRow, b: BenchRow): boolean {
  return a.model === b.model && a.trainFrom === b.trainFrom && a.mode === b.mode && a.batch === b.batch && a.input === b.input;
}

/** Each tfjs row with its step time over PyTorch's (1 and 2 threads), where PyTorch timed the same case. */
export function withRatios(rows: readonly BenchResult[], torch: readonly BenchRow[]): BenchResult[] {
  const ratio = (r: BenchResult, threads: string) => {
    if (failed(r)) return {};
    const t = torch.find((p) => p.backend === `cpu ${threads}` && sameCase(p, r));
    return t ? { [`vsPytorch${threads}`]: round(r.msPerStep / t.msPerStep, 2) } : {};
  };
  return rows.map((r) => ({ ...r, ...ratio(r, '1t'), ...ratio(r, '2t') }));
}

/** The rows as a text table; a failed case gets a footnote with its error. */
export function formatTable(rows: readonly BenchResult[]): string {
  const head = ['env', 'backend', 'mode', 'model', 'train', 'batch', 'input', 'images/s', 'ms/step', 'steps timed', 'cache ms', 'numTensors growth', 'wasm heap MiB', 'GPU MiB', '×PyTorch 1t', '×PyTorch 2t'];
  const opt = (v: number | undefined, f = (x: number) => `${x}`) => (v === undefined ? '-' : f(v));
  const notes: string[] = [];
  const body = rows.map((r) => {
    const labels = [r.env, r.backend, r.mode, r.model, r.trainFrom ?? '-', `${r.batch}`, r.input];
    if (failed(r)) {
      notes.push(`[${notes.length + 1}] ${r.env} ${r.model}${r.trainFrom ? `/${r.trainFrom}` : ''} ${r.mode}: ${r.error}`);
      return [...labels, `failed [${notes.length}]`, ...Array<string>(head.length - labels.length - 1).fill('-')];
    }
    return [
      ...labels,
      r.imagesPerSec.toFixed(1),
      r.msPerStep < 100 ? r.msPerStep.toFixed(2) : r.msPerStep.toFixed(0),
      `${r.timedSteps}`,
      opt(r.cacheMs),
      opt(r.numTensorsGrowth),
      opt(r.wasmHeapMiB),
      opt(r.gpuMiB),
      opt(r.vsPytorch1t, (x) => x.toFixed(2)),
      opt(r.vsPytorch2t, (x) => x.toFixed(2)),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 5 && i !== 6 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line), ...(notes.length ? ['', ...notes] : [])].join('\n');
}
