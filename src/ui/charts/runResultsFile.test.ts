import { describe, expect, it } from 'vitest';
import type { IqaMetrics } from '../../core/metrics';
import { QUICK_DEMO } from '../../core/train/config';
import type { FinalMetrics } from '../../core/train/history';
import type { RunRecord } from '../../storage/runRecord';
import { runResultsFile } from './runResultsFile';

const m = (srcc: number): IqaMetrics => ({ srcc, krcc: srcc, plcc: srcc, plccRaw: srcc, rmse: 1, n: 5 });
const final: FinalMetrics = { baseline: m(0.5), cross: { baseline: m(0.3) } };
const record: RunRecord = {
  id: 'r',
  name: 'koniq · baseline · tiny',
  createdAt: 1,
  updatedAt: 2,
  status: 'finished',
  config: QUICK_DEMO,
  dataset: { name: 'koniq', scoreFileName: 'koniq.csv', imageCount: 4, files: ['a', 'b', 'c', 'd'], proxy: false },
  split: { train: ['a', 'b'], val: ['c'], test: ['d'], kind: 'random', reason: '' },
  history: [],
  checkpoints: {},
  heartbeatAt: 0,
  cross: { name: 'livec', scoreFileName: 'livec.csv', imageCount: 7, proxy: false },
};
const page = { history: [], final, backend: { name: 'wasm' }, seconds: 3, problems: [] };

describe('a run page’s results.json', () => {
  it('names the dataset and the cross-dataset set as the stored experiment export does', () => {
    const file = runResultsFile(record, undefined, page);
    expect(file.dataset).toEqual({ images: 'koniq', scores: 'koniq.csv', demo: false, proxyScores: false, imageCount: 4 });
    expect(file.cross).toEqual({ images: 'livec', scores: 'livec.csv', demo: false, proxyScores: false, imageCount: 7 });
    expect(file.final.cross?.baseline?.srcc).toBe(0.3);
    const { cross: _c, ...without } = record;
    expect(runResultsFile(without, undefined, page)).not.toHaveProperty('cross');
  });

  it('says why there is nothing to write', () => {
    expect(() => runResultsFile(undefined, undefined, page)).toThrow(/not in the browser’s storage/);
  });
});
