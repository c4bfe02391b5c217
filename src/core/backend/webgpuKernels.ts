/**
 * Training kernels for the tfjs webgpu backend (@tensorflow/tfjs-backend-webgpu 4.22), in the
 * browser and in Node (Dawn, the npm package `webgpu`).
 *
 * Replaced: Conv2DBackpropFilter, whose 4.22 program runs one thread per filter weight and
 * leaves a GPU nearly idle on the wide early layers -> a tiled matrix product with the
 * reduction split over workgroups (conv2dBackpropFilterWebgpu.ts). NCHW data goes to the
 * original kernel.
 *
 * Registered always, with no self-check at start-up: the browser test e2e/webgpuKernels.spec.ts
 * compares it with the cpu backend on a table of shapes (and a whole training step), on the
 * SwiftShader adapter. The input gradient (Conv2DBackpropInput) is 4.22's own: by default its
 * naive program, one thread per input element (enough threads for any layer), checked by the
 * same test at the small channel counts of early layers, with its matrix-product program.
 *
 * Call after @tensorflow/tfjs-backend-webgpu has been imported (it registers the kernels
 * that are wrapped here); this module does not import it, so that Node runs on wasm do not
 * load it.
 */
import * as tf from '@tensorflow/tfjs';
import { Conv2DBackpropFilter, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs';
import { conv2dBackpropFilterWebgpuConfig } from './conv2dBackpropFilterWebgpu';

const BACKEND = 'webgpu';

const REPLACEMENTS: Array<[string, (original?: KernelConfig) => KernelConfig]> = [[Conv2DBackpropFilter, conv2dBackpropFilterWebgpuConfig]];

const installed = new Set<KernelFunc>();
/** tfjs's own kernels that were replaced, to put back on request. */
const originals = new Map<string, KernelConfig>();

/**
 * Registers the training kernels for the webgpu backend. Idempotent; before or after the
 * backend is initialised. Without tfjs-backend-webgpu's own kernel (the package not
 * imported yet) the replacement is registered alone and takes NHWC float32 data only.
 */
export function registerWebgpuTrainingKernels(): void {
  for (const [name, replace] of REPLACEMENTS) {
    const current = tf.getKernel(name, BACKEND);
    if (current && installed.has(current.kernelFunc)) continue;
    if (current) {
      originals.set(name, current);
      tf.unregisterKernel(name, BACKEND);
    }
    const config = replace(current);
    tf.registerKernel(config);
    installed.add(config.kernelFunc);
  }
}

/** True when registerWebgpuTrainingKernels has installed its kernel for `kernelName`. */
export function isWebgpuTrainingKernel(kernelName: string): boolean {
  const k = tf.getKernel(kernelName, BACKEND);
  return k != null && installed.has(k.kernelFunc);
}

/** Puts tfjs's own kernels back (tests and benchmarks compare the two); registerWebgpuTrainingKernels undoes it. */
export function restoreTfjsWebgpuKernels(): void {
  for (const [name, original] of originals) {
    if (!isWebgpuTrainingKernel(name)) continue;
    tf.unregisterKernel(name, BACKEND);
    tf.registerKernel(original);
  }
}
