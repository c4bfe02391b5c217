import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeRng, type Rng } from '../rng';
import {
  averageRanks,
  evaluateIqa,
  fitLogistic,
  kendallTauB,
  logistic4,
  pearson,
  rmse,
  SMALL_SET_IMAGES,
  smallSetWarning,
  spearman,
  summarize,
} from './index';

interface ReferenceCase {
  name: string;
  pred: number[];
  mos: number[];
  srcc: number;
  krcc: number;
  plcc_raw: number;
  rmse: number;
  plcc_logistic?: number;
  logistic_params?: [number, number, number, number];
}

// The project's own copy (test/fixtures/README.md): a clone has no ../shared.
const fixturePath = fileURLToPath(new URL('../../../test/fixtures/metrics-reference.json', import.meta.url));
const reference = JSON.parse(readFileSync(fixturePath, 'utf8')) as { cases: ReferenceCase[] };

const checkedKeys = new Set([
  'name', 'pred', 'mos', 'srcc', 'krcc', 'plcc_raw', 'rmse', 'plcc_logistic', 'logistic_params',
]);

function sse(p: number[], y: number[], f: (x: number) => number): number {
  return p.reduce((s, x, i) => s + (y[i]! - f(x)) ** 2, 0);
}

describe('metrics match SciPy on the reference fixture', () => {
  it('has cases, with and without a logistic fit', () => {
    expect(reference.cases.length).toBeGreaterThan(0);
    expect(reference.cases.some((c) => c.plcc_logistic !== undefined)).toBe(true);
  });

  for (const c of reference.cases) {
    describe(c.name, () => {
      it('holds only fields this test checks', () => {
        for (const key of Object.keys(c)) expect(checkedKeys.has(key), `unchecked fixture key ${key}`).toBe(true);
      });

      it('SRCC, KRCC, raw PLCC and RMSE to 1e-6', () => {
        const m = evaluateIqa(c.pred, c.mos);
        expect(m.n).toBe(c.pred.length);
        expect(Math.abs(m.srcc - c.srcc)).toBeLessThan(1e-6);
        expect(Math.abs(m.krcc - c.krcc)).toBeLessThan(1e-6);
        expect(Math.abs(m.plccRaw - c.plcc_raw)).toBeLessThan(1e-6);
        expect(Math.abs(m.rmse - c.rmse)).toBeLessThan(1e-6);
        // The building blocks agree with the aggregate.
        expect(spearman(c.pred, c.mos)).toBe(m.srcc);
        expect(kendallTauB(c.pred, c.mos)).toBe(m.krcc);
        expect(pearson(c.pred, c.mos)).toBe(m.plccRaw);
        expect(rmse(c.pred, c.mos)).toBe(m.rmse);
      });

      it('gives the same values for Float32Array and Float64Array input', () => {
        const m64 = evaluateIqa(Float64Array.from(c.pred), Float64Array.from(c.mos));
        expect(m64).toEqual(evaluateIqa(c.pred, c.mos));
        const m32 = evaluateIqa(Float32Array.from(c.pred), Float32Array.from(c.mos));
        expect(Math.abs(m32.srcc - c.srcc)).toBeLessThan(1e-4);
        expect(Math.abs(m32.plccRaw - c.plcc_raw)).toBeLessThan(1e-4);
      });

      if (c.plcc_logistic !== undefined) {
        it('fitted PLCC to 1e-3', () => {
          const m = evaluateIqa(c.pred, c.mos);
          expect(Math.abs(m.plcc - c.plcc_logistic!)).toBeLessThan(1e-3);
        });
      }

      if (c.logistic_params !== undefined) {
        // Where the best logistic is a near-linear limit at infinity (sigmoidal-200), SciPy
        // and we both stop somewhere along a flat valley, so allow a hair of relative SSE.
        it('fits about as well as SciPy’s parameters', () => {
          const [a, b, cc, d] = c.logistic_params!;
          const fit = fitLogistic(c.pred, c.mos);
          expect(fit.fitted).toBe(true);
          const ours = sse(c.pred, c.mos, fit.predict);
          expect(ours).toBeCloseTo(fit.sse, 9);
          expect(ours).toBeLessThanOrEqual(sse(c.pred, c.mos, (x) => logistic4(x, a, b, cc, d)) * (1 + 1e-4));
        });
      }
    });
  }
});

function randomVector(rng: Rng, n: number, levels = 0): number[] {
  // levels > 0 draws from that many distinct values, so ties are common.
  return Array.from({ length: n }, () => (levels > 0 ? rng.int(levels) : rng.next() * 10 - 5));
}

