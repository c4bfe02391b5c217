import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import type { IqaMetrics } from '../metrics';
import type { LabelledItem } from '../data/types';
import { deriveSeed } from '../rng';
import { chooseSplits, splitFromNames, trainSubset } from '../splitPolicy';
import { configProblems, QUICK_DEMO } from './config';
import { readTrainConfig } from './configSchema';
import { experimentJobs, experimentSummary, jobSplit, parseTrainSizes, sweepCsv, sweepEntries, trainSizesProblems, type JobResult } from './experiment';
import type { FinalMetrics } from './history';

const items: LabelledItem[] = Array.from({ length: 60 }, (_, i) => ({ file: `img${i}.png`, mos: i % 7, line: i + 2, ref: `r${i % 10}` }));
const m = (srcc: number): IqaMetrics => ({ srcc, krcc: srcc, plcc: srcc, plccRaw: srcc, rmse: 1, n: 10 });
/** Final metrics with only the last epoch (no validation set): baseline, DML ensemble, control ensemble. */
const final = (b: number, d: number, c: number): FinalMetrics => ({
  baseline: m(b),
  dml: { ensemble: m(d), peers: [m(d - 0.01), m(d)] },
  control: { ensemble: m(c), peers: [m(c), m(c)] },
});

describe('an experiment’s runs', () => {
  it('repeats alone: one run per repeat, each with its repeat seed', () => {
    const jobs = experimentJobs({ seed: 5, repeats: 3 });
    expect(jobs.map((j) => [j.index, j.count, j.repeat, j.trainSize])).toEqual([[0, 3, 0, undefined], [1, 3, 1, undefined], [2, 3, 2, undefined]]);
    expect(jobs.map((j) => j.seed)).toEqual([5, deriveSeed(5, 'repeat:1'), deriveSeed(5, 'repeat:2')]);
  });

  it('a sweep: each size in the order given, every repeat at each, the same seeds at every size', () => {
    const jobs = experimentJobs({ seed: 1, repeats: 2, trainSizes: [0.5, 1, 20] });
    expect(jobs.map((j) => `${j.trainSize}:${j.repeat}`)).toEqual(['0.5:0', '0.5:1', '1:0', '1:1', '20:0', '20:1']);
    expect(jobs.map((j) => j.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(new Set(jobs.map((j) => j.count))).toEqual(new Set([6]));
    expect(jobs.filter((j) => j.repeat === 1).map((j) => j.seed)).toEqual(Array(3).fill(deriveSeed(1, 'repeat:1')));
    expect(experimentJobs({ seed: 1, repeats: 2, trainSizes: [] })).toHaveLength(2);
  });

  it('a job’s split: its repeat’s validation and test whole, the training side cut to its size by whole references', () => {
    const [a, b] = chooseSplits(items, { kind: 'ref', testFrac: 0.2, valFrac: 0.2, seed: 3 }, 2).map((c) => c.names);
    for (const names of [a!, b!]) {
      const full = splitFromNames(names, items);
      const half = jobSplit(names, items, { seed: 9, trainSize: 0.5 });
      expect(half).toEqual(trainSubset(full, items, 0.5, 9));
      expect(half.val).toEqual(full.val);
      expect(half.test).toEqual(full.test);
      expect(half.train.length).toBe(18);
      expect(jobSplit(names, items, { seed: 9 })).toEqual(full);
    }
    // Images that failed to decode leave the split instead of failing it.
    const fewer = items.filter((it) => it.file !== a!.test[0]);
    expect(jobSplit(a!, fewer, { seed: 9 }).test).toHaveLength(a!.test.length - 1);
  });

  it('training sizes: fractions or whole counts, each once; typed text read as numbers', () => {
    expect(trainSizesProblems([0.1, 0.25, 1, 200])).toEqual([]);
    expect(trainSizesProblems([])).toEqual([expect.stringMatching(/at least one size/)]);
    expect(trainSizesProblems([0, 2.5, 0.5, 0.5])).toEqual([
      expect.stringMatching(/got 0\)/),
      expect.stringMatching(/got 2\.5\)/),
      'Each training size once: 0.5 is given twice.',
    ]);
    expect(parseTrainSizes(' 0.1, 0.25 0.5,1 ')).toEqual({ sizes: [0.1, 0.25, 0.5, 1] });
    expect(parseTrainSizes('0.1, half')).toEqual({ problem: expect.stringMatching(/not "half"/) });
    expect(parseTrainSizes('1.5')).toEqual({ problem: expect.stringMatching(/fraction in \(0, 1\] or a whole number/) });
  });

  it('the config carries the sizes: checked by the schema and by configProblems; an older config has none', () => {
    expect(readTrainConfig({ ...QUICK_DEMO, trainSizes: [0.5, 1] }, 'x').config?.trainSizes).toEqual([0.5, 1]);
    expect(readTrainConfig({ ...QUICK_DEMO, trainSizes: '0.5' }, 'x').problems).toEqual(['x: "trainSizes" must be a list of training sizes such as [0.25, 0.5, 1] (got "0.5").']);
    expect(readTrainConfig(QUICK_DEMO, 'x').config).not.toHaveProperty('trainSizes');
    expect(configProblems({ ...QUICK_DEMO, trainSizes: [0.5, 3.5] })).toEqual([expect.stringMatching(/got 3\.5/)]);
    expect(configProblems({ ...QUICK_DEMO, trainSizes: [0.5, 1] })).toEqual([]);
  });
});

