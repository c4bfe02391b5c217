/**
 * Makes conv-net training work, and run fast, on the tfjs wasm backend
 * (@tensorflow/tfjs-backend-wasm 4.22), in the browser and in Node.
 *
 * Missing, so training throws without it:
 *  - Conv2DBackpropFilter (the filter gradient of every conv layer).
 *  - DepthwiseConv2dNativeBackpropFilter and DepthwiseConv2dNativeBackpropInput
 *    (the gradients of depthwise conv layers, e.g. MobileNetV2's) -> XNNPACK depthwise convs.
 * Present but slow enough to dominate a training step, so replaced:
 *  - Conv2DBackpropInput (plain C++ loops) -> one XNNPACK conv.
 *  - Tile (per-element index math; the BatchNorm gradient tiles) -> broadcast multiply.
 *  - BatchMatMul with transposeA/transposeB (scalar loop; every Dense backward) -> explicit transpose + XNNPACK.
 *  - Comparisons, Maximum/Minimum and Pow on operands of different shapes
 *    (generic broadcasting; the tf.max/tf.min gradient) -> broadcast first.
 *  - Sum and Mean over outer axes (a transpose of the whole input first;
 *    BatchNorm's moments and gradient) -> an XNNPACK average pool.
 *  - Identity and same-dtype Cast (a full copy; the gradient tape clones every
 *    tensor it saves) -> the output shares the input's data.
 *  - Reverse (per-element index math; a DML peer's mirrored batch) -> block copies on the heap.
 * Every other kernel that a training step of our nets needs (BatchNorm, ReLU,
 * ReLU6, zero padding, max/avg pooling and their grads, mean/min/max
 * reductions, Dense, Adam) is in 4.22; wasmKernels.test.ts runs such a step on
 * wasm and on cpu and compares, depthwiseWasm.test.ts a MobileNetV2 block.
 *
 * The new kernels are written with tf ops, or (im2col, Reverse, the sub-pixel filter) as
 * JavaScript loops over the heap's float32 views where the wasm copy kernels are slow.
 * Kernels run inside the engine with
 * the gradient tape off, so those ops are not recorded and run on the active
 * backend, which is wasm whenever a wasm kernel runs.
 */
import * as tf from '@tensorflow/tfjs';
// The replacements wrap this package's kernels, so it must have registered them first.
import '@tensorflow/tfjs-backend-wasm';
import { BatchMatMul, Cast, Conv2DBackpropInput, Identity, Mean, Reverse, Sum, Tile, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs';
import { batchMatMulWasmConfig } from './batchMatMulWasm';
import { broadcastBinaryWasmConfig, SLOW_BROADCAST_KERNELS } from './broadcastBinaryWasm';
import { conv2dBackpropFilterWasmConfig } from './conv2dBackpropFilterWasm';
import { conv2dBackpropInputWasmConfig } from './conv2dBackpropInputWasm';
import { depthwiseConv2dBackpropFilterWasmConfig } from './depthwiseConv2dBackpropFilterWasm';
import { depthwiseConv2dBackpropInputWasmConfig } from './depthwiseConv2dBackpropInputWasm';
import { castWasmConfig, identityWasmConfig } from './identityWasm';
import { meanWasmConfig, sumWasmConfig } from './reduceWasm';
import { reverseWasmConfig } from './reverseWasm';
import { tileWasmConfig } from './tileWasm';

const BACKEND = 'wasm';

/** Replacements wrap the backend's own kernel and fall back to it for cases they do not cover. */
const REPLACEMENTS: Array<[string, (original: KernelConfig) => KernelConfig]> = [
  [Conv2DBackpropInput, conv2dBackpropInputWasmConfig],
  [Tile, tileWasmConfig],
  [BatchMatMul, batchMatMulWasmConfig],
  [Sum, sumWasmConfig],
  [Mean, meanWasmConfig],
  [Identity, identityWasmConfig],
  [Cast, castWasmConfig],
  [Reverse, reverseWasmConfig],
  ...SLOW_BROADCAST_KERNELS.map((name) => [name, broadcastBinaryWasmConfig] as [string, (c: KernelConfig) => KernelConfig]),
];

/** Kernels 4.22 lacks; one that a later tfjs-backend-wasm brings is kept. */
const MISSING: KernelConfig[] = [
  conv2dBackpropFilterWasmConfig,
  depthwiseConv2dBackpropFilterWasmConfig,
  depthwiseConv2dBackpropInputWasmConfig,
];

/** Kernel functions installed by this module, so a second call changes nothing. */
const installed = new Set<KernelFunc>();

function install(config: KernelConfig): void {
  tf.registerKernel(config);
  installed.add(config.kernelFunc);
}

/**
 * Registers the training kernels for the wasm backend. Idempotent; call it
 * before or after the backend is initialised (tfNode.initNodeBackend does).
 * A missing kernel that a later tfjs-backend-wasm brings (Conv2DBackpropFilter,
 * the depthwise gradients) is kept.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of MISSING) {
    if (tf.getKernel(config.kernelName, BACKEND) == null) install(config);
  }
  for (const [name, replace] of REPLACEMENTS) {
    const original = tf.getKernel(name, BACKEND);
    if (original == null || installed.has(original.kernelFunc)) continue;
    tf.unregisterKernel(name, BACKEND);
    install(replace(original));
  }
}

/** True when registerWasmTrainingKernels has installed its kernel for `kernelName`. */
export function isWasmTrainingKernel(kernelName: string): boolean {
  const k = tf.getKernel(kernelName, BACKEND);
  return k != null && installed.has(k.kernelFunc);
}
