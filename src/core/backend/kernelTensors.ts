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