/** Tau-b from its definition over all pairs, O(n²): an independent check of Knight's algorithm. */
function kendallBruteForce(a: number[], b: number[]): number {
  let concordantMinusDiscordant = 0;
  let untiedA = 0;
  let untiedB = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      const da = Math.sign(a[i]! - a[j]!);
      const db = Math.sign(b[i]! - b[j]!);
      concordantMinusDiscordant += da * db;
      if (da !== 0) untiedA++;
      if (db !== 0) untiedB++;
    }
  }
  return concordantMinusDiscordant / Math.sqrt(untiedA * untiedB);
}

describe('rank correlations', () => {
  it('averages the ranks of ties', () => {
    expect(Array.from(averageRanks([10, 20, 20, 5, 20]))).toEqual([2, 4, 4, 1, 4]);
    expect(Array.from(averageRanks(Float32Array.from([3, 1, 2])))).toEqual([3, 1, 2]);
  });

  it('Kendall tau-b equals the pairwise definition, with and without ties', () => {
    const rng = makeRng(11);
    for (const [n, levels] of [[2, 0], [3, 2], [57, 0], [200, 5], [301, 3], [400, 40]] as const) {
      const a = randomVector(rng, n, levels);
      const b = a.map((v, i) => (levels > 0 ? (v + rng.int(3)) % levels : v + rng.next() * 4 + (i % 2)));
      expect(kendallTauB(a, b)).toBeCloseTo(kendallBruteForce(a, b), 12);
    }
  });

  it('SRCC and KRCC do not change under monotone transforms of the predictions', () => {
    const rng = makeRng(7);
    const y = randomVector(rng, 300, 9);
    const p = y.map((v) => v + rng.next() * 3 - 1.5);
    const srcc = spearman(p, y);
    const krcc = kendallTauB(p, y);
    expect(Math.abs(srcc)).toBeGreaterThan(0.3); // a real correlation, not a trivial 0
    for (const transform of [(x: number) => Math.exp(x), (x: number) => x ** 3, (x: number) => 7 * x - 100, Math.atan]) {
      const q = p.map(transform);
      expect(spearman(q, y)).toBeCloseTo(srcc, 12);
      expect(kendallTauB(q, y)).toBeCloseTo(krcc, 12);
    }
    // A non-monotone transform must change them, or the check above proves nothing.
    expect(Math.abs(spearman(p.map((x) => (x - 4) ** 2), y) - srcc)).toBeGreaterThan(0.1);
  });

  it('negating the predictions flips the sign of every correlation', () => {
    const rng = makeRng(3);
    const y = randomVector(rng, 150, 6);
    const p = y.map((v) => v + rng.next() * 2);
    const neg = p.map((x) => -x);
    const m = evaluateIqa(p, y);
    const mNeg = evaluateIqa(neg, y);
    expect(m.srcc).toBeGreaterThan(0.3);
    expect(mNeg.srcc).toBeCloseTo(-m.srcc, 12);
    expect(mNeg.krcc).toBeCloseTo(-m.krcc, 12);
    expect(mNeg.plccRaw).toBeCloseTo(-m.plccRaw, 12);
    expect(m.plcc).toBeGreaterThan(0.3);
    expect(mNeg.plcc).toBeCloseTo(-m.plcc, 12);
  });

  it('is exactly ±1 for a perfectly monotone relation and swaps arguments symmetrically', () => {
    const p = [0.3, 1, 2, 2.5, 9];
    const y = [1, 2, 3, 4, 5];
    expect(kendallTauB(p, y)).toBeCloseTo(1, 15);
    expect(spearman(p, y)).toBeCloseTo(1, 15);
    expect(kendallTauB(y, p)).toBe(kendallTauB(p, y));
  });

  it('Kendall tau-b on 200 000 items is fast (O(n log n))', () => {
    const rng = makeRng(5);
    const a = randomVector(rng, 200_000, 1000);
    const b = a.map((v) => v + rng.int(300));
    const t0 = performance.now();
    const tau = kendallTauB(a, b);
    // O(n²) would need 2·10¹⁰ pair comparisons — minutes, not seconds.
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(tau).toBeGreaterThan(0.5);
  });
});

