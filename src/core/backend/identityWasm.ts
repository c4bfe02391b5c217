/**
 * Identity, and Cast to the same dtype, for the wasm backend without a copy.
 * The 4.22 kernels copy the whole tensor, and the engine runs Identity on
 * every tensor the gradient tape saves for the backward pass (tf.clone):
 * ~35% of a MobileNetV2 training step here, ~1650 copies. Tensors are never
 * written in place, so the output can share the input's data, as Reshape
 * already does on wasm and Identity does on the cpu and webgl backends; the
 * shared data is freed when the last tensor holding it is disposed.
 */
import { Cast, Identity, type CastAttrs, type KernelBackend, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';

function share(x: TensorInfo, backend: KernelBackend): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

function makeIdentity(original: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend } = args as unknown as { inputs: { x: TensorInfo }; backend: KernelBackend };
    return inputs.x.dtype === 'string' ? original(args) : share(inputs.x, backend);
  };
}

function makeCast(original: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as { inputs: { x: TensorInfo }; backend: KernelBackend; attrs: CastAttrs };
    const { x } = inputs;
    return x.dtype === attrs.dtype && x.dtype !== 'string' ? share(x, backend) : original(args);
  };
}

/** The replacement configs; setup/dispose stay those of the original kernels. */
export function identityWasmConfig(original: KernelConfig): KernelConfig {
  return { ...original, kernelName: Identity, kernelFunc: makeIdentity(original.kernelFunc) };
}

export function castWasmConfig(original: KernelConfig): KernelConfig {
  return { ...original, kernelName: Cast, kernelFunc: makeCast(original.kernelFunc) };
}
