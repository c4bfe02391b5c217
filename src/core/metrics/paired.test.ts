import { describe, expect, it } from 'vitest';
import { pairedDifference, tQuantile975 } from './paired';

describe('paired differences over repeats', () => {
  it("t(0.975, df) matches Student's t table", () => {
    // scipy.stats.t.ppf(0.975, df)
    const table: [number, number][] = [[1, 12.706204736], [2, 4.302652730], [4, 2.776445105], [9, 2.262157163], [29, 2.045229642], [1000, 1.962339081]];
    for (const [df, t] of table) expect(tQuantile975(df)).toBeCloseTo(t, 6);
  });

  it('mean, sample sd, the 95% t interval, the values and the wins', () => {
    const d = pairedDifference([0.02, -0.01, 0.05, 0.03, 0.01]);
    expect(d.mean).toBeCloseTo(0.02, 12);
    const sd = Math.sqrt((0 + 0.0009 + 0.0009 + 0.0001 + 0.0001) / 4);
    expect(d.sd).toBeCloseTo(sd, 12);
    expect(d.ci95[0]).toBeCloseTo(0.02 - (2.776445105 * sd) / Math.sqrt(5), 8);
    expect(d.ci95[1]).toBeCloseTo(0.02 + (2.776445105 * sd) / Math.sqrt(5), 8);
    expect(d).toMatchObject({ metric: 'srcc', perRepeat: [0.02, -0.01, 0.05, 0.03, 0.01], wins: 4 });
    const one = pairedDifference([0.1]);
    expect([one.mean, one.wins, Number.isNaN(one.sd), Number.isNaN(one.ci95[0])]).toEqual([0.1, 1, true, true]);
  });
});
