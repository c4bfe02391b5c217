import { beforeAll, describe, expect, it } from 'vitest';
import { imagesOf, testConfig, testData } from '../../test/support/training';
import type { StepEvent, TrainEvent } from '../core/train/history';
import { createCohort } from '../core/train/cohort';
import { trainEpoch } from '../core/train/loop';
import { initNodeBackend } from '../node/tfNode';
import { RunGate } from './runGate';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

const config = testConfig({ mode: 'baseline', batchSize: 2 });
const data = testData(24);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Run `f` as a posted message, the way the page's requests reach the worker. */
function deliver(f: () => void): void {
  const ch = new MessageChannel();
  ch.port1.onmessage = () => {
    ch.port1.close();
    f();
  };
  ch.port2.postMessage(null);
}

/** Steps of one epoch, with `onStep` called after each; requests arrive as tasks, like the page's messages. */
async function epochWith(gate: RunGate, onStep: (step: number) => void) {
  const steps: number[] = [];
  const cohort = createCohort('baseline', config);
  const emit = (e: TrainEvent) => {
    if (e.type !== 'step') return;
    steps.push(e.step);
    onStep(e.step);
  };
  const done = trainEpoch(cohort, 'baseline', 0, config, data, imagesOf(config, data), emit, gate).finally(() => cohort.dispose());
  return { steps, done };
}

describe('RunGate', () => {
  it('a pause sent while a step runs holds training before the next step, until resume', async () => {
    const gate = new RunGate();
    // The request is a message queued during step 1: cpu steps await only microtasks, so the
    // gate must yield to the event loop or it would not see the request until the epoch ends.
    const { steps, done } = await epochWith(gate, (s) => s === 1 && deliver(() => gate.pause()));
    while (!gate.isPaused) await sleep(20);
    await sleep(400); // several steps' time
    expect(steps).toEqual([0, 1]);
    expect(gate.isPaused).toBe(true);
    gate.resume();
    const ev = await done;
    expect(ev).not.toBeNull();
    expect(steps.length).toBeGreaterThan(3); // the rest of the epoch ran after the resume
  });

  it('a stop sent while a step runs ends the epoch before the next step', async () => {
    const gate = new RunGate();
    const { steps, done } = await epochWith(gate, (s) => s === 2 && deliver(() => gate.stop()));
    expect(await done).toBeNull();
    expect(steps).toEqual([0, 1, 2]);
  });

  it('a stop while paused ends the run at once', async () => {
    const gate = new RunGate();
    const { steps, done } = await epochWith(gate, (s) => s === 0 && gate.pause());
    await sleep(200);
    gate.stop();
    expect(await done).toBeNull();
    expect(steps).toEqual([0]);
  });
});

/** Steps of one DML epoch with their events; the gate sees each step's end as the session does. */
function dmlEpoch(gate: RunGate, onStep: (e: StepEvent) => void = () => {}, over: Partial<typeof config> = {}) {
  const cfg = testConfig({ mode: 'dml', batchSize: 2, lambda: 1, ...over });
  const events: StepEvent[] = [];
  const cohort = createCohort('dml', cfg, 3);
  const emit = (e: TrainEvent) => {
    if (e.type !== 'step') return;
    events.push(e);
    gate.atStepEnd(e.step === e.stepsPerEpoch - 1);
    onStep(e);
  };
  const done = trainEpoch(cohort, 'dml', 0, cfg, data, imagesOf(cfg, data), emit, gate).finally(() => cohort.dispose());
  return { events, done };
}

