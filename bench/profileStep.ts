/**
 * Per-kernel time of one training step in Node on the wasm backend, top kernels first.
 *   npx tsx bench/profileStep.ts [--model tiny] [--mode dml|baseline] [--size 128] [--batch 8] [--steps 3] [--top 25]
 * Every kernel registered for wasm is wrapped with a timer for the profiled steps (after the
 * warm-up). A kernel written with tf ops (our replacements) runs other kernels: its "self" time
 * leaves theirs out, so the self column sums to the time spent in kernels; the rest of the step
 * is the engine, the gradient tape and the optimizer's JavaScript.
 * --clock cpu (default) times with the process's CPU time (Node's wasm runs on one thread), which
 * a loaded machine inflates far less than wall time; --clock wall with performance.now().
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { cpuMs, stepCase } from './stepCase';

const { values: opts } = parseArgs({
  options: {
    model: { type: 'string', default: 'tiny' },
    mode: { type: 'string', default: 'dml' },
    size: { type: 'string', default: '128' },
    batch: { type: 'string', default: '8' },
    steps: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '2' },
    top: { type: 'string', default: '25' },
    clock: { type: 'string', default: 'cpu' },
  },
});
const size = Number(opts.size);
const now = opts.clock === 'wall' ? () => performance.now() : cpuMs;
const batch = Number(opts.batch);

const bench = await stepCase({ model: opts.model, mode: opts.mode, size, batch });

for (let i = 0; i < Number(opts.warmup); i++) await bench.step();

interface Row { calls: number; total: number; self: number; shapes: Map<string, number> }
const rows = new Map<string, Row>();
/** Children's time of each kernel call in progress, innermost last. */
const stack: number[] = [];
const originals = tf.getKernelsForBackend('wasm');
for (const k of originals) {
  const inner = k.kernelFunc;
  tf.unregisterKernel(k.kernelName, 'wasm');
  tf.registerKernel({
    ...k,
    kernelFunc: (args) => {
      stack.push(0);
      const t0 = now();
      try {
        return inner(args);
      } finally {
        const dt = now() - t0;
        const children = stack.pop()!;
        if (stack.length) stack[stack.length - 1]! += dt;
        const row = rows.get(k.kernelName) ?? { calls: 0, total: 0, self: 0, shapes: new Map() };
        row.calls++;
        row.total += dt;
        row.self += dt - children;
        const shape = Object.values(args.inputs).filter((t) => t != null).map((t) => `[${(t as tf.TensorInfo).shape.join(",")}]`).join(' ');
        row.shapes.set(shape, (row.shapes.get(shape) ?? 0) + dt - children);
        rows.set(k.kernelName, row);
      }
    },
  });
}

const steps = Number(opts.steps);
const t0 = now();
for (let i = 0; i < steps; i++) await bench.step();
const stepMs = (now() - t0) / steps;

const sorted = [...rows.entries()].sort((a, b) => b[1].self - a[1].self);
const inKernels = sorted.reduce((s, [, r]) => s + r.self, 0) / steps;
console.log(`${opts.model} ${opts.mode}, batch ${batch} at ${size}×${size}, Node wasm, ${opts.clock} clock: ${stepMs.toFixed(1)} ms/step over ${steps} steps; in kernels ${inKernels.toFixed(1)} ms, outside ${(stepMs - inKernels).toFixed(1)} ms`);
console.log(`${'kernel'.padEnd(32)} ${'calls'.padStart(6)} ${'self ms'.padStart(8)} ${'%'.padStart(5)} ${'incl ms'.padStart(8)}  costliest input shapes`);
for (const [name, r] of sorted.slice(0, Number(opts.top))) {
  const worst = [...r.shapes.entries()].sort((a, b) => b[1] - a[1]).slice(0, 2).map(([s, t]) => `${s} ${(t / steps).toFixed(1)}`).join('; ');
  console.log(
    `${name.padEnd(32)} ${(r.calls / steps).toFixed(0).padStart(6)} ${(r.self / steps).toFixed(2).padStart(8)} ${((100 * r.self) / steps / stepMs).toFixed(1).padStart(5)} ${(r.total / steps).toFixed(2).padStart(8)}  ${worst}`,
  );
}
for (const k of originals) {
  tf.unregisterKernel(k.kernelName, 'wasm');
  tf.registerKernel(k);
}
bench.dispose();
