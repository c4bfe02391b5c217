/**
 * The studio's side of the PyTorch export, as a user goes round it: an experiment of 2 repeats
 * trained by the worker's session on demo images, exported from its stored runs as a project
 * zip, trained by that zip's train.py under Debian's PyTorch, and its results.json imported back
 * as one stored run per repeat, marked as trained in PyTorch.
 */
import 'fake-indexeddb/auto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../core/data/importDataset';
import type { LabelledItem } from '../core/data/types';
import { checkPytorchResults, type PytorchResults } from '../core/export/pytorch/results';
import { PYTHON, requireTorch, run, tempDir } from '../core/export/pytorch/pythonTestHelpers';
import { chooseSplits, repeatSeed } from '../core/splitPolicy';
import { PRETRAINED_QUICK, QUICK_DEMO, splitOptionsOf, type TrainConfig } from '../core/train/config';
import { finalFrom } from '../core/train/history';
import { decodeFile } from '../node/decodeImages';
import { listFilesRecursive } from '../node/files';
import { initNodeBackend } from '../node/tfNode';
import { openRunStore, type RunRecord, type RunStore } from '../storage/runStore';
import type { DatasetFile, FromWorker, TaskReply, TaskRequest } from './protocol';
import { runTask } from './tasks';
import { TrainerSession } from './trainerSession';

const DEMO = resolve(import.meta.dirname, '../../public/demo');
// Four references of the demo set (120 images): 2 train, 1 validation and 1 test reference per repeat.
const config: TrainConfig = { ...QUICK_DEMO, epochs: 1, repeats: 2, testFrac: 0.25, valFrac: 0.25 };

let store: RunStore;
const platform = { store: async () => store, decoder: () => async () => Promise.reject(new Error('no decoding in tasks here')) };
async function task<T extends TaskReply['task']>(req: TaskRequest & { task: T }) {
  return (await runTask(req, platform)).reply as Extract<TaskReply, { task: T }>;
}
const failure = (req: TaskRequest) => runTask(req, platform).then(
  () => '',
  (e: Error) => e.message,
);
const resultsFile = (json: unknown) => ({ task: 'importPytorch' as const, file: new Blob([JSON.stringify(json)]), fileName: 'results.json' });

let items: LabelledItem[] = [];
let studio: RunRecord[] = [];
let project = '';
let results: PytorchResults;

beforeAll(async () => {
  requireTorch();
  await initNodeBackend('wasm');
  store = await openRunStore({ name: 'pytorch-tasks-test' });
  const imported = importDataset({ scoreFileName: 'mos.csv', scoreText: await readFile(join(DEMO, 'mos.csv'), 'utf8'), files: await listFilesRecursive(DEMO) });
  items = imported.items.filter((it) => ['I01', 'I02', 'I03', 'I04'].some((r) => it.ref === `images/${r}.png`));
  expect(items).toHaveLength(120);
  const [split, ...moreSplits] = chooseSplits(items, splitOptionsOf(config), 2).map((c) => c.names);
  const files: DatasetFile[] = items.map((it) => ({ path: it.file, file: new Blob([]) }));
  const out: FromWorker[] = [];
  const session = new TrainerSession((m) => out.push(m), {
    decoder: () => (file, w, h) => decodeFile(join(DEMO, file), w, h),
    selectBackend: async () => ({ report: { type: 'backend', name: 'wasm', reason: '', candidates: [] }, fallbacks: [] }),
    startBackend: async () => null,
    watchDeviceLoss: () => null,
    runStore: async () => store,
  });
  await session.run({ type: 'start', runId: 'exp', config, items, files, split: split!, moreSplits, backend: 'wasm', meta: { name: 'demo · both · tiny', dataset: { name: 'images', scoreFileName: 'mos.csv', proxy: true } } });
  expect(out.at(-1), JSON.stringify(out.filter((m) => m.type === 'error'))).toMatchObject({ type: 'done' });
  studio = [(await store.getRun('exp'))!, (await store.getRun('exp~2'))!];
}, 120_000);
afterAll(() => store?.close());

