/**
 * TensorFlow.js set-up for Node (CLI, benchmarks, tests).
 *
 * Backends: 'wasm' (default) runs the XNNPACK kernels of
 * @tensorflow/tfjs-backend-wasm plus our training kernels (core/backend/
 * wasmKernels.ts); on bench/convStep.ts it is >100x faster than the pure-JS
 * 'cpu' backend, which serves as the reference implementation.
 *
 * Threads: in Node the wasm backend always runs the single-threaded SIMD
 * binary (tfjs-backend-wasm-simd.wasm). Its WASM_HAS_MULTITHREAD_SUPPORT flag
 * is hard-wired to false under Node (tensorflow/tfjs#3830); forcing it to true
 * makes initialisation fail with ERR_WORKER_PATH, because the threaded build
 * starts its workers from blob: URLs that Node's worker_threads refuse. So
 * setThreadsCount() would have no effect here and we do not call it. (In a
 * cross-origin-isolated browser page the threaded binary is used, and XNNPACK
 * takes one thread per logical core unless setThreadsCount says otherwise.)
 *
 * The "Hi, looks like you are running TensorFlow.js in Node.js" banner comes
 * from the cpu backend's first tensor write; it never shows with 'wasm'. The
 * only switch that hides it, tf.enableProdMode(), also hides every other tfjs
 * warning, so with 'cpu' we leave it.
 *
 * 'webgpu' runs tfjs's webgpu backend on Dawn (the optional npm package `webgpu`): a GPU when
 * the machine has one, else a software adapter when one is found (webgpuNode.ts).
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../core/backend/wasmKernels';
import { startNodeWebgpu } from './webgpuNode';

export type NodeBackendName = 'wasm' | 'cpu' | 'webgpu';

let wasmPathsSet = false;

/** The folder holding the package's .wasm binaries, with a trailing slash. */
export function wasmBinaryDir(): string {
  const require = createRequire(import.meta.url);
  // The package's Node entry (dist/tf-backend-wasm.node.js) sits next to the binaries.
  return `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`;
}

/**
 * Makes `name` the active tfjs backend in Node and waits until it is ready.
 * Safe to call again, also to switch between backends.
 * Returns the name of the backend now active.
 */
export async function initNodeBackend(name: NodeBackendName = 'wasm'): Promise<string> {
  // Done for 'cpu' too, so that a later switch to wasm finds both in place.
  // setWasmPaths must run before the wasm backend is first initialised.
  if (!wasmPathsSet) {
    setWasmPaths(wasmBinaryDir());
    wasmPathsSet = true;
  }
  registerWasmTrainingKernels();
  // Throws NoWebgpuAdapterError, in words, when Dawn finds no adapter.
  if (name === 'webgpu') {
    await startNodeWebgpu();
    return tf.getBackend();
  }
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (!ok || tf.getBackend() !== name) {
    throw new Error(
      `Could not start the TensorFlow.js '${name}' backend in Node (active backend: ${tf.getBackend()}). ` +
        (name === 'wasm'
          ? `Check that @tensorflow/tfjs-backend-wasm is installed and that ${wasmBinaryDir()} holds its .wasm files.`
          : 'Check that @tensorflow/tfjs is installed.'),
    );
  }
  return tf.getBackend();
}