describe('degenerate input gives NaN, not an exception', () => {
  it('fewer than two pairs', () => {
    for (const [p, y] of [[[], []], [[1], [2]]] as const) {
      const m = evaluateIqa(p, y);
      expect(m.srcc).toBeNaN();
      expect(m.krcc).toBeNaN();
      expect(m.plcc).toBeNaN();
      expect(m.plccRaw).toBeNaN();
      expect(m.n).toBe(p.length);
    }
    expect(evaluateIqa([], []).rmse).toBeNaN();
    expect(evaluateIqa([1], [3]).rmse).toBe(2);
  });

  it('constant predictions or constant MOS', () => {
    const m = evaluateIqa([2, 2, 2, 2, 2], [1, 2, 3, 4, 5]);
    expect([m.srcc, m.krcc, m.plcc, m.plccRaw].every(Number.isNaN)).toBe(true);
    expect(m.rmse).toBeCloseTo(Math.sqrt(3), 12); // (1 + 0 + 1 + 4 + 9) / 5
    const m2 = evaluateIqa([1, 2, 3, 4, 5], [3, 3, 3, 3, 3]);
    expect([m2.srcc, m2.krcc, m2.plcc, m2.plccRaw].every(Number.isNaN)).toBe(true);
  });

  it('non-finite values', () => {
    const m = evaluateIqa([1, NaN, 3, 4], [1, 2, 3, 4]);
    expect([m.srcc, m.krcc, m.plcc, m.plccRaw, m.rmse].every(Number.isNaN)).toBe(true);
  });

  it('different lengths throw a message that names both counts', () => {
    expect(() => evaluateIqa([1, 2, 3], [1, 2])).toThrow(/3 values.*2/);
  });
});

describe('logistic fit', () => {
  it('recovers the parameters of noise-free logistic data', () => {
    const truth = { a: 4.6, b: 1.3, c: 0.2, d: 0.7 };
    const p = Array.from({ length: 120 }, (_, i) => -3 + (6 * i) / 119);
    const y = p.map((x) => logistic4(x, truth.a, truth.b, truth.c, truth.d));
    const fit = fitLogistic(p, y);
    expect(fit.fitted).toBe(true);
    expect(fit.a).toBeCloseTo(truth.a, 5);
    expect(fit.b).toBeCloseTo(truth.b, 5);
    expect(fit.c).toBeCloseTo(truth.c, 5);
    expect(Math.abs(fit.d)).toBeCloseTo(truth.d, 5);
    expect(fit.sse).toBeLessThan(1e-12);
  });

  it('lifts PLCC above the raw value when the relation is sigmoidal', () => {
    const rng = makeRng(19);
    const p = Array.from({ length: 300 }, () => rng.next() * 8 - 4);
    const y = p.map((x) => logistic4(x, 5, 1, 0.5, 0.6) + (rng.next() - 0.5) * 0.2);
    const m = evaluateIqa(p, y);
    expect(m.plcc).toBeGreaterThan(m.plccRaw + 0.02);
    expect(m.plcc).toBeGreaterThan(0.99);
  });

  it('returns the best parameters found when the iteration cap stops it', () => {
    const c = reference.cases.find((k) => k.logistic_params !== undefined)!;
    const capped = fitLogistic(c.pred, c.mos, { maxIterations: 1 });
    const full = fitLogistic(c.pred, c.mos);
    const start = (x: number) => logistic4(x, Math.max(...c.mos), Math.min(...c.mos), c.pred.reduce((s, v) => s + v, 0) / c.pred.length, 1);
    expect(capped.iterations).toBeLessThanOrEqual(1);
    expect(capped.sse).toBeLessThan(sse(c.pred, c.mos, start));
    expect(full.sse).toBeLessThanOrEqual(capped.sse);
  });

  it('falls back to the raw predictions instead of producing NaN', () => {
    const few = fitLogistic([1, 2, 3], [3, 1, 2]);
    expect(few.fitted).toBe(false);
    expect(few.predict(2.5)).toBe(2.5);
    const bad = fitLogistic([1, 2, Infinity, 4], [1, 2, 3, 4]);
    expect(bad.fitted).toBe(false);
    for (const [p, y] of [[[1, 1, 1, 1, 1], [1, 2, 3, 4, 5]], [[1, 2, 3, 4, 5], [2, 2, 2, 2, 2]]]) {
      const fit = fitLogistic(p!, y!);
      for (const v of [fit.a, fit.b, fit.c, fit.d, fit.sse, fit.predict(3)]) expect(Number.isFinite(v)).toBe(true);
    }
    // MOS on 0-100 against predictions far from the start d = 1 still gives a finite PLCC.
    const rng = makeRng(23);
    const p = Array.from({ length: 80 }, () => rng.next() * 1000);
    const y = p.map((x) => x / 10 + rng.next() * 5);
    const m = evaluateIqa(p, y);
    expect(Number.isFinite(m.plcc)).toBe(true);
    expect(m.plcc).toBeGreaterThan(0.9);
  });
});

