import { describe, expect, it } from 'vitest';
import type { StepEvent } from '../../core/train/history';
import { StepLossSeries, lossAxisTop, SMOOTHING, type LossPoint } from './lossSeries';

function step(run: 'baseline' | 'dml', g: number, total: number[]): StepEvent {
  return {
    type: 'step',
    run,
    epoch: 0,
    step: g - 1,
    stepsPerEpoch: 1000,
    globalStep: g,
    losses: { supervised: total.map((t) => t * 0.8), mimicry: total.map((t) => t * 0.2), total },
    imagesPerSec: 10,
    lr: 1e-3,
  };
}

describe('StepLossSeries', () => {
  it('keeps one series per network and smooths with a bias-corrected EMA', () => {
    const h = new StepLossSeries();
    h.add([step('dml', 1, [4, 2]), step('dml', 2, [2, 2]), step('baseline', 1, [3])]);
    const v = h.view();
    expect(v.map((s) => `${s.run}${s.net}`)).toEqual(['baseline0', 'dml0', 'dml1']);
    const a = v[1]!.points;
    expect(a[0]!.totalEma).toBeCloseTo(4); // first point: the EMA equals the value (bias correction)
    const expected = (SMOOTHING * (1 - SMOOTHING) * 4 + (1 - SMOOTHING) * 2) / (1 - SMOOTHING ** 2);
    expect(a[1]!.totalEma).toBeCloseTo(expected);
    expect(v[2]!.points[1]!.totalEma).toBeCloseTo(2);
  });

  it('draws at most maxPoints per series for thousands of steps', () => {
    const h = new StepLossSeries();
    h.add(Array.from({ length: 5000 }, (_, i) => step('baseline', i + 1, [1 / (i + 1)])));
    expect(h.count('baseline')).toBe(5000);
    expect(h.view(500)[0]!.points.length).toBeLessThanOrEqual(500);
  });

  it('gives a network without new steps the same array, so its chart does not redraw, and a network with new steps a new one', () => {
    const h = new StepLossSeries();
    h.add([step('baseline', 1, [1]), step('dml', 1, [1, 2])]);
    const before = h.view();
    h.add([step('dml', 2, [1, 2])]);
    const after = h.view();
    expect(after[0]!.points).toBe(before[0]!.points);
    expect(after[1]!.points).not.toBe(before[1]!.points);
    expect(after[1]!.points.map((p) => p.step)).toEqual([1, 2]);
    // Another resolution is another view.
    expect(h.view(10)[0]!.points).not.toBe(after[0]!.points);
  });

  it('shows a NaN loss raw without poisoning the smoothed line', () => {
    const h = new StepLossSeries();
    h.add([step('baseline', 1, [1]), step('baseline', 2, [NaN]), step('baseline', 3, [1])]);
    const p = h.view()[0]!.points;
    expect(Number.isNaN(p[1]!.total)).toBe(true);
    expect(p[2]!.totalEma).toBeCloseTo(1);
  });
});

describe('lossAxisTop', () => {
  it('rounds the 98th percentile up to a top whose quarters are round', () => {
    const pts = (xs: number[]) => xs.map((total, i) => ({ step: i + 1, total }) as unknown as LossPoint);
    expect(lossAxisTop([pts([1, 2, 27])])).toBe(32);
    expect(lossAxisTop([pts([0.1, 0.5, 0.7])])).toBe(0.8);
    // one huge first step among many small ones is clipped, not scaled to
    expect(lossAxisTop([pts([500, ...Array.from({ length: 99 }, () => 1)])])).toBe(1.2);
    expect(lossAxisTop([])).toBe(1);
  });
});
