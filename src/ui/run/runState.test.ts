import { describe, expect, it } from 'vitest';
import type { StepEvent } from '../../core/train/history';
import type { TrainResult } from '../../core/train/loop';
import type { FromWorker } from '../../worker/protocol';
import { initialRunState, progressOf, runReducer, unfinishedNote, type RunState } from './runState';

const step = (run: 'baseline' | 'dml', epoch: number, s: number, spe = 10): StepEvent => ({
  type: 'step',
  run,
  epoch,
  step: s,
  stepsPerEpoch: spe,
  globalStep: epoch * spe + s + 1,
  losses: { supervised: [1], mimicry: [0], total: [1] },
  imagesPerSec: 80,
  lr: 1e-3,
});
const metrics = { srcc: 0.5, krcc: 0.4, plcc: 0.6, plccRaw: 0.55, rmse: 0.9, n: 75 };
const result = (part: Partial<TrainResult['final']>, stopped = false): TrainResult => ({
  history: [],
  final: part,
  stopped,
});

function feed(state: RunState, msgs: FromWorker[], now: number) {
  return runReducer(state, { type: 'messages', msgs, now });
}

describe('runReducer', () => {
  const started = runReducer(initialRunState, { type: 'reset', runId: 'r', plan: { epochs: 2, runs: ['baseline', 'dml'], batchSize: 8 }, now: 0 });

  it('counts both runs’ steps towards one progress bar and estimates the time left', () => {
    let s = feed(started, [{ type: 'state', state: 'training' }, { type: 'steps', steps: [step('baseline', 0, 4)] }], 0);
    s = feed(s, [{ type: 'steps', steps: [step('baseline', 0, 9), step('dml', 0, 4)] }], 2000);
    const p = progressOf(s)!;
    expect(p.total).toBe(2 * 2 * 10);
    expect(p.done).toBe(10 + 5);
    expect(p.fraction).toBeCloseTo(15 / 40);
    // 10 steps in 2 s → 5 steps/s, 25 left → 5 s; 40 images/s at batch 8.
    expect(p.etaSeconds).toBeCloseTo(5);
    expect(p.imagesPerSec).toBeCloseTo(40);
    expect(p.epoch).toBe(1);
    // The DML run trains now (its step came last), though the baseline is further along.
    expect(p.run).toBe('dml');
    expect(p.step).toBe(5);
  });

  it('pausing clears the speed window so paused time is not counted', () => {
    let s = feed(started, [{ type: 'steps', steps: [step('baseline', 0, 0)] }], 0);
    s = feed(s, [{ type: 'state', state: 'paused' }], 100);
    expect(s.status).toBe('paused');
    expect(s.rate).toEqual([]);
    expect(progressOf(s)!.etaSeconds).toBeNull();
  });

  it("done ends the experiment with the worker's result", () => {
    const s = feed(started, [{ type: 'done', result: result({ baseline: metrics, dml: { ensemble: metrics, peers: [metrics, metrics] } }) }], 1);
    expect(s.status).toBe('done');
    expect(s.result?.final.baseline).toEqual(metrics);
    expect(s.result?.final.dml?.peers).toHaveLength(2);
    expect(s.endedAt).not.toBeNull();
  });

  it('a stopped experiment keeps how many of its runs finished, and says what its results are over', () => {
    const s = feed(started, [{ type: 'done', result: result({}, true), runs: { finished: 2, planned: 5 } }], 0);
    expect(s.runs).toEqual({ finished: 2, planned: 5 });
    expect(unfinishedNote(s.runs!)).toMatch(/^2 of 5 runs finished: the paired results are over those 2; the stopped run/);
    expect(unfinishedNote({ finished: 0, planned: 3 })).toMatch(/^0 of 3 runs finished: there are no paired results yet/);
    expect(feed(started, [{ type: 'done', result: result({}) }], 0).runs).toBeNull();
  });

  it('a stopped experiment is "stopped", an error keeps its words', () => {
    expect(feed(started, [{ type: 'done', result: result({}, true) }], 0).status).toBe('stopped');
    const e = feed(started, [{ type: 'error', kind: 'memory', message: 'Out of memory at step 3.' }], 0);
    expect(e.status).toBe('error');
    expect(e.error).toEqual({ kind: 'memory', message: 'Out of memory at step 3.' });
  });

  it('replaces an epoch reported twice (a resumed run) instead of duplicating it', () => {
    const ev = { type: 'epoch', run: 'dml', epoch: 1, predictions: { peers: [] } } as unknown as Extract<FromWorker, { type: 'epoch' }>['event'];
    const s = feed(started, [{ type: 'epoch', event: ev }, { type: 'epoch', event: ev }], 0);
    expect(s.history).toHaveLength(1);
  });

  it('a continued run draws its stored history first, then adds the new epochs; checkpoints are kept for display', () => {
    type Ev = Extract<FromWorker, { type: 'epoch' }>['event'];
    const ev = (run: 'baseline' | 'dml', epoch: number) => ({ type: 'epoch', run, epoch, predictions: { peers: [] } }) as unknown as Ev;
    let s = feed(started, [{ type: 'continued', fromEpoch: 2, history: [ev('dml', 2), ev('baseline', 1), ev('dml', 1), ev('baseline', 2)] }], 0);
    expect(s.continuedFrom).toBe(2);
    const epochsOf = (run: string) => s.history.filter((e) => e.run === run).map((e) => e.epoch);
    expect(epochsOf('baseline')).toEqual([1, 2]);
    expect(epochsOf('dml')).toEqual([2, 1]);
    s = feed(s, [{ type: 'epoch', event: ev('baseline', 3) }, { type: 'checkpoint', epoch: 3, bytes: 4096, ms: 12, exportMs: 3 }], 1);
    expect(epochsOf('baseline')).toEqual([1, 2, 3]);
    expect(s.checkpoint).toEqual({ epoch: 3, bytes: 4096, ms: 12, exportMs: 3 });
  });
});

