import type { EpochEvent, StepEvent } from '../src/core/train/history';

export interface BenchRow {
  env: 'chromium' | 'node';
  backend: string;
  mode: 'baseline' | 'dml';
  model: string;
  batch: number;
  /** "128x128" */
  input: string;
  imagesPerSec: number;
  msPerStep: number;
  /** numTensors after epoch 2 minus after epoch 1 (0 = no leak). */
  numTensorsGrowth: number;
  /** How many warm steps (epoch 2) the figures are the median of. */
  timedSteps: number;
}

export interface BenchCase {
  backend: string;
  mode: 'baseline' | 'dml';
  model: string;
  batch: number;
  size: number;
}

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * Figures from a 2-epoch run's events: the median step of epoch 2 (warm: shaders compiled,
 * Adam's slots made) and the tensor count's change from epoch 1 to epoch 2. Every batch is
 * full (the split leaves a multiple of the batch size), so a step's time is batch / imagesPerSec.
 */
export function benchRow(env: BenchRow['env'], c: BenchCase, steps: StepEvent[], epochs: EpochEvent[]): BenchRow {
  const warm = steps.filter((s) => s.epoch === 1);
  if (!warm.length || epochs.length < 2) throw new Error(`${env}/${c.backend}/${c.mode}: the run did not finish 2 epochs`);
  const ms = median(warm.map((s) => (1000 * c.batch) / s.imagesPerSec));
  return {
    env,
    backend: c.backend,
    mode: c.mode,
    model: c.model,
    batch: c.batch,
    input: `${c.size}x${c.size}`,
    imagesPerSec: Math.round((1000 * c.batch * 10) / ms) / 10,
    msPerStep: Math.round(ms * 10) / 10,
    numTensorsGrowth: epochs[1]!.memory.numTensors - epochs[0]!.memory.numTensors,
    timedSteps: warm.length,
  };
}

export function formatTable(rows: readonly BenchRow[]): string {
  const head = ['env', 'backend', 'mode', 'model', 'batch', 'input', 'images/s', 'ms/step', 'numTensors growth', 'steps timed'];
  const body = rows.map((r) => [r.env, r.backend, r.mode, r.model, `${r.batch}`, r.input, r.imagesPerSec.toFixed(1), r.msPerStep.toFixed(1), `${r.numTensorsGrowth}`, `${r.timedSteps}`]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
