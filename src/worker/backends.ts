/**
 * The browser's TensorFlow.js backends, as a BackendPlatform for backendSelection.ts:
 * webgpu (its package registers it when navigator.gpu exists), webgl and cpu (in
 * @tensorflow/tfjs), wasm with binaries that Vite serves (?url) and the engine's
 * training kernels registered, and webgpu with its tiled conv filter gradient.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { registerWasmTrainingKernels } from '../core/backend/wasmKernels';
import { registerWebgpuTrainingKernels } from '../core/backend/webgpuKernels';
import type { TrainConfig } from '../core/train/config';
import { createCohort } from '../core/train/cohort';
import { netInputSize } from '../core/data/inputMode';
import { MODEL_INFO } from '../core/models/info';
import type { AdapterReport, BackendPlatform, StepTiming } from './backendSelection';
import type { BackendName, WasmReport } from './protocol';
import { yieldToEventLoop } from './yieldToEventLoop';

/** Steps timed after the warm-up one. */
const TIMED_STEPS = 2;

// Wraps the kernels the webgpu package registered on import (above).
registerWebgpuTrainingKernels();

let wasmPathsSet = false;
/** Threads asked of the wasm backend; null: every core but one (see wantedThreads). */
let wasmThreadsWanted: number | null = null;
/** tfjs's threadpool never has more threads than the 8 pthread workers its binary pre-creates. */
const MAX_WASM_THREADS = 8;

/**
 * Threads for the wasm backend (each training worker starts it once): null for every core but
 * one, 1 for the threaded binary run single-threaded (tests compare the two).
 */
export function setWasmThreads(threads: number | null): void {
  wasmThreadsWanted = threads;
}

function prepareWasm(): void {
  // Must happen before the wasm backend's first initialisation.
  if (!wasmPathsSet) {
    setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmUrl,
      'tfjs-backend-wasm-simd.wasm': simdUrl,
      'tfjs-backend-wasm-threaded-simd.wasm': threadedSimdUrl,
    });
    wasmPathsSet = true;
  }
  registerWasmTrainingKernels();
}

/**
 * The threads the wasm backend should use: every core the browser reports but one, which the
 * page keeps for drawing the live charts (and the browser for itself), within tfjs's pool.
 * Measured on a 2-core machine (`npm run bench:presets -- --presets "Quick demo"`): the Quick
 * demo took 133 s on 2 threads and 72 s on 1; tfjs's pthreads wait on each other when the page
 * takes a core, and the tiny net's step was no faster on 2 threads even with the page idle.
 */
function wantedThreads(): number {
  const cores = globalThis.navigator?.hardwareConcurrency || 1;
  return Math.max(1, Math.min(wasmThreadsWanted ?? cores - 1, MAX_WASM_THREADS));
}

/**
 * tfjs-backend-wasm 4.22 caps its threadpool at half of navigator.hardwareConcurrency
 * (read once, while the module starts), whatever setThreadsCount asks: on a 2-core machine
 * the threaded binary would run one thread. While the backend initialises, the worker's
 * navigator reports twice the wanted count, so the cap lets it through; then it is put back.
 */
