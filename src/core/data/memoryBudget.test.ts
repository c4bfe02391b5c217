import { describe, expect, it } from 'vitest';
import { budgetInput, modelFootprint } from '../models/footprint';
import { PAPER, QUICK_DEMO, type TrainConfig } from '../train/config';
import { budgetParts, deviceAllowance, memoryBudget, OVERHEAD_BYTES, PREFETCH_BATCHES, STEP_BYTES_PER_PARAM, type DeviceAllowance } from './memoryBudget';

const GB = 2 ** 30;
const laptop = (o: Partial<Parameters<typeof deviceAllowance>[0]> = {}): DeviceAllowance => deviceAllowance({ deviceMemoryGB: 8, disk: true, diskFree: 50 * GB, ...o });
const budget = (config: TrainConfig, count: number, device = laptop()) => memoryBudget(budgetInput(config, count, modelFootprint(config)), device);

describe('memory budget', () => {
  it('the parts add up from the item count, the storage size and the model', () => {
    const config: TrainConfig = { ...QUICK_DEMO, mode: 'both', input: { kind: 'resize', width: 64, height: 48 }, batchSize: 8 };
    const input = budgetInput(config, 1000, { stepBytesPerPixel: 100, params: 1000 });
    // Baseline 1 + DML pair 2 held; the pair steps together.
    expect(input).toMatchObject({ networks: 3, stepping: 2, samplePixels: 64 * 48 });
    const p = budgetParts(input);
    expect(p.images).toBe(1000 * 64 * 48 * 3);
    // The batch and its mirror; per stepping network its pixels' part and its weights' gradients and Adam's temporaries.
    expect(p.activations).toBe(2 * 8 * 64 * 48 * 3 * 4 + 2 * (8 * 64 * 48 * 100 + 1000 * STEP_BYTES_PER_PARAM));
    expect(p.weights).toBe(3 * 1000 * 24);
    expect(p.cache).toBe(0);
    expect(p.overhead).toBe(OVERHEAD_BYTES);
    // Crops and patches: a step sees the crop, not the stored image.
    expect(budgetInput({ ...config, input: { kind: 'crop', width: 128, height: 128, size: 64 } }, 10, input.net).samplePixels).toBe(64 * 64);
    expect(budgetInput({ ...config, model: 'cnniqa' }, 10, input.net).samplePixels).toBe(32 * 32);
  });

  it('the demo fits in memory on a 4 GB default', () => {
    const b = budget(QUICK_DEMO, 300, deviceAllowance({ disk: false }));
    expect(b.mode).toBe('memory');
    expect(b.fits).toBe(true);
    expect(b.allowed).toBe(2 * GB);
    expect(b.why).toMatch(/held in memory/);
    expect(b.why).toMatch(/default 4\.0 GB/);
  });

  it("KonIQ-10k at the paper's 384×512 does not fit an 8 GB laptop's tab: its images stream from disk", () => {
    const config: TrainConfig = { ...QUICK_DEMO, input: { kind: 'resize', width: 384, height: 512 } };
    const b = budget(config, 10_073);
    expect(b.parts.images).toBe(10_073 * 384 * 512 * 3); // 5.9 GB as bytes
    expect(b.allowed).toBe(4 * GB);
    expect(b.mode).toBe('disk');
    expect(b.fits).toBe(true);
    expect(b.placed).toBe(true);
    expect(b.why).toMatch(/5\.5 GB/);
    expect(b.why).toMatch(/kept on disk/);
    // The stream cache holds a few batches and stays within what is left.
    expect(b.streamCache).toBeGreaterThanOrEqual(PREFETCH_BATCHES * 8 * 384 * 512 * 3);
    expect(b.training + b.streamCache).toBeLessThanOrEqual(b.allowed);
    // At 224 the same set fits in memory.
    expect(budget({ ...config, input: { kind: 'resize', width: 224, height: 224 } }, 10_073).mode).toBe('memory');
  });

  it('without a private file system, or with too little disk, images that do not fit in memory have nowhere to go', () => {
    const config: TrainConfig = { ...QUICK_DEMO, input: { kind: 'resize', width: 384, height: 512 } };
    const none = budget(config, 10_073, laptop({ disk: false }));
    expect(none).toMatchObject({ mode: 'disk', placed: false, fits: false });
    expect(none.why).toMatch(/no private file system/);
    const small = budget(config, 10_073, laptop({ diskFree: 1 * GB }));
    expect(small).toMatchObject({ placed: false, fits: false });
    expect(small.why).toMatch(/1\.0 GB of disk/);
  });

  it('what the page already uses is taken off the allowance', () => {
    const config: TrainConfig = { ...QUICK_DEMO, input: { kind: 'resize', width: 224, height: 224 } };
    expect(budget(config, 10_073).mode).toBe('memory');
    const b = budget(config, 10_073, laptop({ inUse: 2.5 * GB }));
    expect(b.allowed).toBe(1.5 * GB);
    expect(b.mode).toBe('disk');
    expect(b.why).toMatch(/less 2\.5 GB already in use/);
  });

  it('a run whose training alone is over the allowance says so, and each batch size it advises fits when tried', () => {
    const config: TrainConfig = { ...QUICK_DEMO, input: { kind: 'resize', width: 512, height: 512 }, batchSize: 64 };
    const b = budget(config, 2000);
    expect(b.fits).toBe(false);
    expect(b.why).toMatch(/Training alone needs/);
    const batch = b.advice.map((a) => /a batch of (\d+)/.exec(a)).find(Boolean);
    expect(batch).toBeTruthy();
    const smaller = budget({ ...config, batchSize: Number(batch![1]) }, 2000);
    expect(smaller.fits).toBe(true);
    const size = b.advice.map((a) => /images of (\d+)×(\d+)/.exec(a)).find(Boolean)!;
    expect(budget({ ...config, input: { kind: 'resize', width: Number(size[1]), height: Number(size[2]) } }, 2000).fits).toBe(true);
  });

  it("on wasm's 4 GB heap: MobileNetV2 fine-tuned whole at 224, batch 8, fits alone but not as a DML pair (as measured in Chromium)", () => {
    const wasm = laptop({ deviceMemoryGB: 8, backendLimit: { bytes: 4 * GB, name: 'wasm' } });
    const config: TrainConfig = { ...PAPER, input: { kind: 'resize', width: 224, height: 224 } };
    const alone = budget({ ...config, mode: 'baseline' }, 21, { ...wasm, bytes: 64 * GB });
    const pair = budget({ ...config, mode: 'dml' }, 21, { ...wasm, bytes: 64 * GB });
    expect(alone.fits, alone.why).toBe(true);
    expect(pair.fits, pair.why).toBe(false);
    expect(pair.why).toMatch(/On wasm the networks and one step need .* heap/);
    expect(pair.advice.join(' ')).toMatch(/WebGPU/);
  });
});
