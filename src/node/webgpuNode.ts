/**
 * The tfjs webgpu backend in Node, through Dawn (the optional npm package `webgpu`, whose
 * dawn.node binary ships inside it): the CLI's and the benchmark's GPU path.
 *
 * Adapter: the best GPU Dawn finds (powerPreference 'high-performance'). With none, Dawn's
 * Vulkan backend can run on a software Vulkan driver: when VK_ICD_FILENAMES is not set and a
 * SwiftShader driver is on the machine (Chromium ships vk_swiftshader_icd.json beside its
 * binary), it is tried next and reported as a fallback adapter. Dawn refuses Mesa's lavapipe
 * before Mesa 23 ("Vulkan shaderUniform*ArrayDynamicIndexing required"). No adapter at all ->
 * NoWebgpuAdapterError, whose message says what was tried and what to do.
 *
 * tfjs-backend-webgpu registers its 'webgpu' backend only when navigator.gpu exists at import
 * time, so navigator.gpu is set first and the package is imported after; the backend is
 * registered again here on the adapter found, so an earlier import does not matter.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { registerWebgpuTrainingKernels } from '../core/backend/webgpuKernels';

export interface NodeWebgpuAdapter {
  vendor: string;
  architecture: string;
  description: string;
  /** A software adapter (SwiftShader): correct, and far slower than a GPU. */
  isFallbackAdapter: boolean;
  /** The software Vulkan driver file used, when the adapter came from one. */
  icd?: string;
}

/** What is used of the package `webgpu` (its index.js: create(flags) -> a navigator.gpu). */
export interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<AdapterLike | null>;
}

interface AdapterLike {
  info?: { vendor?: string; architecture?: string; description?: string; device?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
  features: { has(name: string): boolean };
  limits: Record<string, number>;
  requestDevice(descriptor?: unknown): Promise<unknown>;
}

export class NoWebgpuAdapterError extends Error {}

/** Where a SwiftShader Vulkan driver may be found: beside $CHROMIUM_PATH, then where distributions put Chromium and Chrome. */
export function swiftshaderIcdCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const beside = env.CHROMIUM_PATH ? [join(dirname(env.CHROMIUM_PATH), 'vk_swiftshader_icd.json')] : [];
  return [...beside, '/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib/chromium-browser/vk_swiftshader_icd.json', '/opt/google/chrome/vk_swiftshader_icd.json'];
}

export interface StartOptions {
  /** Loads the package `webgpu` (tests pass a stand-in). */
  load?: () => Promise<DawnModule>;
  /** Software Vulkan drivers to try when Dawn finds no adapter; [] tries none. */
  icdCandidates?: string[];
  env?: NodeJS.ProcessEnv;
}

/** Imports the package `webgpu` (the name is a parameter for tests), or says how to install it. */
export async function loadDawn(name = 'webgpu'): Promise<DawnModule> {
  try {
    // A variable specifier also keeps bundlers and tsc from resolving the optional package.
    return (await import(name)) as DawnModule;
  } catch (err) {
    throw new NoWebgpuAdapterError(
      `WebGPU in Node needs the npm package 'webgpu' (Dawn), an optional dependency that is not installed here ` +
        `(${(err as Error).message.split('\n')[0]}). Run: npm install webgpu. Or train on --backend wasm.`,
    );
  }
}

function describe(a: AdapterLike, icd?: string): NodeWebgpuAdapter {
  const info = a.info ?? {};
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    description: info.description || info.device || '',
    isFallbackAdapter: Boolean(info.isFallbackAdapter ?? a.isFallbackAdapter),
    ...(icd && { icd }),
  };
}

/** Dawn's 'null' backend answers with an adapter that computes nothing: never take it. */
const usable = (a: AdapterLike | null): a is AdapterLike => a != null && a.info?.device !== 'null-backend';

