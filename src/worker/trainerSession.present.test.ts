import { beforeAll, describe, expect, it } from 'vitest';
import { makeSyntheticSet } from '../core/data/syntheticSet';
import type { LabelledItem } from '../core/data/types';
import type { ImageDecoder } from '../core/data/loadImages';
import { chooseSplit } from '../core/splitPolicy';
import { QUICK_DEMO, type TrainConfig, splitOptionsOf } from '../core/train/config';
import type { StepEvent } from '../core/train/history';
import { initNodeBackend } from '../node/tfNode';
import type { FromWorker, StartMessage } from './protocol';
import { TrainerSession, type SessionPlatform } from './trainerSession';

// The presenter's requests as the worker receives them: step once, finish the epoch, change λ.
beforeAll(async () => {
  await initNodeBackend('wasm');
});

const SIZE = 16;
const set = makeSyntheticSet(24, SIZE, 11, 6);
const items: LabelledItem[] = Array.from({ length: 24 }, (_, i) => ({ file: `img/${i}.png`, mos: set.mos[i]!, ref: set.refs[i], line: i + 2 }));
const config: TrainConfig = { ...QUICK_DEMO, mode: 'both', epochs: 3, batchSize: 4, input: { kind: 'resize', width: SIZE, height: SIZE }, split: 'official' };
const platform: SessionPlatform = {
  decoder: (): ImageDecoder => async (file) => {
    const img = set.store.image(Number(/(\d+)/.exec(file)![1]));
    return { ...img, data: img.data.slice() };
  },
  selectBackend: async () => ({ report: { type: 'backend', name: 'wasm', reason: 'You chose wasm.', candidates: [{ name: 'wasm' }] }, fallbacks: [] }),
  startBackend: async () => null,
  watchDeviceLoss: () => null,
};
const msg: StartMessage = {
  type: 'start',
  runId: 'p1',
  config,
  items,
  files: items.map((it) => ({ path: it.file, file: new Blob([new Uint8Array([1])]) })),
  split: chooseSplit(items, splitOptionsOf(config)).names,
  backend: 'wasm',
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('TrainerSession, presenting', () => {
  it('paused from the start: a step request trains exactly one step, sent at once with its batch named; finishEpoch pauses after the last run kind\u2019s last step', async () => {
    const out: FromWorker[] = [];
    const steps = () => out.flatMap((m) => (m.type === 'steps' ? m.steps : [])) as StepEvent[];
    const s = new TrainerSession((m) => out.push(m), platform);
    s.setDetail(true);
    s.pause();
    const done = s.run(msg);
    await sleep(1500);
    expect(steps()).toEqual([]);
    s.step();
    while (steps().length < 1) await sleep(10);
    await sleep(500);
    expect(steps()).toHaveLength(1);
    const first = steps()[0]!;
    expect(first.batch!.files!.every((f) => items.some((it) => it.file === f))).toBe(true);
    expect(first.batch!.mos).toEqual(first.batch!.files!.map((f) => items.find((it) => it.file === f)!.mos));
    expect(first.batch!.after).toHaveLength(1); // the baseline trains first: one network

    s.setLambda(0.5);
    s.finishEpoch();
    const from = out.length;
    while (!out.slice(from).some((m) => m.type === 'state' && m.state === 'paused')) await sleep(20);
    await sleep(800);
    const all = steps();
    const spe = first.stepsPerEpoch;
    // Both run kinds finished epoch 1, and nothing of epoch 2 started.
    expect(all.filter((e) => e.run === 'baseline').map((e) => e.step)).toEqual([...Array(spe).keys()]);
    expect(all.filter((e) => e.run === 'dml').map((e) => e.step)).toEqual([...Array(spe).keys()]);
    expect(all.filter((e) => e.run === 'dml').every((e) => e.lambda === 0.5)).toBe(true);
    expect(all.filter((e) => e.run === 'baseline').every((e) => e.lambda === 0)).toBe(true);
    const epochs = out.flatMap((m) => (m.type === 'epoch' ? [m.event] : []));
    expect(epochs.map((e) => `${e.run}${e.epoch}:${e.lambda}`)).toEqual(['baseline1:0', 'dml1:0.5']);
    s.stop();
    await done;
    expect(out.at(-1)).toMatchObject({ type: 'done', result: { stopped: true } });
  });
});
