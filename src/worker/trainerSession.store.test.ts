import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSyntheticSet } from '../core/data/syntheticSet';
import type { ImageDecoder } from '../core/data/loadImages';
import type { LabelledItem } from '../core/data/types';
import { chooseSplit } from '../core/splitPolicy';
import { QUICK_DEMO, type TrainConfig, splitOptionsOf } from '../core/train/config';
import type { EpochEvent } from '../core/train/history';
import { initNodeBackend } from '../node/tfNode';
import type { BackendSelection } from './backendSelection';
import type { ContinueMessage, FromWorker, StartMessage } from './protocol';
import { openRunStore, StorageFullError, type RunStore } from '../storage/runStore';
import { TrainerSession, type SessionPlatform } from './trainerSession';

const SIZE = 16;
const set = makeSyntheticSet(24, SIZE, 5, 6);
const items: LabelledItem[] = Array.from({ length: 24 }, (_, i) => ({ file: `img/${i}.png`, mos: set.mos[i]!, ref: set.refs[i], line: i + 2 }));
const files = items.map((it) => ({ path: it.file, file: new Blob([new Uint8Array([1])]) }));
const config: TrainConfig = { ...QUICK_DEMO, mode: 'both', epochs: 3, batchSize: 8, decayEvery: 2, input: { kind: 'resize', width: SIZE, height: SIZE } };

const decoder: SessionPlatform['decoder'] = (): ImageDecoder => async (file) => {
  const img = set.store.image(Number(/(\d+)/.exec(file)![1]));
  return { ...img, data: img.data.slice() };
};
const selection: BackendSelection = {
  report: { type: 'backend', name: 'wasm', reason: 'You chose wasm.', candidates: [{ name: 'wasm' }] },
  fallbacks: [],
};

let store: RunStore;
beforeAll(async () => {
  await initNodeBackend('wasm');
  store = await openRunStore({ name: 'session-store-test' });
});
afterAll(() => store.close());

function platform(s: RunStore | null, decode: SessionPlatform['decoder'] = decoder): SessionPlatform {
  return {
    decoder: decode,
    selectBackend: async () => selection,
    startBackend: async () => null,
    watchDeviceLoss: () => null,
    runStore: s ? async () => s : undefined,
  };
}

async function run(
  msg: StartMessage | ContinueMessage,
  s: RunStore | null,
  during?: (session: TrainerSession, m: FromWorker) => void,
  decode?: SessionPlatform['decoder'],
) {
  const out: FromWorker[] = [];
  const session = new TrainerSession((m) => {
    out.push(m);
    during?.(session, m);
  }, platform(s, decode));
  await session.run(msg);
  return out;
}

const start = (runId: string): StartMessage => ({
  type: 'start',
  runId,
  config,
  items,
  files,
  split: chooseSplit(items, splitOptionsOf(config)).names,
  backend: 'wasm',
  meta: { name: 'stored run', dataset: { name: 'synthetic', scoreFileName: 'mos.csv', proxy: true } },
});
const epochsOf = (out: FromWorker[]): EpochEvent[] => out.flatMap((m) => (m.type === 'epoch' ? [m.event] : []));
const kindsAndEpochs = (h: readonly EpochEvent[]) => h.map((e) => `${e.run}${e.epoch}`).sort();

