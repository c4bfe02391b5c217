/**
 * BatchMatMul for the wasm backend that keeps transposed products on the fast
 * path. The 4.22 kernel uses XNNPACK only for an unbatched product without
 * transposeA/transposeB; anything else runs a scalar triple loop ~30-60x
 * slower. Every Dense layer's backward pass asks for exactly such products
 * (dW = xᵀ·dy, dx = dy·Wᵀ). For unbatched products we transpose the operand
 * explicitly (cheap, linear) and call the original kernel without flags.
 */
import * as tf from '@tensorflow/tfjs';
import {
  BatchMatMul,
  type BatchMatMulAttrs,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs';
import { asTensor } from './kernelTensors';

/** Product of all but the last two dims: the batch the kernel loops over. */
function batchOf(shape: number[]): number {
  return tf.util.sizeFromShape(shape.slice(0, -2));
}

function swapLastTwo(t: tf.Tensor): tf.Tensor {
  const r = t.rank;
  const perm = [...Array(r).keys()];
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return tf.transpose(t, perm);
}

function makeBatchMatMul(original: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as {
      inputs: { a: TensorInfo; b: TensorInfo };
      backend: KernelBackend;
      attrs: BatchMatMulAttrs;
    };
    const { a, b } = inputs;
    const { transposeA, transposeB } = attrs;
    const unbatched = batchOf(a.shape) === 1 && batchOf(b.shape) === 1;
    if (!(transposeA || transposeB) || !unbatched || a.dtype !== 'float32' || b.dtype !== 'float32') {
      return original(args);
    }
    // Temporaries are disposed after the call; the original's output is a
    // fresh TensorInfo owned by the caller, so it stays out of any tidy.
    const temps: tf.Tensor[] = [];
    try {
      let aIn: TensorInfo = a;
      let bIn: TensorInfo = b;
      if (transposeA) {
        const at = asTensor(a, backend);
        temps.push(at);
        aIn = swapLastTwo(at);
        temps.push(aIn as tf.Tensor);
      }
      if (transposeB) {
        const bt = asTensor(b, backend);
        temps.push(bt);
        bIn = swapLastTwo(bt);
        temps.push(bIn as tf.Tensor);
      }
      return original({ ...args, inputs: { a: aIn, b: bIn }, attrs: { ...attrs, transposeA: false, transposeB: false } });
    } finally {
      tf.dispose(temps);
    }
  };
}

/** The replacement config; setup/dispose stay those of the original kernel. */
export function batchMatMulWasmConfig(original: KernelConfig): KernelConfig {
  return { ...original, kernelName: BatchMatMul, kernelFunc: makeBatchMatMul(original.kernelFunc) };
}
