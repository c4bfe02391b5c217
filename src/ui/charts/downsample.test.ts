import { describe, expect, it } from 'vitest';
import { makeRng } from '../../core/rng';
import { downsampleMinMax } from './downsample';

describe('downsampleMinMax', () => {
  it('keeps short series whole', () => {
    const xs = [3, 1, 2];
    expect(downsampleMinMax(xs, 500, (x) => x)).toEqual(xs);
  });

  it('caps the point count and keeps first, last, global min and max, in order', () => {
    const rng = makeRng(7);
    const rows = Array.from({ length: 10_000 }, (_, i) => ({ x: i, y: rng.next() }));
    rows[4321]!.y = 9; // a spike
    rows[777]!.y = -5; // a dip
    const out = downsampleMinMax(rows, 500, (r) => r.y);
    expect(out.length).toBeLessThanOrEqual(500);
    expect(out.length).toBeGreaterThan(400);
    expect(out[0]).toBe(rows[0]);
    expect(out[out.length - 1]).toBe(rows[rows.length - 1]);
    expect(out.some((r) => r.y === 9)).toBe(true);
    expect(out.some((r) => r.y === -5)).toBe(true);
    for (let i = 1; i < out.length; i++) expect(out[i]!.x).toBeGreaterThan(out[i - 1]!.x);
  });

  it('keeps a NaN visible', () => {
    const rows = Array.from({ length: 2000 }, (_, i) => (i === 1500 ? NaN : 1));
    const out = downsampleMinMax(rows, 100, (v) => v);
    expect(out.some(Number.isNaN)).toBe(true);
  });
});
