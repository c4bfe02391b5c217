import { describe, expect, it } from 'vitest';
import type { EpochEvent } from '../../core/train/history';
import { metricRows, networksOf } from './networks';

const m = (srcc: number) => ({ srcc, krcc: 0, plcc: 0, plccRaw: 0, rmse: 1, n: 10 });
const ev = (run: 'baseline' | 'dml', epoch: number, peers: number[], ensemble?: number) =>
  ({ type: 'epoch', run, epoch, test: { peers: peers.map(m), ensemble: ensemble === undefined ? undefined : m(ensemble) } }) as unknown as EpochEvent;

describe('metricRows', () => {
  it('puts baseline, each peer and the ensemble of an epoch on one row, NaN as a gap', () => {
    const epochs = { baseline: [ev('baseline', 1, [0.1]), ev('baseline', 2, [0.2])], dml: [ev('dml', 1, [0.3, NaN], 0.35)], control: [] };
    expect(networksOf(epochs).map((n) => n.key)).toEqual(['baseline', 'peer0', 'peer1', 'ensemble']);
    expect(metricRows(epochs, 'srcc')).toEqual([
      { epoch: 1, baseline: 0.1, peer0: 0.3, peer1: null, ensemble: 0.35 },
      { epoch: 2, baseline: 0.2 },
    ]);
  });
});
