/**
 * train.py's ports of the studio's data pipeline and metrics, against the studio's own code
 * (batches, crops, flips and normalised pixels bit for bit) and against SciPy's values.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ImageStore } from '../../data/imageStore';
import { testViews } from '../../data/inputMode';
import { evaluateIqa, type IqaMetrics } from '../../metrics';
import { MODEL_INFO } from '../../models/info';
import { deriveSeed, makeRng } from '../../rng';
import { drawTrainBatch, epochBatches } from '../../train/inputs';
import { inputScalingOf, QUICK_DEMO, type TrainConfig } from '../../train/config';
import { CHECK_PY, PYTHON, requireTorch, run, tempDir } from './pythonTestHelpers';

beforeAll(() => {
  requireTorch();
});

function randomStore(n: number, w: number, h: number, seed: number): ImageStore {
  const store = new ImageStore(n, w, h);
  const rng = makeRng(seed);
  for (let i = 0; i < n; i++) store.add({ width: w, height: h, data: Uint8Array.from({ length: w * h * 3 }, () => rng.int(256)) });
  return store;
}

describe('PyTorch export: the data pipeline', () => {
  it('draws the studio\'s batches, crops, flips and normalised pixels exactly, and its test views', () => {
    const cases: { config: TrainConfig; count: number; width: number; height: number; train: number[] }[] = [
      // crop with flips; 21 training images in batches of 4 leave a last batch of 1, which is dropped
      { config: { ...QUICK_DEMO, input: { kind: 'crop', size: 12, width: 20, height: 16 }, batchSize: 4, seed: 1 }, count: 30, width: 20, height: 16, train: [] },
      // resize, no flips, a last batch of 3 kept, a large seed
      { config: { ...QUICK_DEMO, input: { kind: 'resize', width: 18, height: 14 }, batchSize: 5, flipAugment: false, seed: 4_000_000_001 }, count: 23, width: 18, height: 14, train: [] },
      // cnniqa's 32×32 patches, negative seed
      { config: { ...QUICK_DEMO, model: 'cnniqa', input: { kind: 'resize', width: 70, height: 40 }, batchSize: 3, seed: -7 }, count: 9, width: 70, height: 40, train: [] },
      // the pretrained MobileNetV2 takes x/255, not ImageNet-normalised pixels
      { config: { ...QUICK_DEMO, model: 'mobilenetv2', backbone: { trainFrom: 'head' }, input: { kind: 'crop', size: 10, width: 16, height: 12 }, batchSize: 3, seed: 2 }, count: 8, width: 16, height: 12, train: [] },
    ];
    const dir = tempDir('pt-pipe-');
    const expected: number[] = [];
    const expectedBatches: number[][][][] = [];
    cases.forEach((c, i) => {
      const store = randomStore(c.count, c.width, c.height, 10 + i);
      writeFileSync(join(dir, `store${i}.bin`), store.data);
      // A training list in no particular order (the studio's is the split's), leaving some images out.
      c.train = shuffle(Array.from({ length: c.count }, (_, j) => j).filter((j) => j % 7 !== 3), 50 + i);
      if (i === 0) c.train = c.train.slice(0, 21);
      const patch = MODEL_INFO[c.config.model].patchSize;
      const epochs: number[][][] = [];
      for (const epoch of [0, 3]) {
        // As the training loop draws them: one stream per (seed, epoch), shuffle, then each batch's views and flips.
        const rng = makeRng(deriveSeed(c.config.seed, `epoch-${epoch}`));
        const batches = epochBatches(c.train, c.config.batchSize, rng);
        const args = { store, mos: new Float64Array(c.count), mode: c.config.input, patchSize: patch, flipAugment: c.config.flipAugment, scaling: inputScalingOf(c.config), testViews: [] };
        for (const idxs of batches) expected.push(...drawTrainBatch(args, idxs, rng).x);
        epochs.push(batches);
      }
      expectedBatches.push(epochs);
    });
    const seeds: [number, string][] = [[1, 'epoch-0'], [0, 'body'], [4294967295, 'head-1'], [-3, 'héad-ü€😀']];
    writeFileSync(
      join(dir, 'in.json'),
      JSON.stringify({
        cases: cases.map((c, i) => ({ ...c, store: `store${i}.bin`, epochs: [0, 3] })),
        seeds,
      }),
    );
    run(PYTHON, [CHECK_PY, 'pipeline', dir]);
    const out = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { cases: { epochs: number[][][]; views: number[][] }[]; seeds: number[]; rng: number[][] };
    out.cases.forEach((res, i) => {
      expect(res.epochs, `batches of case ${i}`).toEqual(expectedBatches[i]);
      const c = cases[i]!;
      expect(res.views).toEqual(testViews(c.config.input, MODEL_INFO[c.config.model].patchSize).map((v) => [v.x, v.y, v.w, v.h]));
    });
    expect(expectedBatches[0]![0]!.at(-1)!.length).toBe(4); // the last batch of 1 was dropped
    const bin = readFileSync(join(dir, 'x.bin'));
    const x = new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 4);
    expect(x.length).toBe(expected.length);
    let differing = 0;
    for (let i = 0; i < x.length; i++) if (x[i] !== Math.fround(expected[i]!)) differing++;
    expect(differing, 'pixels that differ').toBe(0);
    expect(out.seeds).toEqual(seeds.map(([s, l]) => deriveSeed(s, l)));
    expect(out.rng).toEqual(seeds.map(([s]) => {
      const r = makeRng(s);
      return Array.from({ length: 5 }, () => r.next());
    }));
  });
});

function shuffle(a: number[], seed: number): number[] {
  const r = makeRng(seed);
  for (let i = a.length - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

interface ReferenceCase {
  name: string;
  pred: number[];
  mos: number[];
  srcc: number;
  krcc: number;
  plcc_raw: number;
  rmse: number;
  plcc_logistic?: number;
}

describe('PyTorch export: metrics', () => {
  it('match SciPy\'s values and the studio\'s, the fitted PLCC keeping the sign', () => {
    const ref = JSON.parse(readFileSync(join(import.meta.dirname, '../../../../test/fixtures/metrics-reference.json'), 'utf8')) as { cases: ReferenceCase[] };
    const rng = makeRng(5);
    const mos = Array.from({ length: 60 }, () => 1 + 4 * rng.next());
    const extra = [
      { pred: mos.map((y) => 10 - 2 * y + rng.next()), mos }, // falling: every correlation negative
      { pred: mos.map((y) => Math.round(y + rng.next())), mos }, // many ties
      { pred: mos.map(() => 3), mos }, // constant: NaN correlations
      { pred: mos.map((y) => Math.exp(y) + 50 * rng.next()), mos },
    ];
    const cases = [...ref.cases.map((c) => ({ pred: c.pred, mos: c.mos })), ...extra];
    const df = [1, 2, 3, 4, 5, 9, 29];
    // Student's t table, t(0.975, df): an independent reference.
    const table = [12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.2622, 2.0452];
    const diffs = [0.1, -0.05, 0.2, 0.04];
    const dir = tempDir('pt-metrics-');
    writeFileSync(join(dir, 'in.json'), JSON.stringify({ cases, df, diffs }));
    run(PYTHON, [CHECK_PY, 'metrics', dir]);
    const out = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as {
      cases: Record<keyof IqaMetrics, number | null>[];
      t975: number[];
      paired: { mean: number; sd: number; ci95: [number, number]; perRepeat: number[]; wins: number };
    };
    const num = (v: number | null) => (v === null ? NaN : v);
    ref.cases.forEach((c, i) => {
      const m = out.cases[i]!;
      expect(num(m.srcc), c.name).toBeCloseTo(c.srcc, 6);
      expect(num(m.krcc), c.name).toBeCloseTo(c.krcc, 6);
      expect(num(m.plccRaw), c.name).toBeCloseTo(c.plcc_raw, 6);
      expect(num(m.rmse), c.name).toBeCloseTo(c.rmse, 6);
      if (c.plcc_logistic !== undefined) expect(Math.abs(num(m.plcc) - c.plcc_logistic), c.name).toBeLessThan(1e-3);
    });
    cases.forEach((c, i) => {
      const studio = evaluateIqa(c.pred, c.mos);
      const m = out.cases[i]!;
      for (const k of ['srcc', 'krcc', 'plccRaw', 'rmse', 'plcc'] as const) {
        if (Number.isNaN(studio[k])) expect(m[k], `${k} of case ${i}`).toBeNull();
        else expect(Math.abs(num(m[k]) - studio[k]), `${k} of case ${i}`).toBeLessThan(k === 'plcc' ? 1e-6 : 1e-9);
      }
      expect(m.n).toBe(c.pred.length);
    });
    const falling = out.cases[ref.cases.length]!;
    expect(num(falling.plcc)).toBeLessThan(0);
    out.t975.forEach((t, i) => expect(Math.abs(t - table[i]!)).toBeLessThan(6e-5));
    const mean = diffs.reduce((s, v) => s + v, 0) / diffs.length;
    const sd = Math.sqrt(diffs.reduce((s, v) => s + (v - mean) ** 2, 0) / (diffs.length - 1));
    const half = (3.182446305284263 * sd) / Math.sqrt(diffs.length);
    expect(out.paired.mean).toBeCloseTo(mean, 12);
    expect(out.paired.sd).toBeCloseTo(sd, 12);
    expect(out.paired.ci95[0]).toBeCloseTo(mean - half, 6);
    expect(out.paired.ci95[1]).toBeCloseTo(mean + half, 6);
    expect(out.paired.perRepeat).toEqual(diffs);
    expect(out.paired.wins).toBe(3);
  });
});
