/**
 * Experiments of several runs in the worker's session: a training-size sweep (sizes × repeats,
 * one stored run each, one group), the cross-dataset set scored every epoch, and a stopped
 * experiment continued whole (its stopped run and its queued ones) to the results of one never stopped.
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSyntheticSet } from '../core/data/syntheticSet';
import type { ImageDecoder } from '../core/data/loadImages';
import type { LabelledItem } from '../core/data/types';
import { chooseSplits } from '../core/splitPolicy';
import { QUICK_DEMO, splitOptionsOf, type TrainConfig } from '../core/train/config';
import { pairedSummary } from '../core/train/history';
import { initNodeBackend } from '../node/tfNode';
import { openRunStore, type RunStore } from '../storage/runStore';
import type { BackendSelection } from './backendSelection';
import type { ContinueMessage, FromWorker, StartMessage } from './protocol';
import { TrainerSession, type SessionPlatform } from './trainerSession';

const SIZE = 16;
const set = makeSyntheticSet(24, SIZE, 5, 6);
const items: LabelledItem[] = Array.from({ length: 24 }, (_, i) => ({ file: `img/${i}.png`, mos: set.mos[i]!, ref: set.refs[i], line: i + 2 }));
const files = items.map((it) => ({ path: it.file, file: new Blob([new Uint8Array([1])]) }));
const config: TrainConfig = { ...QUICK_DEMO, mode: 'both', epochs: 1, batchSize: 4, valFrac: 0.2, input: { kind: 'resize', width: SIZE, height: SIZE } };

/** Any path ending in a number is that synthetic image; a path under broken/ cannot be read. */
const decoder: SessionPlatform['decoder'] = (): ImageDecoder => async (file) => {
  if (file.startsWith('broken/')) throw new Error('not an image');
  const img = set.store.image(Number(/(\d+)\.png$/.exec(file)![1]));
  return { ...img, data: img.data.slice() };
};
const selection: BackendSelection = { report: { type: 'backend', name: 'wasm', reason: 'You chose wasm.', candidates: [{ name: 'wasm' }] }, fallbacks: [] };

let store: RunStore;
beforeAll(async () => {
  await initNodeBackend('wasm');
  store = await openRunStore({ name: 'session-sweep-test' });
});
afterAll(() => store.close());

async function run(msg: StartMessage | ContinueMessage, s: RunStore | null, during?: (session: TrainerSession, m: FromWorker) => void) {
  const out: FromWorker[] = [];
  const session = new TrainerSession(
    (m) => {
      out.push(m);
      during?.(session, m);
    },
    { decoder, selectBackend: async () => selection, startBackend: async () => null, watchDeviceLoss: () => null, runStore: s ? async () => s : undefined },
  );
  await session.run(msg);
  return out;
}

function experiment(runId: string, cfg: TrainConfig): StartMessage {
  const [split, ...moreSplits] = chooseSplits(items, splitOptionsOf(cfg), cfg.repeats).map((c) => c.names);
  return { type: 'start', runId, config: cfg, items, files, split: split!, moreSplits, backend: 'wasm', meta: { name: 'synthetic · both · tiny', dataset: { name: 'synthetic', scoreFileName: 'mos.csv', proxy: true } } };
}
const doneOf = (out: FromWorker[]) => {
  const d = out.at(-1)!;
  if (d.type !== 'done') throw new Error(JSON.stringify(out.filter((m) => m.type === 'error')));
  return d;
};

