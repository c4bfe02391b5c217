/**
 * Helpers shared by the backend kernel tests (wasmKernels.test.ts,
 * depthwiseWasm.test.ts): seeded inputs, running a computation on a given
 * backend, and comparing against the cpu reference.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { makeRng } from '../rng';

export type Backend = 'wasm' | 'cpu';

export function randomValues(n: number, seed: number): Float32Array {
  const rng = makeRng(seed);
  return Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
}

/** Runs f with `backend` active and returns its result as plain arrays. */
export async function on<T>(backend: Backend, f: () => T): Promise<T> {
  await tf.setBackend(backend);
  expect(tf.getBackend()).toBe(backend);
  return f();
}

/**
 * max |a - b| / max |a|: the error relative to the reference's scale, which is
 * taken as at least `floor` (for tensors that are zero up to rounding).
 */
export function relDiff(ref: ArrayLike<number>, got: ArrayLike<number>, floor = 0): number {
  expect(got.length).toBe(ref.length);
  let diff = 0;
  let scale = floor;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(ref[i]! - got[i]!));
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  expect(scale).toBeGreaterThan(0); // an all-zero reference would prove nothing
  return diff / scale;
}

/**
 * Runs a kernel on wasm and checks that it leaves its inputs as they were and
 * allocates exactly one tensor (its output), which is not all zeros.
 */
export async function expectOnlyOutputAllocated(make: () => tf.Tensor[], run: (inputs: tf.Tensor[]) => tf.Tensor): Promise<void> {
  await tf.setBackend('wasm');
  const inputs = make();
  const values = inputs.map((x) => Array.from(x.dataSync()));
  const tensors = tf.memory().numTensors;
  const dataIds = tf.engine().backend.numDataIds();
  const out = run(inputs);
  expect(tf.memory().numTensors).toBe(tensors + 1);
  expect(tf.engine().backend.numDataIds()).toBe(dataIds + 1);
  inputs.forEach((x, i) => expect(Array.from(x.dataSync())).toEqual(values[i]));
  expect(out.dataSync().some((v) => v !== 0)).toBe(true);
  tf.dispose([out, ...inputs]);
}
