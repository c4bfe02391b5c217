import { describe, expect, it } from 'vitest';
import { QUICK_DEMO, type TrainConfig } from '../core/train/config';
import { inMemoryChoiceMemory } from './backendMemory';
import { selectBackend, SelectionStopped, type AdapterReport, type BackendPlatform } from './backendSelection';
import { BackendError } from './describeError';
import type { BackendName } from './protocol';

const SWIFTSHADER: AdapterReport = { vendor: 'google', architecture: 'swiftshader', description: '', isFallbackAdapter: true };
const GPU: AdapterReport = { vendor: 'nvidia', architecture: 'ada', description: '', isFallbackAdapter: false };
const config: TrainConfig = { ...QUICK_DEMO, input: { kind: 'resize', width: 64, height: 64 } };

/** A platform where each backend starts (or not, with a reason) and takes a set time per step. */
function fakePlatform(spec: Partial<Record<BackendName, { fail?: string; firstMs?: number; ms?: number; throws?: string }>>, adapter: AdapterReport = GPU) {
  let active: BackendName | null = null;
  const started: BackendName[] = [];
  const measured: BackendName[] = [];
  const platform: BackendPlatform = {
    adapter: async () => adapter,
    start: async (n) => {
      started.push(n);
      const s = spec[n];
      if (!s || s.fail) return s?.fail ?? 'missing';
      active = n;
      return null;
    },
    measure: async (_c, cutoff) => {
      const s = spec[active!]!;
      measured.push(active!);
      if (s.throws) throw new Error(s.throws);
      const firstMs = s.firstMs ?? s.ms!;
      return firstMs > cutoff ? { firstMs } : { firstMs, msPerStep: s.ms };
    },
  };
  return { platform, started, measured, active: () => active };
}

const opts = (over = {}) => ({ choice: 'auto' as const, config, memory: inMemoryChoiceMemory(), device: 'test-ua|2 cores', ...over });