async function withThreadsAllowed<T>(threads: number, f: () => Promise<T>): Promise<T> {
  const nav = globalThis.navigator as Navigator | undefined;
  if (!nav) return f();
  setThreadsCount(threads);
  Object.defineProperty(nav, 'hardwareConcurrency', { value: 2 * threads, configurable: true });
  try {
    return await f();
  } finally {
    delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}

/** Which wasm binary tfjs picks here (its own feature tests) and, when not the threaded one, why. */
async function wasmBinary(): Promise<Omit<WasmReport, 'threads'>> {
  const [simd, threads] = await Promise.all([
    tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') as Promise<boolean>,
    tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT') as Promise<boolean>,
  ]);
  if (simd && threads) return { binary: 'threaded-simd' };
  const noThreads = !(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated
    ? 'the page is not cross-origin isolated (the server sends no Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp headers), so the browser allows no shared memory between threads'
    : 'this browser has no WebAssembly threads';
  if (!simd) return { binary: 'plain', why: `this browser has no WebAssembly SIMD${threads ? '' : `, and ${noThreads}`}` };
  return { binary: 'simd', why: noThreads };
}

let wasmReport: WasmReport | null = null;

/** The running wasm backend's binary and thread count (null before it has started). */
export function wasmRuntime(): WasmReport | null {
  return wasmReport;
}

async function startWasm(): Promise<boolean> {
  const binary = await wasmBinary();
  const threads = binary.binary === 'threaded-simd' ? wantedThreads() : 1;
  const ok = await withThreadsAllowed(threads, () => tf.setBackend('wasm'));
  if (ok) {
    // What tfjs's threadpool really got, not what was asked.
    const got = getThreadsCount();
    wasmReport = { ...binary, threads: got };
    if (binary.binary === 'threaded-simd' && got < threads) wasmReport.why = `tfjs started ${got} of the ${threads} threads asked for`;
  }
  return ok;
}

function gpu(): GPU | undefined {
  return (globalThis.navigator as Navigator & { gpu?: GPU }).gpu;
}

let adapterPromise: Promise<AdapterReport | undefined> | null = null;

/** Vendor, architecture, description and isFallbackAdapter (on adapter.info since Chrome 136, on the adapter before). */
function readAdapter(): Promise<AdapterReport | undefined> {
  return (adapterPromise ??= (async () => {
    const g = gpu();
    if (!g) return undefined;
    try {
      const a = await g.requestAdapter({ powerPreference: 'high-performance' });
      if (!a) return undefined;
      const info = ('info' in a ? a.info : undefined) as (GPUAdapterInfo & { isFallbackAdapter?: boolean }) | undefined;
      const legacy = (a as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter;
      return {
        vendor: info?.vendor ?? '',
        architecture: info?.architecture ?? '',
        description: info?.description ?? '',
        isFallbackAdapter: Boolean(info?.isFallbackAdapter ?? legacy),
      };
    } catch {
      return undefined;
    }
  })());
}

/** tfjs reports a failed initialisation with console.warn only; keep those words for the user. */
async function withWarnings<T>(f: () => Promise<T>): Promise<{ value: T; warnings: string[] }> {
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => {
    warnings.push(args.map(String).join(' '));
    original.apply(console, args);
  };
  try {
    return { value: await f(), warnings };
  } finally {
    console.warn = original;
  }
}

export async function startBackend(name: BackendName): Promise<string | null> {
  if (name === 'webgpu') {
    if (!gpu()) return 'this browser has no WebGPU';
    if (!(await readAdapter())) return 'the browser offers no WebGPU adapter (no usable GPU, or WebGPU is switched off)';
  }
  if (name === 'webgl' && typeof OffscreenCanvas === 'undefined') return 'this browser gives workers no OffscreenCanvas for WebGL';
  if (name === 'wasm') prepareWasm();
  if (!tf.findBackendFactory(name)) return 'it is not part of this build';
  try {
    const { value: ok, warnings } = await withWarnings(() => (name === 'wasm' ? startWasm() : tf.setBackend(name)));
    if (ok && tf.getBackend() === name) return null;
    // The second warning is the error's stack: its first line is the message.
    const detail = warnings[1]?.split('\n')[0] ?? warnings[0];
    return detail ? `it failed to initialise (${detail})` : 'it failed to initialise';
  } catch (err) {
    return `it failed to initialise (${(err as Error).message})`;
  }
}

/** Warm-up step, then TIMED_STEPS timed ones, of a throwaway one-network cohort on random data. */
async function measureActive(config: TrainConfig, cutoffMs: number, backbone?: tf.LayersModel): Promise<StepTiming> {
  const [h, w] = netInputSize(config.input, MODEL_INFO[config.model].patchSize);
  const cohort = createCohort('baseline', config, undefined, backbone);
  const x = tf.randomNormal([config.batchSize, h, w, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const y = tf.randomUniform([config.batchSize], 1, 5, 'float32', 2) as tf.Tensor1D;
  try {
    let t = performance.now();
    await cohort.step(x, y);
    const firstMs = performance.now() - t;
    if (firstMs > cutoffMs) return { firstMs };
    await yieldToEventLoop();
    t = performance.now();
    for (let i = 0; i < TIMED_STEPS; i++) await cohort.step(x, y);
    return { firstMs, msPerStep: (performance.now() - t) / TIMED_STEPS };
  } finally {
    x.dispose();
    y.dispose();
    cohort.dispose();
  }
}

export const browserPlatform: BackendPlatform = {
  adapter: readAdapter,
  start: startBackend,
  measure: measureActive,
};

/** The machine and browser, for remembering a choice (the adapter is added by choiceKey). */
export function deviceId(): string {
  const n = globalThis.navigator;
  return `${n?.userAgent ?? 'unknown'}|${n?.hardwareConcurrency ?? 0} cores`;
}

export interface DeviceLossWatch {
  /** Resolves with the reason once the WebGPU device is lost, or with null after `ms`. */
  lostWithin(ms: number): Promise<string | null>;
  /** Destroy the device (tests: stands in for a driver reset). */
  lose(): void;
}

/** Watch the active WebGPU backend's device; null on other backends. */
export function watchDeviceLoss(): DeviceLossWatch | null {
  const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
  if (tf.getBackend() !== 'webgpu' || !device) return null;
  let reason: string | null = null;
  const lost = device.lost.then((info) => (reason = `${info.reason}${info.message ? `: ${info.message}` : ''}`));
  return {
    async lostWithin(ms) {
      if (reason === null) await Promise.race([lost, new Promise((r) => setTimeout(r, ms))]);
      return reason;
    },
    lose: () => device.destroy(),
  };
}
