/**
 * A training session whose storage fills up mid-run (the store's byte-limit test hook): the
 * checkpoints that do not fit are reported in one updated warning, training and its metrics go
 * on unchanged, and once there is room again the next checkpoint — with a best the full
 * storage refused — is written, so the stored best is the one an unhindered run stores.
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSyntheticSet } from '../core/data/syntheticSet';
import type { ImageDecoder } from '../core/data/loadImages';
import type { LabelledItem } from '../core/data/types';
import { chooseSplit } from '../core/splitPolicy';
import { QUICK_DEMO, type TrainConfig, splitOptionsOf } from '../core/train/config';
import { initNodeBackend } from '../node/tfNode';
import type { BackendSelection } from './backendSelection';
import type { FromWorker, StartMessage } from './protocol';
import { openRunStore, type RunStore } from '../storage/runStore';
import type { CheckpointRef } from '../storage/runRecord';
import { TrainerSession, type SessionPlatform } from './trainerSession';
import { CHECKPOINTS_FULL } from './runRecorder';

const SIZE = 16;
const set = makeSyntheticSet(24, SIZE, 5, 6);
const items: LabelledItem[] = Array.from({ length: 24 }, (_, i) => ({ file: `img/${i}.png`, mos: set.mos[i]!, ref: set.refs[i], line: i + 2 }));
const files = items.map((it) => ({ path: it.file, file: new Blob([new Uint8Array([1])]) }));
const config: TrainConfig = { ...QUICK_DEMO, mode: 'both', epochs: 8, batchSize: 8, valFrac: 0.2, lr: 3e-3, input: { kind: 'resize', width: SIZE, height: SIZE } };

const decoder: SessionPlatform['decoder'] = (): ImageDecoder => async (file) => {
  const img = set.store.image(Number(/(\d+)/.exec(file)![1]));
  return { ...img, data: img.data.slice() };
};
const selection: BackendSelection = { report: { type: 'backend', name: 'wasm', reason: 'You chose wasm.', candidates: [{ name: 'wasm' }] }, fallbacks: [] };

let reference: RunStore;
let limited: RunStore;
beforeAll(async () => {
  await initNodeBackend('wasm');
  // Two databases: the byte limit counts every run's checkpoints in its own.
  reference = await openRunStore({ name: 'faults-reference' });
  limited = await openRunStore({ name: 'faults-limited' });
});
afterAll(() => {
  reference.close();
  limited.close();
});

async function run(msg: StartMessage, store: RunStore, during?: (m: FromWorker) => void): Promise<FromWorker[]> {
  const out: FromWorker[] = [];
  const platform: SessionPlatform = {
    decoder,
    selectBackend: async () => selection,
    startBackend: async () => null,
    watchDeviceLoss: () => null,
    runStore: async () => store,
  };
  await new TrainerSession((m) => {
    out.push(m);
    during?.(m);
  }, platform).run(msg);
  return out;
}

const start = (runId: string, debug?: StartMessage['debug']): StartMessage => ({
  type: 'start',
  runId,
  config,
  items,
  files,
  split: chooseSplit(items, splitOptionsOf(config)).names,
  backend: 'wasm',
  meta: { name: runId, dataset: { name: 'synthetic', scoreFileName: 'mos.csv', proxy: true } },
  ...(debug && { debug }),
});

const netsOf = async (store: RunStore, runId: string) => (await store.readCheckpoint(runId, 'best'))!.states;

describe('TrainerSession when the storage fills up mid-run', () => {
  it('reports what was not kept in one warning, trains on unchanged, and writes the refused best once there is room', async () => {
    // The unhindered run: its checkpoint size and, after each checkpoint, the best it stores.
    const bestAfter = new Map<number, Promise<CheckpointRef | undefined>>();
    const ref = await run(start('ref'), reference, (m) => {
      if (m.type === 'checkpoint') bestAfter.set(m.epoch, reference.getRun('ref').then((r) => r!.checkpoints.best));
    });
    const bytes = ref.flatMap((m) => (m.type === 'checkpoint' ? [m.bytes] : []));
    expect(bytes).toHaveLength(config.epochs);
    const S = bytes[0]!;
    const refBest = new Map<number, CheckpointRef>();
    for (const [e, p] of bestAfter) refBest.set(e, (await p)!);

    // Storage fills at epoch 2 and stays full through an epoch where the unhindered run stored a
    // new best and the next did not improve: that best is refused, and only its being offered
    // again brings it into the store once there is room.
    const improved = (e: number) => refBest.get(e)!.blobId !== refBest.get(e - 1)!.blobId;
    const fullUntil = [...refBest.keys()].find((e) => e >= 2 && e < config.epochs && improved(e) && !improved(e + 1))!;
    expect(fullUntil, 'an epoch ≥ 2 improves on validation and the next does not').toBeDefined();

    // Room for epoch 1's last and best (2 S), not for a third checkpoint beside them.
    const warnings: { key?: string; message: string }[] = [];
    let bestOnRecovery: Promise<CheckpointRef | undefined> | null = null;
    const out = await run(start('full', { storeByteLimit: 2.5 * S }), limited, (m) => {
      if (m.type === 'checkpoint' && m.epoch === fullUntil + 1) bestOnRecovery = limited.getRun('full').then((r) => r!.checkpoints.best);
      if (m.type !== 'warning') return;
      warnings.push(m);
      // The user deletes old runs: the storage has room again.
      if (m.message.includes(`epoch ${fullUntil} (`) || m.message.includes(` and ${fullUntil} (`)) limited.setByteLimit(undefined);
    });
    expect(out.at(-1)).toMatchObject({ type: 'done', result: { stopped: false } });

    const refused = Array.from({ length: fullUntil - 1 }, (_, i) => i + 2);
    const saved = out.flatMap((m) => (m.type === 'checkpoint' ? [m.epoch] : []));
    expect(saved).toEqual([1, ...Array.from({ length: config.epochs - fullUntil }, (_, i) => fullUntil + 1 + i)]);
    // Every warning is the one keyed line, updated: each refusal, then the recovery.
    expect(warnings.every((w) => w.key === CHECKPOINTS_FULL)).toBe(true);
    expect(warnings).toHaveLength(refused.length + 1);
    expect(warnings[0]!.message).toMatch(
      /^Storage is full: the checkpoint of epoch 2 \(networks and optimizer state\) was not saved\. The last checkpoint kept is that of epoch 1: a reload or a crash continues from there\./,
    );
    expect(warnings[0]!.message).toMatch(/Training goes on; every epoch's metrics are still recorded\. To make room, delete runs .* “Export model” first/);
    expect(warnings.at(-2)!.message).toContain(`The best networks so far (by validation SRCC:`);
    expect(warnings.at(-1)!.message).toBe(
      `Storage had room again: the checkpoint of epoch ${fullUntil + 1} is saved, with the best networks so far. ` +
        `The ${refused.length === 1 ? 'checkpoint of epoch 2 was' : `checkpoints of epochs ${refused.slice(0, -1).join(', ')} and ${refused.at(-1)} were`} not saved, which no longer matters: a reload continues from epoch ${fullUntil + 1}.`,
    );

    // Training was not touched: the same metrics, epoch by epoch, all of them stored.
    const [a, b] = [(await reference.getRun('ref'))!, (await limited.getRun('full'))!];
    const metrics = (r: typeof a) => r.history.map((e) => [e.run, e.epoch, e.trainLoss.total, e.val, e.test]);
    expect(b.history).toHaveLength(2 * config.epochs);
    expect(metrics(b)).toEqual(metrics(a));
    expect(b.status).toBe('finished');
    expect(b.final).toEqual(a.final);
    // The best the full storage refused was written once there was room: the same epochs as the
    // unhindered run's then (not epoch 1's, the last best that fitted), and the same at the end.
    expect((await bestOnRecovery!)!.epochs).toEqual(refBest.get(fullUntil + 1)!.epochs);
    expect(refBest.get(fullUntil + 1)!.epochs).not.toEqual(refBest.get(1)!.epochs);
    expect(b.checkpoints.best!.epochs).toEqual(a.checkpoints.best!.epochs);
    const [na, nb] = [await netsOf(reference, 'ref'), await netsOf(limited, 'full')];
    for (const kind of ['baseline', 'dml'] as const)
      expect(nb[kind]!.nets.flat().map((t) => Array.from(t.data))).toEqual(na[kind]!.nets.flat().map((t) => Array.from(t.data)));
    expect(b.checkpoints.last!.epoch).toBe(config.epochs);
  });
});
