import { beforeAll, describe, expect, it } from 'vitest';
import { imagesOf, testConfig, testData } from '../../test/support/training';
import type { TrainEvent } from '../core/train/history';
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
