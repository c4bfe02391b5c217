/**
 * The conv gradients' product forms (im2col / col2im + one XNNPACK product) against their conv
 * forms, on a whole training step, alternated step by step in one process so that a loaded
 * machine slows both alike. Also the process's CPU time per step (Node's wasm runs on one
 * thread), which waiting for a core on a loaded machine does not inflate as it does wall time.
 *   npx tsx bench/stepAB.ts [--model tiny] [--mode dml|baseline] [--size 128] [--batch 8] [--rounds 8]
 */
import { parseArgs } from 'node:util';
import { setIm2colMaxFloats } from '../src/core/backend/conv2dBackpropFilterWasm';
import { setCol2imMaxFloats } from '../src/core/backend/conv2dBackpropInputWasm';
import { summarize } from '../src/core/metrics/summary';
import { cpuMs, stepCase } from './stepCase';

const { values: opts } = parseArgs({
  options: {
    model: { type: 'string', default: 'tiny' },
    mode: { type: 'string', default: 'dml' },
    size: { type: 'string', default: '128' },
    batch: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '8' },
  },
});
const size = Number(opts.size);
const batch = Number(opts.batch);
const bench = await stepCase({ model: opts.model, mode: opts.mode, size, batch });
const limits = [setIm2colMaxFloats(0), setCol2imMaxFloats(0)] as const;
const use = (product: boolean) => {
  setIm2colMaxFloats(product ? limits[0] : 0);
  setCol2imMaxFloats(product ? limits[1] : 0);
};
const time = async (product: boolean) => {
  use(product);
  const c0 = cpuMs();
  const t0 = performance.now();
  await bench.step();
  return { wall: performance.now() - t0, cpu: cpuMs() - c0 };
};
for (const p of [true, false, true, false]) await time(p); // warm-up
const ms = { product: [] as number[], conv: [] as number[] };
const cpu = { product: [] as number[], conv: [] as number[] };
for (let i = 0; i < Number(opts.rounds); i++) {
  for (const [k, p] of [['product', true], ['conv', false]] as const) {
    const t = await time(p);
    ms[k].push(t.wall);
    cpu[k].push(t.cpu);
  }
}
const median = (v: number[]) => summarize(v).median;
const show = (v: number[], c: number[]) => `wall median ${median(v).toFixed(0)} ms, best ${Math.min(...v).toFixed(0)} ms; CPU median ${median(c).toFixed(0)} ms`;
console.log(`${opts.model} ${opts.mode}, batch ${batch} at ${size}×${size}, Node wasm, ${opts.rounds} rounds alternated:`);
console.log(`  product forms (im2col/col2im + XNNPACK product): ${show(ms.product, cpu.product)}`);
console.log(`  conv forms (batch-as-channels conv, sub-pixel conv): ${show(ms.conv, cpu.conv)}`);
use(true);
bench.dispose();
