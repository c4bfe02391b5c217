/**
 * The conv filter gradient on wasm, its two forms interleaved in one process (a loaded machine
 * slows both alike): im2col + one product against the conv with the batch as channels.
 *   npx tsx bench/convGradKernels.ts [reps]
 * Shapes: the tiny net's four layers at batch 8, 128×128.
 */
import * as tf from '@tensorflow/tfjs';
import { setIm2colMaxFloats } from '../src/core/backend/conv2dBackpropFilterWasm';
import { initNodeBackend } from '../src/node/tfNode';

await initNodeBackend('wasm');
const reps = Number(process.argv[2] ?? 5);
const layers: [number, number, number][] = [[128, 3, 16], [64, 16, 32], [32, 32, 64], [16, 64, 128]];
const limit = setIm2colMaxFloats(1 << 24);
for (const [size, ci, co] of layers) {
  const x = tf.randomNormal([8, size, size, ci]) as tf.Tensor4D;
  const dy = tf.randomNormal([8, size / 2, size / 2, co]) as tf.Tensor4D;
  const once = (max: number) => {
    setIm2colMaxFloats(max);
    const t0 = performance.now();
    const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [2, 2], pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, ci, co] }) as tf.Tensor;
    dw.dataSync();
    const ms = performance.now() - t0;
    dw.dispose();
    return ms;
  };
  const best = { im2col: Infinity, conv: Infinity };
  for (let i = 0; i < reps; i++) {
    best.im2col = Math.min(best.im2col, once(1 << 24));
    best.conv = Math.min(best.conv, once(0));
  }
  console.log(`x 8×${size}×${size}×${ci} → ${co}: im2col ${best.im2col.toFixed(1)} ms, conv form ${best.conv.toFixed(1)} ms (best of ${reps})`);
  tf.dispose([x, dy]);
}
setIm2colMaxFloats(limit);
