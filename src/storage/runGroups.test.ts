import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import type { IqaMetrics } from '../core/metrics';
import { QUICK_DEMO } from '../core/train/config';
import { sweepEntries } from '../core/train/experiment';
import type { EpochEvent, FinalMetrics } from '../core/train/history';
import { deleteGroup, groupConfig, groupName, groupReport, groupResults, groupRunList, unfinishedRuns, type RunGroup } from './runGroups';
import type { RunRecord, RunStatus } from './runRecord';
import { openRunStore, type NewRun, type RunStore } from './runStore';

let n = 0;
const opened: RunStore[] = [];
afterEach(() => {
  while (opened.length) opened.pop()!.close();
});
async function fresh(): Promise<{ store: RunStore; name: string }> {
  const name = `groups-db-${++n}`;
  const store = await openRunStore({ name });
  opened.push(store);
  return { store, name };
}

const m = (srcc: number): IqaMetrics => ({ srcc, krcc: srcc, plcc: srcc, plccRaw: srcc, rmse: 1, n: 5 });
const final = (b: number, d: number): FinalMetrics => ({ baseline: m(b), dml: { ensemble: m(d), peers: [m(d), m(d)] } });
const dataset = { name: 'demo', scoreFileName: 'mos.csv', imageCount: 4, files: ['a.png', 'b.png', 'c.png', 'd.png'], proxy: true };

/** A run of experiment `g` (index i of count), trained on `train` images. */
function member(g: string, i: number, count: number, status: RunStatus, extra: { trainSize?: number; repeat?: number; train?: number; f?: FinalMetrics; createdAt?: number } = {}): NewRun {
  const train = Array.from({ length: extra.train ?? 2 }, (_, k) => `t${k}.png`);
  return {
    id: i === 0 ? g : `${g}~${i + 1}`,
    name: `demo · both · tiny${extra.trainSize !== undefined ? ` · size ${extra.trainSize}` : ''} · repeat ${(extra.repeat ?? i) + 1}/2`,
    config: { ...QUICK_DEMO, seed: 10 + (extra.repeat ?? i), repeats: 1 },
    dataset,
    split: { train, val: ['v.png'], test: ['x.png'], kind: 'ref', reason: '' },
    status,
    createdAt: extra.createdAt ?? 1000 + i,
    ...(extra.f && { final: extra.f }),
    group: { id: g, index: i, count, repeat: extra.repeat ?? i, ...(extra.trainSize !== undefined && { trainSize: extra.trainSize }) },
  };
}

const single = (id: string, createdAt: number): NewRun => ({ id, name: id, config: QUICK_DEMO, dataset, split: { train: ['a'], test: ['b'], kind: 'random', reason: '' }, createdAt });