describe('experiments of several runs in the session', () => {
  it('a sweep: 2 sizes × 2 repeats as 4 stored runs of one group, each size on the same validation and test images, one progress', async () => {
    const out = await run(experiment('sw', { ...config, repeats: 2, trainSizes: [0.5, 1] }), store);
    const done = doneOf(out);
    const runs = await Promise.all(['sw', 'sw~2', 'sw~3', 'sw~4'].map(async (id) => (await store.getRun(id))!));
    expect(runs.map((r) => [r.status, r.group])).toEqual([
      ['finished', { id: 'sw', index: 0, count: 4, repeat: 0, trainSize: 0.5 }],
      ['finished', { id: 'sw', index: 1, count: 4, repeat: 1, trainSize: 0.5 }],
      ['finished', { id: 'sw', index: 2, count: 4, repeat: 0, trainSize: 1 }],
      ['finished', { id: 'sw', index: 3, count: 4, repeat: 1, trainSize: 1 }],
    ]);
    expect(runs.map((r) => r.name)).toEqual(['synthetic · both · tiny · size 0.5 · repeat 1/2', 'synthetic · both · tiny · size 0.5 · repeat 2/2', 'synthetic · both · tiny · size 1 · repeat 1/2', 'synthetic · both · tiny · size 1 · repeat 2/2']);
    // Each run is one run of its own: its repeat's seed, no sweep in its config.
    expect(runs.map((r) => r.config.seed)).toEqual([runs[0]!.config.seed, runs[1]!.config.seed, runs[0]!.config.seed, runs[1]!.config.seed]);
    for (const r of runs) expect([r.config.repeats, 'trainSizes' in r.config]).toEqual([1, false]);
    for (const k of [0, 1]) {
      const [small, whole] = [runs[k]!, runs[k + 2]!];
      expect(small.split.test).toEqual(whole.split.test);
      expect(small.split.val).toEqual(whole.split.val);
      expect(small.split.train.length).toBeLessThan(whole.split.train.length);
      for (const f of small.split.train) expect(whole.split.train).toContain(f);
    }
    // One progress over the four runs: each 'repeat' says the steps planned before it, of one total.
    const repeats = out.flatMap((m) => (m.type === 'repeat' ? [m] : []));
    expect(repeats.map((m) => [m.index, m.count, m.trainSize])).toEqual([[0, 4, 0.5], [1, 4, 0.5], [2, 4, 1], [3, 4, 1]]);
    const steps = repeats.map((m) => m.steps!);
    expect(new Set(steps.map((s) => s.total)).size).toBe(1);
    expect(steps[0]!.before).toBe(0);
    for (let i = 1; i < 4; i++) expect(steps[i]!.before).toBeGreaterThan(steps[i - 1]!.before);
    // 'done' gives the sweep's rows, each size's paired differences over its stored runs' results.
    expect(done.repeats).toBeUndefined();
    expect(done.sweep!.map((s) => [s.trainSize, s.trainImages])).toEqual([[0.5, [runs[0]!.split.train.length, runs[1]!.split.train.length]], [1, [runs[2]!.split.train.length, runs[3]!.split.train.length]]]);
    expect(done.sweep![1]!.paired).toEqual(pairedSummary([runs[2]!.final!, runs[3]!.final!]));
    expect(done.sweep![0]!.repeats.map((r) => r.split)).toEqual([runs[0]!.split, runs[1]!.split]);
  }, 120_000);

  it('a size the training side cannot meet is refused before anything trains', async () => {
    const out = await run(experiment('toobig', { ...config, trainSizes: [500] }), store);
    expect(out.at(-1)).toMatchObject({ type: 'error', message: expect.stringMatching(/training size of 500 images is more than the \d+ the training side holds/) });
    expect(out.some((m) => m.type === 'steps')).toBe(false);
    expect(await store.getRun('toobig')).toBeUndefined();
  });

  it('the cross-dataset set is scored whole every epoch: holding the test images, its metrics are the test set’s', async () => {
    const msg = experiment('cross', { ...config, epochs: 2 });
    const crossItems = msg.split.test.map((f, i) => ({ ...items.find((it) => it.file === f)!, file: `other/${/(\d+)\.png$/.exec(f)![1]}.png`, line: i + 2 }));
    const crossFiles = crossItems.map((it) => ({ path: it.file, file: new Blob([]) }));
    const out = await run({ ...msg, cross: { name: 'other', scoreFileName: 'other.csv', proxy: false, items: crossItems, files: crossFiles } }, store);
    const epochs = out.flatMap((m) => (m.type === 'epoch' ? [m.event] : []));
    expect(epochs).toHaveLength(4);
    for (const e of epochs) {
      expect(e.cross!.peers[0]!.n).toBe(crossItems.length);
      expect(e.cross!.peers[0]!.srcc).toBeCloseTo(e.test.peers[0]!.srcc, 10);
      if (e.run === 'dml') expect(e.cross!.ensemble!.plcc).toBeCloseTo(e.test.ensemble!.plcc, 10);
    }
    expect(doneOf(out).result.final.cross?.dml?.ensemble.srcc).toBeCloseTo(doneOf(out).result.final.dml!.ensemble.srcc, 10);
    expect((await store.getRun('cross'))!.cross).toEqual({ name: 'other', scoreFileName: 'other.csv', imageCount: crossItems.length, proxy: false, files: crossItems.map((it) => it.file) });

    const broken = crossItems.map((it) => ({ ...it, file: it.file.replace('other/', 'broken/') }));
    const bad = await run({ ...experiment('cross-bad', config), cross: { name: 'other', scoreFileName: 'other.csv', proxy: false, items: broken, files: [] } }, store);
    expect(bad.at(-1)).toMatchObject({ type: 'error', kind: 'data', message: expect.stringMatching(/cross-dataset score file "other\.csv" could be decoded from the folder "other"/) });
  }, 120_000);

  it('continuing checks the cross-dataset set: none, another or other images are refused naming both sets; the same one goes on', async () => {
    const msg = experiment('xc', { ...config, epochs: 2 });
    const crossItems = msg.split.test.map((f, i) => ({ ...items.find((it) => it.file === f)!, file: `other/${/(\d+)\.png$/.exec(f)![1]}.png`, line: i + 2 }));
    const cross = { name: 'other', scoreFileName: 'other.csv', proxy: false, items: crossItems, files: crossItems.map((it) => ({ path: it.file, file: new Blob([]) })) };
    await run({ ...msg, cross }, store, (s, m) => m.type === 'checkpoint' && m.epoch === 1 && s.stop());
    const again = (c?: typeof cross) => run({ type: 'continue', runId: 'xc', items, files, backend: 'wasm', ...(c && { cross: c }) }, store);
    const refused = async (c: typeof cross | undefined, words: RegExp) => {
      const out = await again(c);
      expect(out.at(-1)).toMatchObject({ type: 'error', kind: 'data', message: expect.stringMatching(words) });
      expect(out.some((m) => m.type === 'epoch')).toBe(false);
      expect((await store.getRun('xc'))!.status).toBe('stopped');
    };
    await refused(undefined, /scored on the cross-dataset set "other" \(score file "other\.csv"\).*slot is empty.*Choose that set again/);
    await refused({ ...cross, name: 'livec', scoreFileName: 'livec.csv' }, /set is "other" \(score file "other\.csv"\), and "livec" \(score file "livec\.csv"\) is in the cross-dataset slot/);
    await refused({ ...cross, items: crossItems.slice(1) }, /same names but other images: 1 of its \d+ images are not in it \(other\//);
    const out = await again(cross);
    expect(doneOf(out).result.stopped).toBe(false);
    const history = (await store.getRun('xc'))!.history;
    expect(history.map((e) => `${e.run}${e.epoch}`)).toEqual(['baseline1', 'dml1', 'baseline2', 'dml2']);
    expect(history.every((e) => e.cross?.peers[0]?.n === crossItems.length)).toBe(true);

    // A run without a cross-dataset set is not continued with one.
    await run(experiment('nox', { ...config, epochs: 2 }), store, (s, m) => m.type === 'checkpoint' && m.epoch === 1 && s.stop());
    const out2 = await run({ type: 'continue', runId: 'nox', items, files, backend: 'wasm', cross }, store);
    expect(out2.at(-1)).toMatchObject({ type: 'error', message: expect.stringMatching(/trained without a cross-dataset set, and "other" \(score file "other\.csv"\).*Remove it/) });
  }, 120_000);

  it('a run stopped mid-way stays out of the paired results: they hold the finished runs, and say how many of the planned', async () => {
    const cfg = { ...config, epochs: 2, repeats: 3 };
    let index = 0;
    const out = await run(experiment('part', cfg), null, (s, m) => {
      if (m.type === 'repeat') index = m.index;
      // The second run's first epoch (both kinds): its baseline and DML are then at different epochs from the first run's.
      if (index === 1 && m.type === 'epoch' && m.event.run === 'dml' && m.event.epoch === 1) s.stop();
    });
    const done = doneOf(out);
    expect(done.result.stopped).toBe(true);
    expect(done.runs).toEqual({ finished: 1, planned: 3 });
    const first = out.flatMap((m) => (m.type === 'epoch' ? [m.event] : [])).filter((e) => e.epoch === 2);
    expect(done.repeats!.finals).toHaveLength(1);
    expect(done.repeats!.finals[0]!.baseline!.srcc).toBe(first.find((e) => e.run === 'baseline')!.test.peers[0]!.srcc);
    expect(done.repeats!.paired).toEqual(pairedSummary(done.repeats!.finals));

    // Stopped in the first run: nothing finished, so no paired results at all.
    const none = doneOf(await run(experiment('part0', cfg), null, (s, m) => m.type === 'epoch' && s.stop()));
    expect(none.runs).toEqual({ finished: 0, planned: 3 });
    expect(none.repeats).toBeUndefined();
  }, 120_000);

  it('a stopped experiment keeps its later runs queued; continuing the group trains them all, to the results of one never stopped', async () => {
    const cfg = { ...config, epochs: 2, repeats: 3 };
    const reference = doneOf(await run(experiment('ref', cfg), null));
    // Stop in the first run's second epoch.
    await run(experiment('grp', cfg), store, (s, m) => m.type === 'checkpoint' && m.epoch === 1 && s.stop());
    const status = async () => Promise.all(['grp', 'grp~2', 'grp~3'].map(async (id) => (await store.getRun(id))!.status));
    expect(await status()).toEqual(['stopped', 'queued', 'queued']);
    expect((await store.getRun('grp~3'))!.name).toBe('synthetic · both · tiny · repeat 3/3');

    const out = await run({ type: 'continue', runId: 'grp', then: ['grp~2', 'grp~3'], items, files, backend: 'wasm' }, store);
    const done = doneOf(out);
    expect(await status()).toEqual(['finished', 'finished', 'finished']);
    expect(out.flatMap((m) => (m.type === 'repeat' ? [`${m.index}/${m.count} ${m.runId}`] : []))).toEqual(['0/3 grp', '1/3 grp~2', '2/3 grp~3']);
    // The first run goes on from its checkpoint; the queued ones start from the beginning.
    expect(out.flatMap((m) => (m.type === 'continued' ? [m.fromEpoch] : []))).toEqual([1, 0, 0]);
    // The images were decoded once for the three runs.
    expect(out.filter((m) => m.type === 'ingest' && m.done === m.total)).toHaveLength(1);
    expect(done.repeats!.finals).toHaveLength(3);
    for (const [k, f] of done.repeats!.finals.entries()) {
      expect(f.baseline!.srcc).toBeCloseTo(reference.repeats!.finals[k]!.baseline!.srcc, 4);
      expect(f.dml!.ensemble.plcc).toBeCloseTo(reference.repeats!.finals[k]!.dml!.ensemble.plcc, 4);
    }
    expect(done.repeats!.paired.dml_vs_baseline!.mean).toBeCloseTo(reference.repeats!.paired.dml_vs_baseline!.mean, 4);
  }, 180_000);
});