describe('RunGate: one step at a time, end of epoch, λ', () => {
  it('keeps the last valid heatmap test image: a position in the test set, so a whole number from 0', () => {
    const gate = new RunGate();
    expect(gate.heatmapImage()).toBeUndefined();
    gate.setHeatmapImage(3);
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) gate.setHeatmapImage(bad);
    expect(gate.heatmapImage()).toBe(3);
    gate.setHeatmapImage(0);
    expect(gate.heatmapImage()).toBe(0);
  });

  it('while paused, each step request lets exactly one step run, then it holds again', async () => {
    const gate = new RunGate();
    gate.pause();
    const { steps, done } = await epochWith(gate, () => {});
    await sleep(300);
    expect(steps).toEqual([]);
    expect(gate.step()).toBe(true);
    while (steps.length < 1) await sleep(10);
    await sleep(300);
    expect(steps).toEqual([0]);
    expect(gate.isPaused).toBe(true);
    // Two requests before the loop gets to them: two steps, no more.
    gate.step();
    gate.step();
    while (steps.length < 3) await sleep(10);
    await sleep(300);
    expect(steps).toEqual([0, 1, 2]);
    gate.stop();
    expect(await done).toBeNull();
  });

  it('a step request while training is refused and leaves no permit behind', async () => {
    const gate = new RunGate();
    expect(gate.step()).toBe(false);
    const { steps, done } = await epochWith(gate, (s) => s === 1 && gate.pause());
    while (!gate.isPaused) await sleep(10);
    await sleep(300);
    expect(steps).toEqual([0, 1]);
    gate.stop();
    await done;
  });

  it('resume drops unused step permits', async () => {
    const gate = new RunGate();
    gate.pause();
    gate.step();
    gate.step();
    gate.resume();
    gate.pause();
    const { steps, done } = await epochWith(gate, () => {});
    await sleep(300);
    expect(steps).toEqual([]);
    gate.stop();
    await done;
  });

  it('finishEpoch pauses right after the last step of the epoch', async () => {
    const gate = new RunGate();
    const paused: number[] = [];
    const { events, done } = dmlEpoch(gate, (e) => {
      if (e.step === 1) gate.finishEpoch();
      if (gate.isPaused) paused.push(e.step);
    });
    const ev = await Promise.race([done, sleep(60_000).then(() => 'timeout')]);
    expect(ev).not.toBe('timeout');
    const n = events[0]!.stepsPerEpoch;
    expect(events.map((e) => e.step)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(paused).toEqual([n - 1]);
    expect(gate.isPaused).toBe(true);
    expect(gate.finishingEpoch).toBe(false);
  });

  it('setLambda changes the DML λ from the next step on, and every step and the epoch record it', async () => {
    const gate = new RunGate();
    const { events, done } = dmlEpoch(gate, (e) => e.step === 1 && gate.setLambda(0.25));
    const trained = await done;
    expect(events.map((e) => e.lambda)).toEqual(events.map((e) => (e.step <= 1 ? 1 : 0.25)));
    expect(trained?.lambda).toBe(0.25);
    // The total is recomputed with the new λ: supervised + λ · mimicry.
    for (const e of events) for (let k = 0; k < 2; k++) expect(e.losses.total[k]).toBeCloseTo(e.losses.supervised[k]! + e.lambda! * e.losses.mimicry[k]!, 5);
  });

  it('detail: the batch, its MOS, each peer\u2019s predictions and gradient norm; a single step adds before/after; the training itself is unchanged', async () => {
    const plain = dmlEpoch(new RunGate());
    await plain.done;
    const gate = new RunGate();
    gate.setDetail(true);
    gate.pause();
    const detailed = dmlEpoch(gate);
    gate.step();
    while (detailed.events.length < 1) await sleep(10);
    gate.resume();
    await detailed.done;
    expect(detailed.events.map((e) => e.losses)).toEqual(plain.events.map((e) => e.losses));
    const [first, second] = detailed.events;
    expect(plain.events[0]!.batch).toBeUndefined();
    for (const e of [first!, second!]) {
      const b = e.batch!;
      expect(b.mos).toEqual(b.idxs.map((i) => data.mos[i]));
      expect(b.preds).toHaveLength(2);
      // The supervised term is the MSE of the reported predictions against the reported MOS.
      b.preds.forEach((p, k) => expect(p.reduce((s, v, i) => s + (v - b.mos[i]!) ** 2, 0) / p.length).toBeCloseTo(e.losses.supervised[k]!, 4));
      // Peer A's mimicry is the MSE to peer B's prediction.
      expect(b.preds[0]!.reduce((s, v, i) => s + (v - b.preds[1]![i]!) ** 2, 0) / b.mos.length).toBeCloseTo(e.losses.mimicry[0]!, 4);
      expect(b.gradNorm.every((g) => Number.isFinite(g) && g > 0)).toBe(true);
    }
    expect(first!.batch!.before).toHaveLength(2);
    expect(first!.batch!.after).toHaveLength(2);
    expect(first!.batch!.after![0]).not.toEqual(first!.batch!.before![0]);
    expect(second!.batch!.before).toBeUndefined();
  });
});