describe('the fitted PLCC keeps the sign of the correlation', () => {
  // SciPy's unconstrained curve_fit on these negated vectors swaps a and b and reports
  // +plcc_logistic; the rule here is that the fit never turns a negative correlation positive.
  for (const c of reference.cases.filter((k) => k.plcc_logistic !== undefined)) {
    it(`${c.name}, predictions negated: negative SRCC and fitted PLCC = −SciPy's to 1e-3`, () => {
      const neg = c.pred.map((x) => -x);
      const m = evaluateIqa(neg, c.mos);
      const mPos = evaluateIqa(c.pred, c.mos);
      expect(m.srcc).toBeLessThan(0);
      expect(m.plccRaw).toBeLessThan(0);
      expect(m.plcc).toBeLessThan(0);
      expect(Math.abs(m.plcc - -c.plcc_logistic!)).toBeLessThan(1e-3);
      expect(Math.abs(m.plcc)).toBeCloseTo(mPos.plcc, 12);
    });
  }

  it('a sigmoidal falling relation: the curve falls in p and PLCC is about −1', () => {
    const rng = makeRng(29);
    const p = Array.from({ length: 200 }, () => rng.next() * 8 - 4);
    const y = p.map((x) => logistic4(-x, 5, 1, 0.5, 0.6) + (rng.next() - 0.5) * 0.2);
    const m = evaluateIqa(p, y);
    expect(m.srcc).toBeLessThan(-0.9);
    expect(m.plcc).toBeLessThan(-0.99);
    expect(m.plcc).toBeLessThan(m.plccRaw - 0.02); // the fit still helps, on the negative side
    const fit = fitLogistic(p, y);
    expect(fit.fitted).toBe(true);
    expect(fit.direction).toBe(-1);
    expect(fit.a).toBeGreaterThan(fit.b); // increasing in −p
    expect(fit.predict(-3)).toBeGreaterThan(fit.predict(3)); // so falling in p, as the data do
    expect(fit.sse).toBeCloseTo(sse(p, y, fit.predict), 9);
    const mNeg = evaluateIqa(p.map((x) => -x), y);
    expect(mNeg.plcc).toBeCloseTo(-m.plcc, 12);
  });

  it('a perfectly reversed ranking gives about −1, not +1', () => {
    const m = evaluateIqa([5, 4, 3, 2, 1, 0], [1, 2, 3, 4, 5, 6]);
    expect(m.plcc).toBeLessThan(-0.99);
  });
});

describe('summarize over splits', () => {
  it('mean, median and sample standard deviation (ddof = 1)', () => {
    const s = summarize([4, 1, 10, 3, 2]);
    expect(s.n).toBe(5);
    expect(s.mean).toBe(4);
    expect(s.median).toBe(3);
    // Squared deviations 0+9+36+1+4 = 50, divided by n − 1 = 4.
    expect(s.std).toBeCloseTo(Math.sqrt(12.5), 12);
  });

  it('even count takes the middle pair; one value has no spread; empty is NaN', () => {
    expect(summarize([0.9, 0.1, 0.5, 0.3]).median).toBeCloseTo(0.4, 12);
    const one = summarize([0.7]);
    expect(one.mean).toBe(0.7);
    expect(one.median).toBe(0.7);
    expect(one.std).toBeNaN();
    const none = summarize([]);
    expect([none.mean, none.median, none.std].every(Number.isNaN)).toBe(true);
    expect(none.n).toBe(0);
  });

  it('a NaN split is not hidden', () => {
    const s = summarize([0.8, NaN, 0.7]);
    expect(s.mean).toBeNaN();
    expect(s.median).toBeNaN();
    expect(s.n).toBe(3);
  });
});

describe('small evaluation sets', () => {
  it('warns below 10 images and is silent from 10 on', () => {
    expect(SMALL_SET_IMAGES).toBe(10);
    for (const n of [2, 5, 9]) {
      const w = smallSetWarning(n);
      expect(w).toMatch(new RegExp(`Only ${n} evaluation images.*mean little`));
    }
    for (const n of [10, 11, 500]) expect(smallSetWarning(n)).toBeNull();
  });

  it('says when there is nothing to correlate, or too little for the logistic fit', () => {
    expect(smallSetWarning(0)).toMatch(/No evaluation images/);
    expect(smallSetWarning(1)).toMatch(/Only 1 evaluation image:/);
    expect(smallSetWarning(NaN)).toMatch(/No evaluation images/);
    expect(smallSetWarning(3)).toMatch(/logistic fit/);
    expect(smallSetWarning(4)).not.toMatch(/logistic fit/);
    // The 4-image threshold matches fitLogistic: 3 pairs are not fitted, 4 are.
    expect(fitLogistic([1, 2, 3], [1, 3, 2]).fitted).toBe(false);
    expect(fitLogistic([1, 2, 3, 4], [1, 3, 2, 4]).fitted).toBe(true);
  });
});
