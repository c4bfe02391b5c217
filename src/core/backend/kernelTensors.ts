/**
 * Helpers for kernels written with tf ops (see wasmKernels.ts). A kernel gets
 * TensorInfos (data ids), not Tensors; ops need Tensors.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs';

/**
 * Wraps a kernel input as a Tensor that tf ops accept. The engine's wrapper
 * does not take a reference on the data, yet disposing it releases one — that
 * would free the caller's tensor. So we take a reference here: disposing the
 * wrapper (e.g. at the end of a tf.tidy) then leaves the caller's tensor intact.
 */
export function asTensor(info: TensorInfo, backend: KernelBackend): tf.Tensor {
  const t = tf.engine().makeTensorFromTensorInfo(info, backend);
  backend.incRef(info.dataId);
  return t;
}

/** The parts of tfjs-backend-wasm's BackendWasm that kernels over its heap use. */
interface HeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

/**
 * A new float32 output on the wasm heap, and float32 views of it and of `inputs` for a kernel
 * written in JavaScript over the heap. The views are taken after the allocation, which may grow
 * the heap and detach older views; use them before anything else allocates.
 */
export function heapOutput(backend: KernelBackend, shape: number[], inputs: TensorInfo[]): { out: TensorInfo; outView: Float32Array; views: Float32Array[] } {
  const heap = backend as unknown as HeapBackend;
  const out = heap.makeOutput(shape, 'float32');
  return { out, outView: heap.typedArrayFromHeap(out), views: inputs.map((t) => heap.typedArrayFromHeap(t)) };
}
