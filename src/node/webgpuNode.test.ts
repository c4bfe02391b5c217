/**
 * Finding a WebGPU adapter in Node, without a GPU: Dawn (the package `webgpu`) is replaced by
 * stand-ins that answer as Dawn does on a machine with no GPU, with only a software Vulkan
 * driver, or with only its 'null' backend; the CLI's flags for the backend.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../cli/args';
import { describeNodeAdapter, findNodeAdapter, loadDawn, NoWebgpuAdapterError, swiftshaderIcdCandidates, type DawnModule } from './webgpuNode';

type Info = { vendor: string; architecture: string; description: string; device?: string; isFallbackAdapter: boolean };

/** Dawn as seen from JS: each create() reads VK_ICD_FILENAMES from `env`, as the Vulkan loader does. */
function fakeDawn(env: NodeJS.ProcessEnv, adapterFor: (icd: string | undefined) => Info | null): DawnModule & { creates: (string | undefined)[] } {
  const creates: (string | undefined)[] = [];
  return {
    creates,
    globals: {},
    create() {
      const icd = env.VK_ICD_FILENAMES;
      creates.push(icd);
      return {
        requestAdapter: async () => {
          const info = adapterFor(icd);
          return info && { info, features: { has: () => false }, limits: {}, requestDevice: async () => ({}) };
        },
      };
    },
  };
}

let dir: string;
let icd: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'webgpu-node-'));
  icd = join(dir, 'vk_swiftshader_icd.json');
  await writeFile(icd, '{"file_format_version": "1.0.0", "ICD": {"library_path": "./libvk_swiftshader.so"}}');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('findNodeAdapter', () => {
  it('no adapter and no software driver: a NoWebgpuAdapterError that says so and what to do', async () => {
    const env: NodeJS.ProcessEnv = {};
    const dawn = fakeDawn(env, () => null);
    const err = await findNodeAdapter({ load: async () => dawn, icdCandidates: [join(dir, 'missing.json')], env }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoWebgpuAdapterError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^No WebGPU adapter found: Dawn \(the npm package 'webgpu'\) sees no GPU/);
    expect(msg).toContain('no SwiftShader Vulkan driver was found');
    expect(msg).toContain('VK_ICD_FILENAMES');
    expect(msg).toContain('--backend wasm');
    expect(dawn.creates).toEqual([undefined]);
  });

  it('a software driver that gives no adapter either: named in the message, and VK_ICD_FILENAMES put back', async () => {
    const env: NodeJS.ProcessEnv = {};
    const dawn = fakeDawn(env, () => null);
    const msg = await findNodeAdapter({ load: async () => dawn, icdCandidates: [icd], env }).then(
      () => '',
      (e: Error) => e.message,
    );
    expect(msg).toContain(`nor on the SwiftShader driver at ${icd}`);
    expect(dawn.creates).toEqual([undefined, icd]);
    expect(env.VK_ICD_FILENAMES).toBeUndefined();
  });

  it('a driver the user named with VK_ICD_FILENAMES is not replaced, and is named when it gives nothing', async () => {
    const env: NodeJS.ProcessEnv = { VK_ICD_FILENAMES: '/etc/vulkan/icd.d/mine.json' };
    const dawn = fakeDawn(env, () => null);
    const msg = await findNodeAdapter({ load: async () => dawn, icdCandidates: [icd], env }).then(
      () => '',
      (e: Error) => e.message,
    );
    expect(msg).toContain('nor on the Vulkan driver VK_ICD_FILENAMES names (/etc/vulkan/icd.d/mine.json)');
    expect(dawn.creates).toEqual(['/etc/vulkan/icd.d/mine.json']);
  });

  it("Dawn's null backend (an adapter that computes nothing) counts as no adapter", async () => {
    const env: NodeJS.ProcessEnv = {};
    const dawn = fakeDawn(env, () => ({ vendor: '', architecture: '', description: '', device: 'null-backend', isFallbackAdapter: false }));
    await expect(findNodeAdapter({ load: async () => dawn, icdCandidates: [], env })).rejects.toThrow(NoWebgpuAdapterError);
  });

  it('no GPU, but SwiftShader: its adapter, reported as a fallback with the driver file', async () => {
    const env: NodeJS.ProcessEnv = {};
    const swiftshader: Info = { vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0', isFallbackAdapter: true };
    const dawn = fakeDawn(env, (i) => (i === icd ? swiftshader : null));
    const { report } = await findNodeAdapter({ load: async () => dawn, icdCandidates: [join(dir, 'missing.json'), icd], env });
    expect(report).toEqual({ ...swiftshader, icd });
    expect(describeNodeAdapter(report)).toBe(
      `WebGPU adapter (Dawn): google / swiftshader / SwiftShader driver 5.0.0 — a software fallback (${icd}): correct, but far slower than wasm`,
    );
  });

  it('a GPU: taken at once, no software driver tried', async () => {
    const env: NodeJS.ProcessEnv = {};
    const gpu: Info = { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200', isFallbackAdapter: false };
    const dawn = fakeDawn(env, (i) => (i === undefined ? gpu : null));
    const { report } = await findNodeAdapter({ load: async () => dawn, icdCandidates: [icd], env });
    expect(report).toEqual(gpu);
    expect(dawn.creates).toEqual([undefined]);
    expect(describeNodeAdapter(report)).toBe('WebGPU adapter (Dawn): nvidia / hopper / NVIDIA H200');
  });

  it('the package missing: says how to install it', async () => {
    const err = await loadDawn('webgpu-package-that-is-not-installed').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoWebgpuAdapterError);
    expect((err as Error).message).toMatch(/^WebGPU in Node needs the npm package 'webgpu' \(Dawn\), an optional dependency that is not installed here \(.*webgpu-package-that-is-not-installed.*\)\. Run: npm install webgpu\. Or train on --backend wasm\.$/);
  });

  it('looks for SwiftShader beside CHROMIUM_PATH first', () => {
    expect(swiftshaderIcdCandidates({ CHROMIUM_PATH: '/opt/chromium/chrome' })[0]).toBe('/opt/chromium/vk_swiftshader_icd.json');
    expect(swiftshaderIcdCandidates({})).toContain('/usr/lib/chromium/vk_swiftshader_icd.json');
  });
});

describe('CLI backend flags', () => {
  it('--backend webgpu, --backend node-webgpu and --node-webgpu choose webgpu; others are refused in words', () => {
    expect(parseArgs(['--backend', 'webgpu']).backend).toBe('webgpu');
    expect(parseArgs(['--backend', 'node-webgpu']).backend).toBe('webgpu');
    expect(parseArgs(['--node-webgpu']).backend).toBe('webgpu');
    expect(parseArgs([]).backend).toBe('wasm');
    expect(() => parseArgs(['--backend', 'webgl'])).toThrow('--backend must be wasm, cpu or webgpu in Node (got webgl).');
  });
});