describe('TrainerSession with a run store', () => {
  it('stores the run; a run stopped mid-way continues from its checkpoint to the result of an uninterrupted run', async () => {
    const reference = await run(start('reference'), null);
    const refDone = reference.at(-1)!;
    if (refDone.type !== 'done') throw new Error(JSON.stringify(refDone));

    // Stop as soon as the checkpoint of epoch 2 is stored: epoch 3 is under way then.
    const first = await run(start('r1'), store, (s, m) => m.type === 'checkpoint' && m.epoch === 2 && s.stop());
    const checkpoints = first.flatMap((m) => (m.type === 'checkpoint' ? [m] : []));
    expect(checkpoints.map((c) => c.epoch)).toEqual([1, 2]);
    for (const c of checkpoints) {
      expect(c.bytes).toBeGreaterThan(10_000);
      expect(c.ms).toBeGreaterThan(0);
    }
    let stored = (await store.getRun('r1'))!;
    expect(stored).toMatchObject({ name: 'stored run', status: 'stopped', dataset: { name: 'synthetic', imageCount: 24, proxy: true } });
    expect(stored.dataset.files).toEqual(items.map((it) => it.file));
    const split = first.find((m) => m.type === 'split')!;
    expect(split.type === 'split' && [split.train, split.test]).toEqual([stored.split.train, stored.split.test]);
    expect(kindsAndEpochs(stored.history)).toEqual(['baseline1', 'baseline2', 'dml1', 'dml2']);
    expect(stored.checkpoints.last).toMatchObject({ epoch: 2, runs: ['baseline', 'dml'] });

    // The folder comes back in another order: the same split by name, the same batches.
    const again: ContinueMessage = { type: 'continue', runId: 'r1', items: [...items].reverse(), files: [...files].reverse(), backend: 'wasm' };
    const second = await run(again, store);
    const continued = second.find((m) => m.type === 'continued')!;
    expect(continued.type === 'continued' && [continued.fromEpoch, kindsAndEpochs(continued.history)]).toEqual([2, ['baseline1', 'baseline2', 'dml1', 'dml2']]);
    expect(epochsOf(second).map((e) => `${e.run}${e.epoch}`)).toEqual(['baseline3', 'dml3']);
    // Steps count on from epoch 3: the schedule position is kept.
    const firstStep = second.flatMap((m) => (m.type === 'steps' ? m.steps : []))[0]!;
    expect(firstStep.epoch).toBe(2);
    expect(firstStep.lr).toBe(config.lr * config.decayFactor);

    stored = (await store.getRun('r1'))!;
    expect(stored.status).toBe('finished');
    expect(kindsAndEpochs(stored.history)).toEqual(['baseline1', 'baseline2', 'baseline3', 'dml1', 'dml2', 'dml3']);
    const done = second.at(-1)!;
    if (done.type !== 'done') throw new Error(JSON.stringify(done));
    // Same weights, optimizer state and batches: the same final metrics as the run never stopped.
    expect(done.result.final.baseline!.srcc).toBeCloseTo(refDone.result.final.baseline!.srcc, 4);
    expect(done.result.final.dml!.ensemble.plcc).toBeCloseTo(refDone.result.final.dml!.ensemble.plcc, 4);
    expect(done.result.final.dml!.peers[1]!.rmse).toBeCloseTo(refDone.result.final.dml!.peers[1]!.rmse, 4);
    expect(stored.final).toEqual(done.result.final);
  });

  it('will not continue on other data, and leaves the run as it was', async () => {
    await store.createRun({ ...start('x').meta!, id: 'r2', status: 'interrupted', config, dataset: { name: 'synthetic', scoreFileName: 'mos.csv', imageCount: 24, files: items.map((it) => it.file), proxy: true }, split: { train: [], test: [], kind: 'ref', reason: '' } });
    const out = await run({ type: 'continue', runId: 'r2', items: items.slice(1), files, backend: 'wasm' }, store);
    expect(out.at(-1)).toMatchObject({ type: 'error', kind: 'data', message: expect.stringMatching(/folder "synthetic" \(with the score file "mos.csv"\): 1 of its 24 images.*img\/0\.png/) });
    expect((await store.getRun('r2'))!.status).toBe('interrupted');
    const missing = await run({ type: 'continue', runId: 'gone', items, files, backend: 'wasm' }, store);
    expect(missing.at(-1)).toMatchObject({ type: 'error', kind: 'run' });
  });

  it('a full disk skips the checkpoint with a warning, and training goes on', async () => {
    const full = Object.create(store) as RunStore;
    full.writeCheckpoint = async (_id, input) => {
      throw new StorageFullError(`the checkpoint of epoch ${input.epoch}`);
    };
    const out = await run({ ...start('r3'), config: { ...config, epochs: 1, mode: 'baseline' } }, full);
    const warnings = out.flatMap((m) => (m.type === 'warning' ? [m.message] : []));
    expect(warnings).toEqual([expect.stringMatching(/^Storage is full: the checkpoint of epoch 1 .*was not saved\. No checkpoint of this run is kept: a reload or a crash starts it over\./)]);
    expect(out.some((m) => m.type === 'checkpoint')).toBe(false);
    expect(out.at(-1)).toMatchObject({ type: 'done', result: { stopped: false } });
    expect((await store.getRun('r3'))!).toMatchObject({ status: 'finished', checkpoints: {} });
  });

  it('a continue that fails before training leaves the stored run, its history and its results as they were', async () => {
    await run(start('r5'), store, (s, m) => m.type === 'checkpoint' && m.epoch === 1 && s.stop());
    const before = (await store.getRun('r5'))!;
    expect(before.status).toBe('stopped');
    expect(before.final?.baseline).toBeDefined();
    expect(before.final?.dml).toBeDefined();
    // One image of the stored split cannot be read now: the split cannot be rebuilt.
    const unreadable: SessionPlatform['decoder'] = (f) => async (file, w, h) => {
      if (file === before.split.train[0]) throw new Error('the browser cannot read it');
      return decoder(f)(file, w, h);
    };
    const out = await run({ type: 'continue', runId: 'r5', items, files, backend: 'wasm' }, store, undefined, unreadable);
    expect(out.at(-1)).toMatchObject({ type: 'error' });
    expect(await store.getRun('r5')).toEqual(before);
  });

  it('a continued run stopped after one kind\'s new epoch keeps the other kind\'s results', async () => {
    await run(start('r6'), store, (s, m) => m.type === 'checkpoint' && m.epoch === 1 && s.stop());
    const before = (await store.getRun('r6'))!;
    expect(before.final?.dml).toBeDefined();
    // "both" alternates baseline then DML per epoch: stop once the baseline's epoch 2 is in.
    const out = await run({ type: 'continue', runId: 'r6', items, files, backend: 'wasm' }, store, (s, m) => {
      if (m.type === 'epoch' && m.event.run === 'baseline' && m.event.epoch === 2) s.stop();
    });
    const done = out.at(-1)!;
    if (done.type !== 'done') throw new Error(JSON.stringify(done));
    const stored = (await store.getRun('r6'))!;
    expect(stored.status).toBe('stopped');
    const baseline2 = stored.history.find((e) => e.run === 'baseline' && e.epoch === 2)!;
    const dml1 = stored.history.find((e) => e.run === 'dml' && e.epoch === 1)!;
    const { selected, ...last } = stored.final!;
    expect(last).toEqual({ baseline: baseline2.test.peers[0], dml: { ensemble: dml1.test.ensemble, peers: dml1.test.peers } });
    // The validation-chosen epochs come from the whole history, the stored epochs included.
    expect(selected?.dml?.ensemble.epoch).toBe(1);
    expect([1, 2]).toContain(selected?.baseline?.epoch);
    expect(done.result.final).toEqual(stored.final);
  });

  it('the test set chooses nothing: poisoned test labels leave the chosen epochs and the best networks exactly as they were', async () => {
    const cfg: TrainConfig = { ...config, mode: 'dml', epochs: 5, valFrac: 0.2, lr: 3e-3 };
    const plan = chooseSplit(items, splitOptionsOf(cfg));
    expect(plan.split.val.length).toBeGreaterThan(0);
    const testFiles = new Set(plan.names.test);
    // The test labels reversed: a test-based choice would now pick a different epoch.
    const poisoned = items.map((it) => (testFiles.has(it.file) ? { ...it, mos: 10 - it.mos } : it));
    const startWith = (runId: string, its: LabelledItem[]): StartMessage => ({ ...start(runId), config: cfg, items: its, split: plan.names });
    await run(startWith('clean', items), store);
    await run(startWith('poisoned', poisoned), store);
    const [clean, bad] = [(await store.getRun('clean'))!, (await store.getRun('poisoned'))!];
    const testSrcc = (r: typeof clean) => r.history.map((e) => e.test.ensemble!.srcc);
    const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs)) + 1;
    // The poison bites: test metrics differ, and choosing by them would pick another epoch.
    expect(testSrcc(bad)).not.toEqual(testSrcc(clean));
    expect(argmax(testSrcc(bad))).not.toBe(argmax(testSrcc(clean)));
    // Validation metrics, the chosen epochs and the best networks are untouched.
    expect(bad.history.map((e) => e.val)).toEqual(clean.history.map((e) => e.val));
    expect(bad.final!.selected!.dml!.ensemble.epoch).toBe(clean.final!.selected!.dml!.ensemble.epoch);
    expect(bad.final!.selected!.dml!.peers.map((p) => p.epoch)).toEqual(clean.final!.selected!.dml!.peers.map((p) => p.epoch));
    expect(bad.checkpoints.best!.epochs).toEqual(clean.checkpoints.best!.epochs);
    const [bestClean, bestBad] = [await store.readCheckpoint('clean', 'best'), await store.readCheckpoint('poisoned', 'best')];
    expect(bestBad!.states.dml!.nets.flat().map((t) => Array.from(t.data))).toEqual(bestClean!.states.dml!.nets.flat().map((t) => Array.from(t.data)));
  });
});
