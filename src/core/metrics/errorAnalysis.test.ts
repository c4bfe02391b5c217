import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorHistogram, histogram2d, MIN_TYPE_IMAGES, niceEdges, predictionsOn, srccByType, worstPredicted } from './errorAnalysis';
import { fitLogistic } from './logistic';

interface Case {
  name: string;
  pred: number[];
  mos: number[];
  types: string[];
  mos_edges: number[];
  error_edges: number[];
  counts: number[][];
  by_type: { type: string; n: number; srcc: number | null }[];
  worst: number[];
}

// NumPy's histogram2d and SciPy's spearmanr on the same vectors (test/fixtures/error-analysis/generate.py).
const ref = JSON.parse(readFileSync(new URL('../../../test/fixtures/error-analysis/reference.json', import.meta.url), 'utf8')) as { cases: Case[] };

describe.each(ref.cases.map((c) => [c.name, c] as const))('error analysis against NumPy/SciPy: %s', (_, c) => {
  it('counts |error| against MOS as numpy.histogram2d does', () => {
    const h = errorHistogram(c.pred, c.mos, { mosEdges: c.mos_edges, errorEdges: c.error_edges });
    expect(h.counts).toEqual(c.counts);
    const total = c.counts.flat().reduce((a, b) => a + b, 0);
    expect(h.counted).toBe(total);
    expect(h.outside).toBe(c.pred.length - total);
  });

  it('gives each distortion type its SRCC, none below the minimum', () => {
    const { rows, untyped } = srccByType(c.pred, c.mos, c.types);
    expect(untyped).toBe(0);
    expect(rows.map((r) => [r.type, r.n])).toEqual(c.by_type.map((r) => [r.type, r.n]));
    rows.forEach((r, i) => {
      const want = c.by_type[i]!.srcc;
      if (want === null) expect(r.srcc).toBeNull();
      else expect(r.srcc).toBeCloseTo(want, 10);
    });
  });

  it('lists the ten worst-predicted images, largest |error| first', () => {
    const worst = worstPredicted(c.pred, c.mos, 10);
    expect(worst.map((w) => w.index)).toEqual(c.worst);
    for (const w of worst) expect(w.error).toBeCloseTo(c.pred[w.index]! - c.mos[w.index]!, 12);
  });
});

describe('error analysis details', () => {
  it('a type with fewer than 3 images is listed with its count and no SRCC', () => {
    expect(MIN_TYPE_IMAGES).toBe(3);
    const { rows, untyped } = srccByType([1, 2, 3, 4, 5, 1], [1, 2, 3, 5, 4, 2], ['a', 'a', 'a', 'b', 'b', undefined]);
    expect(rows).toEqual([
      { type: 'a', n: 3, srcc: 1 },
      { type: 'b', n: 2, srcc: null },
    ]);
    expect(untyped).toBe(1);
  });

  it('sorts numeric type labels as numbers', () => {
    const { rows } = srccByType([1, 2, 3], [1, 2, 3], ['10', '9', '02']);
    expect(rows.map((r) => r.type)).toEqual(['02', '9', '10']);
  });

  it('a prediction that is not a number is the worst and is left out of the histogram', () => {
    const worst = worstPredicted([1, NaN, 3, 2], [1, 2, 1, 2], 2);
    expect(worst.map((w) => w.index)).toEqual([1, 2]);
    expect(Number.isNaN(worst[0]!.error)).toBe(true);
    const h = histogram2d([1, NaN, 3], [0, 0, 9], [0, 2, 4], [0, 1]);
    expect(h.counts).toEqual([[1, 0]]);
    expect(h.outside).toBe(2);
  });

  it('makes round, fixed edges that cover the range', () => {
    expect(niceEdges(1.02, 4.98, 8)).toEqual([1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5]);
    expect(niceEdges(0, 0.93, 8)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceEdges(0, 0.93, 10)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(niceEdges(3.2, 96.5, 10)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(niceEdges(2, 2, 5)).toEqual([2, 3]);
    // The largest error lands in the last bin (closed on the right), not outside.
    const h = errorHistogram([1, 2, 4.5], [1, 2, 3], { bins: [4, 4] });
    expect(h.outside).toBe(0);
    expect(h.yEdges.at(-1)).toBeGreaterThanOrEqual(1.5);
  });

  it('takes errors after the logistic fit when asked, raw otherwise', () => {
    const pred = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
    const mos = [1.2, 1.1, 1.9, 2.6, 3.4, 4.1, 4.4, 4.9];
    expect(predictionsOn('raw', pred, mos)).toEqual({ values: pred, fitted: false });
    const fit = fitLogistic(pred, mos);
    const mapped = predictionsOn('logistic', pred, mos);
    expect(mapped.fitted).toBe(true);
    expect(mapped.values).toEqual(pred.map((x) => fit.predict(x)));
    // On the MOS scale the mapped errors are far smaller than the raw ones.
    const sum = (v: number[]) => v.reduce((s, x, k) => s + Math.abs(x - mos[k]!), 0);
    expect(sum(mapped.values)).toBeLessThan(sum(pred) / 5);
  });
});