describe('selectBackend: auto', () => {
  it('times wasm first and skips a software (SwiftShader) GPU adapter once wasm trains', async () => {
    const f = fakePlatform({ webgpu: { firstMs: 900, ms: 450 }, webgl: { fail: 'no WebGL2 context' }, wasm: { ms: 50 }, cpu: { ms: 800 } }, SWIFTSHADER);
    const { report, fallbacks } = await selectBackend(opts(), f.platform);
    expect(report.name).toBe('wasm');
    expect(f.active()).toBe('wasm');
    expect(report.adapter).toEqual(SWIFTSHADER);
    expect(report.reason).toMatch(/Fastest of 1 backend timed on tiny at 64×64, batch 8: 50 ms per training step/);
    const software = 'not timed: the only GPU adapter is a software fallback (e.g. SwiftShader), far slower than wasm; choose it to use it anyway';
    expect(report.candidates).toEqual([
      { name: 'webgpu', skipped: software },
      { name: 'webgl', skipped: software },
      { name: 'wasm', msPerStep: 50 },
      { name: 'cpu', skipped: 'not timed: the plain-JavaScript reference backend, used only when no other backend trains' },
    ]);
    expect(f.measured).toEqual(['wasm']);
    expect(fallbacks).toEqual(['webgpu', 'webgl', 'cpu']);
  });

  it('times every backend that starts on a real GPU adapter and takes the fastest, not the first', async () => {
    const f = fakePlatform({ webgpu: { firstMs: 90, ms: 20 }, webgl: { fail: 'no WebGL2 context' }, wasm: { ms: 50 }, cpu: { ms: 800 } });
    const { report } = await selectBackend(opts(), f.platform);
    expect(report.name).toBe('webgpu');
    expect(f.measured).toEqual(['wasm', 'webgpu']);
    expect(report.candidates[2]).toEqual({ name: 'wasm', msPerStep: 50, skipped: 'slower: 50 ms per step, 2.5× the time of webgpu' });
  });

  it('times cpu when nothing else trains', async () => {
    const f = fakePlatform({ webgpu: { fail: 'no adapter' }, wasm: { throws: 'no SIMD' }, cpu: { ms: 900 } });
    const { report } = await selectBackend(opts(), f.platform);
    expect(report.name).toBe('cpu');
    expect(report.candidates[3]).toEqual({ name: 'cpu', msPerStep: 900 });
  });

  it('picks a real GPU when it is faster', async () => {
    const f = fakePlatform({ webgpu: { firstMs: 3000, ms: 5 }, webgl: { ms: 12 }, wasm: { ms: 60 }, cpu: { ms: 900 } });
    expect((await selectBackend(opts(), f.platform)).report.name).toBe('webgpu');
  });

  it('does not finish timing a backend whose first step is far slower than the best so far', async () => {
    const f = fakePlatform({ webgpu: { firstMs: 30_000, ms: 400 }, wasm: { ms: 50 }, cpu: { ms: 800 } });
    const { report } = await selectBackend(opts(), f.platform);
    expect(report.candidates[0]).toEqual({ name: 'webgpu', skipped: 'slower: its first step alone took 30000 ms, against 50 ms per step on wasm' });
    expect(report.reason).toMatch(/^Fastest of 2 backends timed/);
  });

  it('reports a backend whose training step fails, and moves on', async () => {
    const f = fakePlatform({ webgpu: { throws: 'Kernel Conv2DBackpropFilter not registered' }, wasm: { ms: 50 } });
    const { report } = await selectBackend(opts(), f.platform);
    expect(report.name).toBe('wasm');
    expect(report.candidates[0]!.skipped).toBe('could not run a training step: Kernel Conv2DBackpropFilter not registered');
  });

  it('remembers the choice per device and model, and measures again when asked or when the model changes', async () => {
    const memory = inMemoryChoiceMemory();
    const spec = { webgpu: { ms: 450 }, wasm: { ms: 50 } };
    await selectBackend(opts({ memory }), fakePlatform(spec).platform);
    const again = fakePlatform(spec);
    const { report } = await selectBackend(opts({ memory }), again.platform);
    expect(report.name).toBe('wasm');
    expect(report.reason).toMatch(/^Remembered from a timing on \d{4}-\d\d-\d\d: the fastest here for tiny at 64×64, batch 8 \(50 ms per step\)/);
    expect(again.measured).toEqual([]);
    expect(report.candidates.find((c) => c.name === 'webgpu')!.msPerStep).toBe(450);

    const remeasure = fakePlatform(spec);
    await selectBackend(opts({ memory, remeasure: true }), remeasure.platform);
    expect(remeasure.measured).toEqual(['wasm', 'webgpu']);

    const bigger = fakePlatform(spec);
    await selectBackend(opts({ memory, config: { ...config, input: { kind: 'resize', width: 512, height: 384 } } }), bigger.platform);
    expect(bigger.measured.length).toBe(2);
    const otherDevice = fakePlatform(spec);
    await selectBackend(opts({ memory, device: 'other-ua|8 cores' }), otherDevice.platform);
    expect(otherDevice.measured.length).toBe(2);
  });

  it('stops timing when the user stops the run', async () => {
    let calls = 0;
    const f = fakePlatform({ webgpu: { ms: 450 }, wasm: { ms: 50 } });
    await expect(selectBackend(opts({ shouldStop: () => calls++ > 0 }), f.platform)).rejects.toBeInstanceOf(SelectionStopped);
    expect(f.measured).toEqual(['wasm']);
  });

  it('fails with every reason when nothing can train', async () => {
    const f = fakePlatform({ webgpu: { fail: 'no adapter' }, wasm: { throws: 'boom' } });
    const err = await selectBackend(opts(), f.platform).catch((e) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect(err.message).toMatch(/webgpu — could not start: no adapter; webgl — could not start: missing; wasm — could not run a training step: boom; cpu — could not start: missing/);
  });
});

describe('selectBackend: forced', () => {
  it('uses the forced backend without timing and reports the others as not measured', async () => {
    const f = fakePlatform({ webgpu: { ms: 450 }, webgl: { ms: 300 }, wasm: { ms: 50 }, cpu: { ms: 800 } });
    const { report, fallbacks } = await selectBackend(opts({ choice: 'webgpu' }), f.platform);
    expect(report.name).toBe('webgpu');
    expect(report.reason).toBe('You chose webgpu.');
    expect(f.measured).toEqual([]);
    expect(report.candidates.filter((c) => c.skipped === 'not measured: you chose the backend').map((c) => c.name)).toEqual(['webgl', 'wasm', 'cpu']);
    expect(fallbacks).toEqual(['webgl', 'wasm', 'cpu']);
  });

  it('says why a forced backend could not start and runs the next in order of preference', async () => {
    const f = fakePlatform({ webgpu: { fail: 'this browser has no WebGPU' }, webgl: { fail: 'no context' }, wasm: { ms: 50 } });
    const { report } = await selectBackend(opts({ choice: 'webgpu' }), f.platform);
    expect(report.name).toBe('wasm');
    expect(report.reason).toBe('You chose webgpu, but it could not start (this browser has no WebGPU); wasm runs instead.');
    expect(report.candidates.map((c) => c.skipped)).toEqual([
      'could not start: this browser has no WebGPU',
      'could not start: no context',
      undefined,
      'not measured: you chose the backend',
    ]);
  });
});
