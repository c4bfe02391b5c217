/**
 * Reverse for the wasm backend as block copies over its heap. The 4.22 kernel maps every
 * element's index through generic index math: flipping a batch of 8 × 128×128×3 images
 * (a DML peer's mirrored input, every step) took ~20 ms on a loaded machine.
 * Cases other than float32 with the last axis kept go to the original kernel.
 */
import { Reverse, util, type KernelBackend, type KernelConfig, type KernelFunc, type ReverseAttrs, type TensorInfo } from '@tensorflow/tfjs';
import { heapOutput } from './kernelTensors';

function makeReverse(original: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as { inputs: { x: TensorInfo }; backend: KernelBackend; attrs: ReverseAttrs };
    const { x } = inputs;
    const shape = x.shape;
    const rank = shape.length;
    const axes = util.parseAxisParam(attrs.dims, shape);
    const flipped = shape.map((_, d) => axes.includes(d));
    if (x.dtype !== 'float32' || rank === 0 || axes.length === 0 || util.sizeFromShape(shape) === 0 || flipped[rank - 1]) return original(args);
    // Runs: the contiguous trailing block after the last reversed axis, copied whole.
    const last = Math.max(...axes);
    const run = util.sizeFromShape(shape.slice(last + 1));
    const outer = shape.slice(0, last + 1);
    const strides = outer.map((_, d) => util.sizeFromShape(outer.slice(d + 1)) * run);
    const { out, outView, views } = heapOutput(backend, [...shape], [x]);
    const xv = views[0]!;
    // An odometer over the axes before the last reversed one; that axis in a tight loop of runs.
    const n = outer[last]!;
    const blocks = util.sizeFromShape(outer.slice(0, last));
    const idx = new Array<number>(last).fill(0);
    let dst = 0;
    for (let k = 0; k < blocks; k++) {
      let base = 0;
      for (let d = 0; d < last; d++) base += (flipped[d] ? outer[d]! - 1 - idx[d]! : idx[d]!) * strides[d]!;
      for (let t = 0; t < n; t++, dst += run) {
        const src = base + (n - 1 - t) * run;
        if (run < 16) for (let e = 0; e < run; e++) outView[dst + e] = xv[src + e]!;
        else outView.set(xv.subarray(src, src + run), dst);
      }
      for (let d = last - 1; d >= 0; d--) {
        if (++idx[d]! < outer[d]!) break;
        idx[d] = 0;
      }
    }
    return out;
  };
}

/** The replacement config; setup/dispose stay those of the original kernel. */
export function reverseWasmConfig(original: KernelConfig): KernelConfig {
  return { ...original, kernelName: Reverse, kernelFunc: makeReverse(original.kernelFunc) };
}
