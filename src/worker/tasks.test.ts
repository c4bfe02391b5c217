import 'fake-indexeddb/auto';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSyntheticSet } from '../core/data/syntheticSet';
import type { ImageDecoder } from '../core/data/loadImages';
import { chooseSplit } from '../core/splitPolicy';
import { QUICK_DEMO, type TrainConfig, splitOptionsOf } from '../core/train/config';
import { initNodeBackend } from '../node/tfNode';
import type { DatasetFile, FromWorker, ScoreTable, TaskReply, TaskRequest } from './protocol';
import { openRunStore, type RunStore } from '../storage/runStore';
import { runTask } from './tasks';
import { TrainerSession } from './trainerSession';

const SIZE = 16;
const set = makeSyntheticSet(20, SIZE, 9, 5);
const config: TrainConfig = { ...QUICK_DEMO, mode: 'both', epochs: 1, batchSize: 8, split: 'random', input: { kind: 'resize', width: SIZE, height: SIZE } };
const items = Array.from({ length: 20 }, (_, i) => ({ file: `img/${i}.png`, mos: set.mos[i]!, line: i + 2 }));
const blob = () => new Blob([new Uint8Array([1])]);
const files: DatasetFile[] = items.map((it) => ({ path: it.file, file: blob() }));
const decoder = (): ImageDecoder => async (file) => {
  const img = set.store.image(Number(/(\d+)/.exec(file)![1]));
  return { ...img, data: img.data.slice() };
};

let store: RunStore;
const platform = { store: async () => store, decoder };
async function task<T extends TaskReply['task']>(req: TaskRequest & { task: T }) {
  return (await runTask(req, platform)).reply as Extract<TaskReply, { task: T }>;
}
/** Two images to score, and a file that is not one. */
const toScore: DatasetFile[] = [
  { path: 'new/img/3.png', file: blob() },
  { path: 'new/img/17.png', file: blob() },
  { path: 'new/notes.txt', file: blob() },
];
const score = (runId: string) => task({ task: 'score', model: { kind: 'run', runId, slot: 'last' }, images: toScore });

function maxDiff(a: ScoreTable, b: ScoreTable): number {
  expect(b.columns.map((c) => c.name)).toEqual(a.columns.map((c) => c.name));
  return Math.max(...a.columns.flatMap((c, k) => c.values.map((v, i) => Math.abs(v - b.columns[k]!.values[i]!))));
}

beforeAll(async () => {
  await initNodeBackend('wasm');
  store = await openRunStore({ name: 'tasks-test' });
  const out: FromWorker[] = [];
  const session = new TrainerSession((m) => out.push(m), {
    decoder,
    selectBackend: async () => ({ report: { type: 'backend', name: 'wasm', reason: '', candidates: [] }, fallbacks: [] }),
    startBackend: async () => null,
    watchDeviceLoss: () => null,
    runStore: async () => store,
  });
  await session.run({ type: 'start', runId: 'trained', config, items, files, split: chooseSplit(items, splitOptionsOf(config)).names, backend: 'wasm', meta: { name: 'my run', dataset: { name: 'synthetic', scoreFileName: 'mos.csv', proxy: true } } });
  expect(out.at(-1)).toMatchObject({ type: 'done' });
});
afterAll(() => store.close());

describe('tasks on stored runs', () => {
  it('scores images with a run; export, delete, import, and the imported run scores them the same', async () => {
    const before = await score('trained');
    expect(before.files).toEqual(['new/img/3.png', 'new/img/17.png']);
    expect(before.columns.map((c) => c.name)).toEqual(['Baseline', 'DML ensemble', 'DML peer A', 'DML peer B']);
    expect(before.problems).toEqual(['1 file is not JPEG, PNG, BMP or WebP and was left out.']);
    const ens = before.columns[1]!.values;
    before.columns[1]!.values.forEach((_, i) => expect(ens[i]).toBeCloseTo((before.columns[2]!.values[i]! + before.columns[3]!.values[i]!) / 2, 5));
    expect(before.csv.split('\n')[0]).toBe('image,Baseline,DML ensemble,DML peer A,DML peer B');
    expect(before.csv.split('\n')[1]).toBe(['new/img/3.png', ...before.columns.map((c) => String(c.values[0]))].join(','));

    const exported = await task({ task: 'export', runId: 'trained', slot: 'last' });
    expect(exported.fileName).toBe('my_run-epoch1.zip');
    expect(Object.keys(unzipSync(exported.zip)).sort()).toEqual(
      ['README.txt', 'baseline/model.json', 'baseline/weights.bin', 'config.json', 'dml_peerA/model.json', 'dml_peerA/weights.bin', 'dml_peerB/model.json', 'dml_peerB/weights.bin', 'metrics.json', 'run.json'],
    );
    const original = (await store.getRun('trained'))!;
    await store.deleteRun('trained');

    const imported = await task({ task: 'import', file: new Blob([exported.zip as Uint8Array<ArrayBuffer>]), fileName: exported.fileName });
    expect(imported.name).toBe('my run');
    const run = (await store.getRun(imported.runId))!;
    expect(run).toMatchObject({ status: 'finished', config, final: original.final, dataset: { name: 'synthetic', imageCount: 20, proxy: true } });
    expect(run.history.map((e) => `${e.run}${e.epoch}`)).toEqual(original.history.map((e) => `${e.run}${e.epoch}`));
    expect(run.checkpoints.last).toMatchObject({ epoch: 1, runs: ['baseline', 'dml'] });

    const after = await score(imported.runId);
    expect(after.files).toEqual(before.files);
    expect(maxDiff(before, after)).toBeLessThanOrEqual(1e-6);

    // A network of the zip, loaded as a user's TF.js model, scores like that network.
    const unzipped = unzipSync(exported.zip);
    const modelFiles = ['model.json', 'weights.bin'].map((n) => ({ name: `dml_peerA/${n}`, file: new Blob([unzipped[`dml_peerA/${n}`]! as Uint8Array<ArrayBuffer>]) }));
    expect(await task({ task: 'checkModel', files: modelFiles })).toEqual({ task: 'checkModel', name: 'model.json', inputSize: [SIZE, SIZE] });
    const user = await task({ task: 'score', model: { kind: 'user', files: modelFiles }, images: toScore });
    expect(user.columns.map((c) => c.name)).toEqual(['model.json']);
    user.columns[0]!.values.forEach((v, i) => expect(Math.abs(v - before.columns[2]!.values[i]!)).toBeLessThanOrEqual(1e-6));
  });

  it('says in words when a run has no networks yet or a zip is not one', async () => {
    await store.createRun({ id: 'empty', name: 'too short', config, dataset: { name: 'd', scoreFileName: 's', imageCount: 0, files: [], proxy: false }, split: { train: [], test: [], kind: 'random', reason: '' } });
    await expect(task({ task: 'export', runId: 'empty', slot: 'best' })).rejects.toThrow('"too short" has no saved networks yet');
    await expect(task({ task: 'import', file: new Blob(['not a zip']), fileName: 'x.zip' })).rejects.toThrow(/x\.zip is not a readable zip file/);
    await expect(task({ task: 'score', model: { kind: 'run', runId: 'empty', slot: 'last' }, images: [{ path: 'a.txt', file: blob() }] })).rejects.toThrow(
      /None of the chosen files is an image/,
    );
  });
});
