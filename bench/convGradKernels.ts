/**
 * The conv gradients on wasm, their two forms interleaved in one process (a loaded machine
 * slows both alike): the filter gradient as im2col + one product against the conv with the
 * batch as channels; the input gradient as dy · Wᵀ + col2im against the sub-pixel conv.
 *   npx tsx bench/convGradKernels.ts [reps]
 * Shapes: the tiny net's four layers at batch 8, 128×128.
 */
import * as tf from '@tensorflow/tfjs';
import { setIm2colMaxFloats } from '../src/core/backend/conv2dBackpropFilterWasm';
import { setCol2imMaxFloats } from '../src/core/backend/conv2dBackpropInputWasm';
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
  const w = tf.randomNormal([3, 3, ci, co]) as tf.Tensor4D;
  const input = (max: number) => {
    setCol2imMaxFloats(max);
    const t0 = performance.now();
    const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { strides: [2, 2], pad: 'same', dataFormat: 'NHWC', inputShape: [8, size, size, ci] }) as tf.Tensor;
    dx.dataSync();
    const ms = performance.now() - t0;
    dx.dispose();
    return ms;
  };
  const best = { im2col: Infinity, conv: Infinity, col2im: Infinity, subPixel: Infinity };
  for (let i = 0; i < reps; i++) {
    best.im2col = Math.min(best.im2col, once(1 << 24));
    best.conv = Math.min(best.conv, once(0));
    best.col2im = Math.min(best.col2im, input(1 << 24));
    best.subPixel = Math.min(best.subPixel, input(0));
  }
  const f = (v: number) => v.toFixed(1);
  console.log(`x 8×${size}×${size}×${ci} → ${co}: filter gradient im2col ${f(best.im2col)} / conv form ${f(best.conv)} ms; input gradient col2im ${f(best.col2im)} / sub-pixel ${f(best.subPixel)} ms (best of ${reps})`);
  tf.dispose([x, dy, w]);
}
setIm2colMaxFloats(limit);
setCol2imMaxFloats(1 << 24);