describe('PyTorch export and import of stored runs', () => {
  it('exports both repeats of the experiment from either run: its splits, seeds, the scores stored with the run and the initial weights of each seed', async () => {
    // Scores are kept with each run, for its split's images.
    for (const r of studio) expect(Object.keys(r.scores!).sort()).toEqual([...r.split.train, ...r.split.val!, ...r.split.test].sort());
    const out = await task({ task: 'exportPytorch', runId: 'exp~2' });
    expect(out.fileName).toBe('demo_both_tiny-pytorch.zip');
    expect(out.repeats).toBe(2);
    const seeds = [config.seed, repeatSeed(config.seed, 1)];
    const entries = unzipSync(out.zip);
    expect(Object.keys(entries).sort()).toEqual(
      ['README.md', 'config.json', 'requirements.txt', 'scores.csv', 'split.json', 'train.py', ...seeds.flatMap((s) => [`weights/seed-${s}.bin`, `weights/seed-${s}.json`])]
        .map((p) => `demo_both_tiny-pytorch/${p}`)
        .sort(),
    );
    project = tempDir('pt-studio-');
    for (const [path, bytes] of Object.entries(entries)) {
      const to = join(project, path.replace(/^[^/]+\//, ''));
      mkdirSync(dirname(to), { recursive: true });
      writeFileSync(to, bytes);
    }
    const text = (p: string) => strFromU8(entries[`demo_both_tiny-pytorch/${p}`]!);
    expect(JSON.parse(text('split.json')).repeats).toEqual(studio.map((r) => ({ seed: r.config.seed, train: r.split.train, val: r.split.val, test: r.split.test })));
    expect(studio.map((r) => r.config.seed)).toEqual(seeds);
    const exported = JSON.parse(text('config.json'));
    expect(exported.config).toEqual({ ...studio[0]!.config, repeats: 2 });
    expect(exported.repeats).toEqual(seeds.map((s) => ({ seed: s, splitSeed: s })));
    const csv = Papa.parse<{ image: string; mos: string }>(text('scores.csv').trim(), { header: true }).data;
    const mos = new Map(items.map((it) => [it.file, it.mos]));
    expect(csv.length).toBe(new Set(studio.flatMap((r) => Object.keys(r.scores!))).size);
    for (const row of csv) expect(Number(row.mos)).toBe(mos.get(row.image));
  }, 60_000);

  it("the project's train.py trains what the studio trained: the same first epoch, to float32's drift", () => {
    const t = run(PYTHON, ['train.py', '--images', DEMO, '--out', 'results.json'], { cwd: project, timeoutMs: 180_000 });
    console.log(`train.py, 2 repeats × 1 epoch of baseline + DML on 60 training images: ${t.seconds.toFixed(1)} s`);
    const check = checkPytorchResults(JSON.parse(readFileSync(join(project, 'results.json'), 'utf8')));
    if (!check.ok) throw new Error(check.reason);
    results = check.results;
    expect(results.repeats!.map((r) => r.split)).toEqual(studio.map((r) => ({ train: r.split.train, val: r.split.val, test: r.split.test })));
    // The studio's initial weights, batches, crops and flips: each network's mean training loss agrees closely.
    results.repeats!.forEach((rep, i) =>
      rep.history.forEach((e) => {
        const s = studio[i]!.history.find((h) => h.run === e.run && h.epoch === e.epoch)!;
        e.trainLoss.total.forEach((l, k) => expect(Math.abs(l - s.trainLoss.total[k]!) / s.trainLoss.total[k]!, `repeat ${i + 1} ${e.run} net ${k}`).toBeLessThan(1e-3));
        e.test.peers.forEach((m, k) => expect(Math.abs(m.srcc - s.test.peers[k]!.srcc), `repeat ${i + 1} ${e.run} net ${k} SRCC`).toBeLessThan(0.01));
        console.log(`repeat ${i + 1} ${e.run}: test SRCC PyTorch ${e.test.peers.map((m) => m.srcc.toFixed(4)).join(' ')} · studio ${s.test.peers.map((m) => m.srcc.toFixed(4)).join(' ')}`);
      }),
    );
  }, 200_000);

  it('imports the results.json as one run per repeat, grouped, marked as trained in PyTorch, with metrics only', async () => {
    const reply = await task({ task: 'importPytorch', file: new Blob([readFileSync(join(project, 'results.json'))]), fileName: 'results.json' });
    expect(reply.runs.map((r) => r.name)).toEqual(['demo · both · tiny · PyTorch · repeat 1/2', 'demo · both · tiny · PyTorch · repeat 2/2']);
    const [a, b] = await Promise.all(reply.runs.map(async (r) => (await store.getRun(r.id))!));
    for (const [i, r] of [a!, b!].entries()) {
      const rep = results.repeats![i]!;
      expect(r.source).toBe('pytorch');
      expect(r.status).toBe('finished');
      expect(r.group).toEqual({ id: a!.id, index: i, count: 2 });
      expect(r.checkpoints).toEqual({});
      expect(r.config).toEqual(studio[i]!.config);
      expect(r.dataset).toMatchObject({ name: 'images', scoreFileName: 'mos.csv', proxy: true });
      expect({ train: r.split.train, val: r.split.val, test: r.split.test }).toEqual(rep.split);
      expect(r.history.map((e) => [e.run, e.epoch, e.test, e.val, e.trainLoss])).toEqual(rep.history.map((e) => [e.run, e.epoch, e.test, e.val, e.trainLoss]));
      expect(r.history.at(-1)!.predictions.peers[0]).toHaveLength(rep.split.test.length);
      expect(r.final).toEqual(finalFrom(r.history));
      expect(r.final!.dml!.ensemble).toEqual(rep.final.dml!.ensemble);
      expect(r.final!.selected?.baseline?.epoch).toBe(1);
    }
    // No networks came back: no model export, no scoring, no PyTorch export of it.
    expect(await failure({ task: 'export', runId: a!.id, slot: 'last' })).toMatch(/was trained in PyTorch: the studio has its metrics, not its networks/);
    expect(await failure({ task: 'score', model: { kind: 'run', runId: a!.id, slot: 'last' }, images: [{ path: 'x.png', file: new Blob([]) }] })).toMatch(/trained in PyTorch/);
    expect(await failure({ task: 'exportPytorch', runId: a!.id })).toMatch(/trained in PyTorch and brought back as results only/);
  });

  it('a single-repeat results.json becomes one ungrouped run; what is not such a file is refused with the reason', async () => {
    const one = { ...JSON.parse(readFileSync(join(project, 'results.json'), 'utf8')) };
    delete one.repeats;
    delete one.paired;
    const reply = await task(resultsFile(one));
    expect(reply.runs).toHaveLength(1);
    const r = (await store.getRun(reply.runs[0]!.id))!;
    expect(r.group).toBeUndefined();
    expect(r.name).toBe('demo · both · tiny · PyTorch');
    expect(r.config.seed).toBe(config.seed);

    const before = (await store.listRuns()).length;
    expect(await failure({ task: 'importPytorch', file: new Blob(['{"format": ']), fileName: 'results.json' })).toMatch(/^results.json was not imported: it is not JSON/);
    expect(await failure(resultsFile({ ...one, format: 'something else' }))).toContain('format must be "dml-iqa-pytorch-results/1"');
    const noTest = { ...one, final: { ...one.final, dml: undefined } };
    expect(await failure(resultsFile(noTest))).toContain('final.dml is missing');
    expect((await store.listRuns()).length).toBe(before);
  });

  it('refuses in words what cannot be exported: a run stored without its scores, a model train.py does not build', async () => {
    const { id: _id, checkpoints: _c, scores: _s, group: _g, ...rest } = studio[0]!;
    await store.createRun({ ...rest, id: 'old', name: 'old run' });
    expect(await failure({ task: 'exportPytorch', runId: 'old' })).toMatch(/^“old run” cannot be exported as a PyTorch project: it was stored before the studio kept each image's score/);
    await store.createRun({ ...rest, id: 'own', name: 'own backbone', config: { ...rest.config, model: 'backbone' }, scores: studio[0]!.scores });
    expect(await failure({ task: 'exportPytorch', runId: 'own' })).toContain('The model "backbone" is not in the PyTorch export yet');
  });

  it('a MobileNetV2 run goes with its pretrained body, read from the built-in model files; a cut that is no layer is refused before any network is built', async () => {
    const { id: _id, checkpoints: _c, group: _g, ...rest } = studio[0]!;
    const mobile: TrainConfig = { ...PRETRAINED_QUICK, repeats: 1 };
    await store.createRun({ ...rest, id: 'mobile', name: 'mobile', config: mobile });
    const readBuiltinModel = (path: string) => readFile(join(DEMO, '../models', path)).then((b) => new Uint8Array(b));
    const withModels = { ...platform, readBuiltinModel };
    expect(await failure({ task: 'exportPytorch', runId: 'mobile' })).toMatch(/cannot read the built-in MobileNetV2 weights/);
    const out = (await runTask({ task: 'exportPytorch', runId: 'mobile' }, withModels)).reply as Extract<TaskReply, { task: 'exportPytorch' }>;
    expect(out.files).toEqual(expect.arrayContaining(['backbone/mobilenetv2.json', 'backbone/mobilenetv2.bin', 'backbone/LICENSE', 'weights/seed-1.json', 'train.py']));
    const entries = unzipSync(out.zip);
    const meta = JSON.parse(strFromU8(entries['mobile-pytorch/backbone/mobilenetv2.json']!));
    expect(meta.tensors.length).toBeGreaterThan(100);
    expect(JSON.parse(strFromU8(entries['mobile-pytorch/config.json']!)).config.backbone).toEqual({ trainFrom: 'head', cuts: PRETRAINED_QUICK.backbone!.cuts });

    await store.createRun({ ...rest, id: 'badcut', name: 'bad cut', config: { ...mobile, backbone: { trainFrom: 'head', cuts: ['no_such_layer'] } } });
    const why = await runTask({ task: 'exportPytorch', runId: 'badcut' }, withModels).then(() => '', (e: Error) => e.message);
    expect(why).toContain('The mobilenetv2 body has no layer "no_such_layer" to cut at');
  }, 120_000);
});