describe('what is read off the runs', () => {
  const names = (train: number) => ({ train: Array.from({ length: train }, (_, i) => `t${i}`), val: ['v'], test: ['x'], kind: 'ref' as const, reason: '' });
  const run = (trainSize: number | undefined, train: number, f: FinalMetrics): JobResult => ({
    ...(trainSize !== undefined && { trainSize }),
    result: { seed: train, split: names(train), history: [], final: f },
  });
  // Two sizes × two repeats: DML − baseline +0.02, +0.04 at 0.5; −0.01, +0.03 at 1.
  const sweep = [run(0.5, 10, final(0.5, 0.52, 0.5)), run(0.5, 12, final(0.4, 0.44, 0.41)), run(1, 20, final(0.6, 0.59, 0.55)), run(1, 24, final(0.5, 0.53, 0.52))];

  it('per size: its runs, their training images and the paired differences with 95% t intervals', () => {
    const rows = sweepEntries(sweep);
    expect(rows.map((r) => [r.trainSize, r.trainImages, r.repeats.length])).toEqual([[0.5, [10, 12], 2], [1, [20, 24], 2]]);
    const d = rows[0]!.paired.dml_vs_baseline!;
    expect(d.perRepeat[0]).toBeCloseTo(0.02, 12);
    expect(d.perRepeat[1]).toBeCloseTo(0.04, 12);
    expect(d.mean).toBeCloseTo(0.03, 12);
    // sd of (0.02, 0.04) is 0.01·√2; t(0.975, 1) = 12.706204736 (SciPy).
    const half = (12.706204736 * 0.01 * Math.SQRT2) / Math.SQRT2;
    expect(d.ci95[0]).toBeCloseTo(0.03 - half, 8);
    expect(d.ci95[1]).toBeCloseTo(0.03 + half, 8);
    expect(rows[1]!.paired.dml_vs_control!.perRepeat.map((v) => +v.toFixed(6))).toEqual([0.04, 0.01]);
    expect(rows[1]!.paired.basis).toBe('last');
  });

  it('results.json’s part: the first run of the last size on top, its repeats and paired, and the whole sweep', () => {
    const s = experimentSummary(sweep);
    expect(s.split).toEqual(names(20));
    expect(s.final).toEqual(sweep[2]!.result.final);
    expect(s.repeats).toEqual([sweep[2]!.result, sweep[3]!.result]);
    expect(s.paired).toEqual(sweepEntries(sweep)[1]!.paired);
    expect(s.sweep).toHaveLength(2);
    const plain = experimentSummary([run(undefined, 5, final(0.1, 0.2, 0.3))]);
    expect(plain).toEqual({ split: names(5), history: [], final: final(0.1, 0.2, 0.3) });
    const reps = experimentSummary([run(undefined, 5, final(0.1, 0.2, 0.3)), run(undefined, 6, final(0.2, 0.1, 0.3))]);
    expect(reps.repeats).toHaveLength(2);
    expect(reps.paired!.dml_vs_baseline!.perRepeat.map((v) => +v.toFixed(6))).toEqual([0.1, -0.1]);
    expect(reps).not.toHaveProperty('sweep');
  });

  it('the sweep as CSV: one row per size and comparison, numbers as numbers (a negative mean is no formula)', () => {
    const text = sweepCsv(sweepEntries(sweep));
    const { data } = Papa.parse<Record<string, string>>(text.trim(), { header: true });
    expect(Object.keys(data[0]!)).toEqual(['train_size', 'train_images_min', 'train_images_max', 'comparison', 'basis', 'mean', 'sd', 'ci95_lo', 'ci95_hi', 'wins', 'repeats']);
    expect(data.map((r) => `${r.train_size} ${r.comparison}`)).toEqual([
      '0.5 dml_vs_baseline',
      '0.5 dml_vs_control',
      '0.5 peerA_vs_baseline',
      '1 dml_vs_baseline',
      '1 dml_vs_control',
      '1 peerA_vs_baseline',
    ]);
    const row = data[3]!;
    expect([row.train_images_min, row.train_images_max, row.wins, row.repeats, row.basis]).toEqual(['20', '24', '1', '2', 'last']);
    expect(Number(row.mean)).toBeCloseTo(0.01, 12);
    // The interval's low end is negative: written as a plain number, not escaped as text.
    expect(row.ci95_lo).toMatch(/^-\d/);
    expect(text.endsWith('\n')).toBe(true);
  });
});
