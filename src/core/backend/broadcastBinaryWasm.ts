/**
 * Faster broadcasting for the wasm binary kernels that do not go through
 * XNNPACK (comparisons, Maximum/Minimum, Pow). In tfjs-backend-wasm 4.22 these
 * run ~20x slower when the operand shapes differ than when they match (~40 ms
 * vs 2 ms for 540k elements here). The gradient of tf.max / tf.min over axes —
 * global max and min pooling — compares the input with its broadcast maximum,
 * which made that one Equal the slowest kernel of a cnniqa training step.
 * Here the smaller float32 operand is first broadcast to the output shape
 * (Tile, itself made fast in tileWasm.ts), then the original kernel runs on
 * equal shapes. Exact: broadcasting copies values.
 */
import * as tf from '@tensorflow/tfjs';
import {
  backend_util,
  Equal,
  Greater,
  GreaterEqual,
  Less,
  LessEqual,
  Maximum,
  Minimum,
  NotEqual,
  Pow,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs';
import { asTensor } from './kernelTensors';

/** The wasm binary kernels with the slow broadcasting path that training can hit. */
export const SLOW_BROADCAST_KERNELS = [Equal, NotEqual, Greater, GreaterEqual, Less, LessEqual, Maximum, Minimum, Pow];

const sameShape = (a: number[], b: number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

function makeBroadcasting(original: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend } = args as unknown as { inputs: { a: TensorInfo; b: TensorInfo }; backend: KernelBackend };
    const { a, b } = inputs;
    // A rank-0 operand has its own fast path in the original (~16 ms for 4.8M
    // elements, as for equal shapes; tiling it first took ~45 ms). ReLU6 and
    // clipByValue gradients compare with scalars.
    if (sameShape(a.shape, b.shape) || a.shape.length === 0 || b.shape.length === 0) return original(args);
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return original(args);
    const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    if (tf.util.sizeFromShape(outShape) === 0) return original(args);
    const temps: tf.Tensor[] = [];
    const expand = (t: TensorInfo): TensorInfo => {
      if (sameShape(t.shape, outShape)) return t;
      const wrapped = asTensor(t, backend);
      const full = tf.broadcastTo(wrapped, outShape);
      temps.push(wrapped, full);
      return full;
    };
    try {
      return original({ ...args, inputs: { a: expand(a), b: expand(b) } });
    } finally {
      tf.dispose(temps);
    }
  };
}

/** The replacement config; setup/dispose stay those of the original kernel. */
export function broadcastBinaryWasmConfig(original: KernelConfig): KernelConfig {
  return { ...original, kernelFunc: makeBroadcasting(original.kernelFunc) };
}
