import { describe, expect, it } from 'vitest';
import type { EpochEvent, RunKind } from '../../core/train/history';
import { compareNetworks, compareRows } from './compareSeries';

const m = (srcc: number) => ({ srcc, krcc: srcc, plcc: srcc, plccRaw: srcc, rmse: 1 - srcc, n: 10 });
function ev(run: RunKind, epoch: number, srcc: number): EpochEvent {
  const test = run === 'dml' ? { peers: [m(srcc - 0.1), m(srcc - 0.2)], ensemble: m(srcc) } : { peers: [m(srcc)] };
  return { type: 'epoch', run, epoch, trainLoss: { supervised: [1], mimicry: [0], total: [1] }, test, predictions: { peers: [] }, lr: 1e-3, seconds: 1, imagesPerSec: 1, memory: { numTensors: 0, numBytes: 0 } };
}

describe('compare runs', () => {
  const both = { name: 'a', history: [ev('dml', 2, 0.5), ev('baseline', 1, 0.2), ev('dml', 1, 0.4), ev('baseline', 2, 0.3)] };
  const dmlOnly = { name: 'b', history: [ev('dml', 1, 0.6), ev('dml', 2, Number.NaN), ev('dml', 3, 0.7)] };

  it('gives each run a colour, its baseline dashed and its DML ensemble solid', () => {
    const nets = compareNetworks([both, dmlOnly]);
    expect(nets.map((n) => [n.key, n.label, n.dashed])).toEqual([
      ['r0_baseline', '1. a · baseline', true],
      ['r0_ensemble', '1. a · DML ensemble', false],
      ['r1_ensemble', '2. b · DML ensemble', false],
    ]);
    expect(nets[0]!.color).toBe(nets[1]!.color);
    expect(nets[2]!.color).not.toBe(nets[0]!.color);
  });

  it('puts every run on one row per epoch, NaN as a gap', () => {
    expect(compareRows([both, dmlOnly], 'srcc')).toEqual([
      { epoch: 1, r0_baseline: 0.2, r0_ensemble: 0.4, r1_ensemble: 0.6 },
      { epoch: 2, r0_baseline: 0.3, r0_ensemble: 0.5, r1_ensemble: null },
      { epoch: 3, r1_ensemble: 0.7 },
    ]);
    expect(compareRows([both], 'rmse')[1]).toEqual({ epoch: 2, r0_baseline: 0.7, r0_ensemble: 0.5 });
  });
});