describe('an experiment of runs that differ in size (a training-size sweep)', () => {
  const started = runReducer(initialRunState, { type: 'reset', runId: 'sw', plan: { epochs: 1, runs: ['baseline'], batchSize: 8 }, now: 0 });

  it('one progress over the planned steps of every run; done keeps the sweep’s rows', () => {
    // Run 1 of 2 plans 5 steps, run 2 (a larger size) 20: 25 in all.
    let s = feed(started, [{ type: 'repeat', index: 0, count: 2, seed: 1, runId: 'sw', trainSize: 0.2, steps: { before: 0, total: 25 } }, { type: 'steps', steps: [step('baseline', 0, 4, 5)] }], 0);
    expect(s.repeat).toMatchObject({ index: 0, trainSize: 0.2 });
    expect([progressOf(s)!.done, progressOf(s)!.total]).toEqual([5, 25]);
    s = feed(s, [{ type: 'repeat', index: 1, count: 2, seed: 2, runId: 'sw~2', trainSize: 1, steps: { before: 5, total: 25 } }, { type: 'steps', steps: [step('baseline', 0, 9, 20)] }], 1);
    const p = progressOf(s)!;
    expect([p.done, p.total]).toEqual([15, 25]);
    expect(p.fraction).toBeCloseTo(15 / 25);
    const paired = { basis: 'last' as const };
    const sweep = [{ trainSize: 0.2, trainImages: [4], repeats: [], paired }];
    s = feed(s, [{ type: 'done', result: result({}), sweep }], 2);
    expect(s.sweep).toEqual(sweep);
    expect(s.repeats).toBeNull();
  });

  it('the experiment started is kept for the downloads, and forgotten by the next reset', () => {
    const config = { epochs: 1 } as never;
    const s = runReducer(initialRunState, { type: 'reset', runId: 'a', plan: { epochs: 1, runs: ['dml'], batchSize: 8 }, now: 0, experiment: { config } });
    expect(s.experiment).toEqual({ config });
    expect(runReducer(s, { type: 'reset', runId: 'b', plan: { epochs: 1, runs: ['dml'], batchSize: 8 }, now: 1 }).experiment).toBeNull();
  });
});