/** The first adapter Dawn offers: a GPU, else one on a software Vulkan driver; throws when there is none. */
export async function findNodeAdapter(o: StartOptions = {}): Promise<{ gpu: GpuLike; adapter: AdapterLike; report: NodeWebgpuAdapter; dawn: DawnModule }> {
  const env = o.env ?? process.env;
  const dawn = await (o.load ?? (() => loadDawn()))();
  let gpu = dawn.create([]);
  let adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (usable(adapter)) return { gpu, adapter, report: describe(adapter), dawn };
  const tried: string[] = [];
  if (!env.VK_ICD_FILENAMES) {
    for (const icd of (o.icdCandidates ?? swiftshaderIcdCandidates(env)).filter((p) => existsSync(p))) {
      // The Vulkan loader reads this when Dawn creates its instance, so a new create() sees it.
      env.VK_ICD_FILENAMES = icd;
      gpu = dawn.create([]);
      adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
      if (usable(adapter)) return { gpu, adapter, report: describe(adapter, icd), dawn };
      tried.push(icd);
      delete env.VK_ICD_FILENAMES;
    }
  }
  const software = env.VK_ICD_FILENAMES
    ? `nor on the Vulkan driver VK_ICD_FILENAMES names (${env.VK_ICD_FILENAMES})`
    : tried.length
      ? `nor on the SwiftShader driver${tried.length > 1 ? 's' : ''} at ${tried.join(', ')}`
      : 'and no SwiftShader Vulkan driver was found to fall back on (Chromium ships one: vk_swiftshader_icd.json beside its binary)';
  throw new NoWebgpuAdapterError(
    `No WebGPU adapter found: Dawn (the npm package 'webgpu') sees no GPU it can use on this machine, ${software}. ` +
      `On a machine with a GPU, check its Vulkan driver (vulkaninfo); for a software adapter set VK_ICD_FILENAMES to a ` +
      `SwiftShader vk_swiftshader_icd.json (slow: tests only). Or train on --backend wasm.`,
  );
}

let active: { gpu: GpuLike; report: NodeWebgpuAdapter } | null = null;

/**
 * Makes the tfjs 'webgpu' backend active in Node on Dawn's adapter, with the project's webgpu
 * training kernels. Returns the adapter used; throws NoWebgpuAdapterError (in words) without one.
 */
export async function startNodeWebgpu(o: StartOptions = {}): Promise<NodeWebgpuAdapter> {
  if (active && (await tf.setBackend('webgpu'))) return active.report;
  const { gpu, adapter, report, dawn } = await findNodeAdapter(o);
  // GPUBufferUsage, GPUMapMode, GPUShaderStage… as in a browser, then navigator.gpu.
  Object.assign(globalThis, dawn.globals);
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  registerWebgpuTrainingKernels();
  // The device as the package's own factory asks for it (its limits raised to the adapter's).
  const limits = adapter.limits;
  const requiredLimits = Object.fromEntries(
    ['maxComputeWorkgroupStorageSize', 'maxComputeWorkgroupsPerDimension', 'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupSizeX', 'maxComputeInvocationsPerWorkgroup'].map((k) => [k, limits[k]]),
  );
  const requiredFeatures = ['timestamp-query'].filter((f) => adapter.features.has(f));
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', async () => {
    const device = await adapter.requestDevice({ requiredFeatures, requiredLimits });
    return new WebGPUBackend(device as ConstructorParameters<typeof WebGPUBackend>[0], adapter.info as ConstructorParameters<typeof WebGPUBackend>[1]);
  });
  const ok = await tf.setBackend('webgpu');
  await tf.ready();
  if (!ok || tf.getBackend() !== 'webgpu') throw new Error(`The tfjs webgpu backend did not start on ${report.description || 'the adapter'} (active backend: ${tf.getBackend()}).`);
  active = { gpu, report };
  return report;
}

/** The adapter the running Node webgpu backend uses, or null. */
export function nodeWebgpuAdapter(): NodeWebgpuAdapter | null {
  return active?.report ?? null;
}

/** One line for the console: the adapter, and a warning for a software one. */
export function describeNodeAdapter(a: NodeWebgpuAdapter): string {
  const name = [a.vendor, a.architecture, a.description].filter(Boolean).join(' / ') || 'unnamed adapter';
  return `WebGPU adapter (Dawn): ${name}` + (a.isFallbackAdapter ? ` — a software fallback${a.icd ? ` (${a.icd})` : ''}: correct, but far slower than wasm` : '');
}

/**
 * Lets the process exit: Dawn keeps Node alive while navigator.gpu holds its instance. Frees
 * the backend (and its device) and drops the reference.
 */
export function stopNodeWebgpu(): void {
  if (!active) return;
  if (tf.findBackend('webgpu')) tf.removeBackend('webgpu');
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  if (nav) delete nav.gpu;
  active = null;
}
