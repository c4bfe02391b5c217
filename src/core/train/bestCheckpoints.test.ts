import { describe, expect, it } from 'vitest';
import { BestCheckpoints } from './bestCheckpoints';
import type { EpochEvent, RunKind } from './history';

const m = (srcc: number) => ({ srcc, krcc: 0, plcc: 0, plccRaw: 0, rmse: 1, n: 20 });
const ev = (run: RunKind, epoch: number, val: number | null, test: number): EpochEvent =>
  ({
    type: 'epoch',
    run,
    epoch,
    test: run === 'baseline' ? { peers: [m(test)] } : { peers: [m(test), m(test)], ensemble: m(test) },
    ...(val !== null && { val: run === 'baseline' ? { peers: [m(val)] } : { peers: [m(0), m(0)], ensemble: m(val) } }),
  }) as unknown as EpochEvent;

describe('best checkpoints by validation SRCC, per run kind', () => {
  it('keeps each kind at its own best validation epoch; the test set never decides', () => {
    const stored = new BestCheckpoints<string>();
    // The store keeps every update here (the recorder calls written() after each write).
    const best = { offer: (...a: Parameters<typeof stored.offer>) => { const u = stored.offer(...a); stored.written(); return u; } };
    expect(best.offer(1, { baseline: 'b1', dml: 'd1' }, { baseline: ev('baseline', 1, 0.3, 0.9), dml: ev('dml', 1, 0.5, 0.1) })).toEqual({
      states: { baseline: 'b1', dml: 'd1' },
      epochs: { baseline: 1, dml: 1 },
    });
    // The baseline improves on validation (its test SRCC falls); DML's validation falls (its test rises).
    expect(best.offer(2, { baseline: 'b2', dml: 'd2' }, { baseline: ev('baseline', 2, 0.4, 0.2), dml: ev('dml', 2, 0.4, 0.99) })).toEqual({
      states: { baseline: 'b2', dml: 'd1' },
      epochs: { baseline: 2, dml: 1 },
    });
    expect(best.offer(3, { baseline: 'b3', dml: 'd3' }, { baseline: ev('baseline', 3, 0.1, 1), dml: ev('dml', 3, Number.NaN, 1) })).toBe('unchanged');
    // A tie goes to the later epoch.
    expect(best.offer(4, { baseline: 'b4', dml: 'd4' }, { baseline: ev('baseline', 4, 0.4, 0), dml: ev('dml', 4, 0.2, 0) })).toEqual({
      states: { baseline: 'b4', dml: 'd1' },
      epochs: { baseline: 4, dml: 1 },
    });
  });

  it('without a validation set the last checkpoint is the best; a continued run picks up its stored best', () => {
    expect(new BestCheckpoints<string>().offer(1, { dml: 'd1' }, { dml: ev('dml', 1, null, 0.5) })).toBe('last');
    const best = new BestCheckpoints<string>();
    best.restore({ dml: 'd2' }, { dml: 2 }, [ev('dml', 1, 0.1, 0), ev('dml', 2, 0.6, 0)]);
    expect(best.offer(3, { dml: 'd3' }, { dml: ev('dml', 3, 0.5, 1) })).toBe('unchanged');
    expect(best.offer(4, { dml: 'd4' }, { dml: ev('dml', 4, 0.7, 0) })).toEqual({ states: { dml: 'd4' }, epochs: { dml: 4 } });
  });
});

describe('a best the store could not keep', () => {
  it('is offered again at the next epoch, even when that epoch did not improve', () => {
    const best = new BestCheckpoints<string>();
    const first = best.offer(1, { dml: 'd1' }, { dml: ev('dml', 1, 0.5, 0) });
    expect(first).toEqual({ states: { dml: 'd1' }, epochs: { dml: 1 } });
    // The write failed (quota): written() is not called. Epoch 2 is worse, yet the best is offered again.
    expect(best.offer(2, { dml: 'd2' }, { dml: ev('dml', 2, 0.4, 0) })).toEqual(first);
    best.written();
    expect(best.offer(3, { dml: 'd3' }, { dml: ev('dml', 3, 0.3, 0) })).toBe('unchanged');
  });
});