describe('experiment groups in the runs list', () => {
  it('lists each experiment’s runs together, in experiment order, where its newest run falls', async () => {
    const { store } = await fresh();
    await store.createRun(single('old', 1));
    for (const [i, s] of (['finished', 'stopped', 'queued'] as const).entries()) await store.createRun(member('exp', i, 3, s, { createdAt: 100 - i }));
    await store.createRun(single('new', 500));
    const list = groupRunList(await store.listRuns());
    expect(list.map((e) => (e.kind === 'run' ? e.run.id : `[${e.group.runs.map((r) => r.id).join(' ')}]`))).toEqual(['new', '[exp exp~2 exp~3]', 'old']);
    const g = (list[1] as { group: RunGroup }).group;
    expect([g.count, g.trainSizes]).toEqual([3, []]);
    // Continuing the experiment trains the stopped and the queued run, in order.
    expect(unfinishedRuns(g).map((r) => r.id)).toEqual(['exp~2', 'exp~3']);
    expect(groupName(g)).toBe('demo · both · tiny');
    expect(groupConfig(g)).toMatchObject({ repeats: 3, seed: 10 });
    expect(groupConfig(g)).not.toHaveProperty('trainSizes');
  });

  it('a sweep’s report from its stored runs: config with its sizes, the finished runs per size and their paired differences', async () => {
    const { store } = await fresh();
    const runs = [
      member('sw', 0, 4, 'finished', { trainSize: 0.5, repeat: 0, train: 2, f: final(0.3, 0.35) }),
      member('sw', 1, 4, 'finished', { trainSize: 0.5, repeat: 1, train: 3, f: final(0.2, 0.21) }),
      member('sw', 2, 4, 'finished', { trainSize: 1, repeat: 0, train: 4, f: final(0.5, 0.45) }),
      member('sw', 3, 4, 'queued', { trainSize: 1, repeat: 1, train: 5 }),
    ];
    for (const r of runs) await store.createRun(r);
    const [entry] = groupRunList(await store.listRuns());
    const g = (entry as { group: RunGroup }).group;
    expect(g.trainSizes).toEqual([0.5, 1]);
    expect(groupConfig(g)).toMatchObject({ repeats: 2, trainSizes: [0.5, 1], seed: 10 });
    expect(groupResults(g).map((r) => [r.trainSize, r.result.seed, r.result.split.train.length])).toEqual([[0.5, 10, 2], [0.5, 11, 3], [1, 10, 4]]);
    const report = groupReport(g)!;
    expect(report.name).toBe('demo · both · tiny');
    expect(report.dataset).toEqual({ images: 'demo', scores: 'mos.csv', demo: true, proxyScores: true, imageCount: 4 });
    expect(report.sweep!.map((s) => [s.trainSize, s.trainImages])).toEqual([[0.5, [2, 3]], [1, [4]]]);
    expect(report.sweep![0]!.paired.dml_vs_baseline!.perRepeat.map((v) => +v.toFixed(6))).toEqual([0.05, 0.01]);
    expect(report.sweep).toEqual(sweepEntries(groupResults(g)));
    // Round-trips as JSON (what the download holds).
    expect(JSON.parse(JSON.stringify(report)).sweep[0].trainSize).toBe(0.5);
  });

  it('a final the record lacks comes from its history', async () => {
    const { store } = await fresh();
    const e: EpochEvent = { type: 'epoch', run: 'baseline', epoch: 1, trainLoss: { supervised: [1], mimicry: [0], total: [1] }, test: { peers: [m(0.4)] }, predictions: { peers: [] }, lr: 1, seconds: 1, imagesPerSec: 1, memory: { numTensors: 0, numBytes: 0 } };
    await store.createRun({ ...member('h', 0, 2, 'finished'), history: [e] });
    await store.createRun(member('h', 1, 2, 'running'));
    const g = (groupRunList(await store.listRuns())[0] as { group: RunGroup }).group;
    expect(groupResults(g).map((r) => r.result.final.baseline?.srcc)).toEqual([0.4]);
    expect(unfinishedRuns(g)).toEqual([]);
  });

  it('deletes every run of the experiment with its checkpoints, and nothing else; refuses while one trains', async () => {
    const { store, name } = await fresh();
    await store.createRun(single('keep', 1));
    for (let i = 0; i < 3; i++) {
      const r: RunRecord = await store.createRun(member('del', i, 3, i === 2 ? 'queued' : 'finished'));
      if (i < 2) await store.writeCheckpoint(r.id, { epoch: 1, states: { baseline: { nets: [[{ name: 'w', shape: [1], data: new Float32Array([i]) }]], optimizers: [[]] } }, best: 'last' });
    }
    await store.writeCheckpoint('keep', { epoch: 1, states: { baseline: { nets: [[{ name: 'w', shape: [1], data: new Float32Array([9]) }]], optimizers: [[]] } }, best: 'last' });
    expect(await deleteGroup(store, 'del')).toBe(3);
    expect((await store.listRuns()).map((r) => r.id)).toEqual(['keep']);
    const db = await openDB(name);
    const blobs = (await db.getAllKeys('blobs')) as string[];
    db.close();
    expect(blobs.every((b) => b.startsWith('keep/'))).toBe(true);
    expect(blobs).toHaveLength(1);

    await store.createRun(member('busy', 0, 2, 'finished'));
    await store.createRun(member('busy', 1, 2, 'running'));
    await expect(deleteGroup(store, 'busy')).rejects.toThrow(/is training now/);
    expect((await store.listRuns()).filter((r) => r.group?.id === 'busy')).toHaveLength(2);
  });
});
