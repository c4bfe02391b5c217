/**
 * Micro benchmark: one training step of a small conv net in Node.
 *   npx tsx bench/convStep.ts            (wasm: 2 warm-ups + mean of 5; cpu: 1 step)
 *   npx tsx bench/convStep.ts wasm       (one backend only)
 * Net: 3 × (conv3×3 stride 2, 16/32/64 filters, no bias → BN → ReLU) → GAP → Dense(1),
 * batch 8 at 128×128×3, MSE loss, Adam.
 */
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend, type NodeBackendName } from '../src/node/tfNode';

const BATCH = 8;
const SIZE = 128;

function buildNet(): tf.LayersModel {
  const input = tf.input({ shape: [SIZE, SIZE, 3] });
  let x: tf.SymbolicTensor = input;
  for (const filters of [16, 32, 64]) {
    x = tf.layers.conv2d({ filters, kernelSize: 3, strides: 2, padding: 'same', useBias: false }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU().apply(x) as tf.SymbolicTensor;
  }
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 1 }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

async function timeSteps(name: NodeBackendName, warmups: number, runs: number): Promise<number[]> {
  await initNodeBackend(name);
  const model = buildNet();
  const opt = tf.train.adam(1e-3);
  const xs = tf.randomNormal([BATCH, SIZE, SIZE, 3], 0, 1, 'float32', 1);
  const ys = tf.randomNormal([BATCH, 1], 0, 1, 'float32', 2);
  const step = () => {
    const loss = opt.minimize(
      () => tf.losses.meanSquaredError(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar,
      true,
    );
    loss!.dataSync(); // wait for the step to finish
    loss!.dispose();
  };
  for (let i = 0; i < warmups; i++) step();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
  }
  tf.dispose([xs, ys]);
  model.dispose();
  opt.dispose();
  return times;
}

function report(name: string, times: number[]): void {
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const each = times.map((t) => t.toFixed(0)).join(', ');
  console.log(`${name.padEnd(5)} ${mean.toFixed(1).padStart(8)} ms/step  (n=${times.length}: ${each})`);
}

const only = process.argv[2] as NodeBackendName | undefined;
console.log(`conv step: 3×conv3×3/2 (16/32/64) + BN + ReLU, GAP, Dense(1); batch ${BATCH} at ${SIZE}×${SIZE}; Adam`);
if (only !== 'cpu') report('wasm', await timeSteps('wasm', 2, 5));
if (only !== 'wasm') report('cpu', await timeSteps('cpu', 0, 1));
