/**
 * Data bigger than memory: the session's memory budget, its images kept on disk (a Node file
 * here, the private file system in the browser) and streamed, trained to the same result as in
 * memory; stopped, continued and checked on re-supplied data as in memory; the file deleted.
 */
import 'fake-indexeddb/auto';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSyntheticSet } from '../core/data/syntheticSet';
import type { ImageDecoder } from '../core/data/loadImages';
import type { LabelledItem } from '../core/data/types';
import { chooseSplit } from '../core/splitPolicy';
import { QUICK_DEMO, type TrainConfig, splitOptionsOf } from '../core/train/config';
import type { EpochEvent } from '../core/train/history';
import { deviceAllowance, memoryBudget } from '../core/data/memoryBudget';
import { budgetInput, modelFootprint } from '../core/models/footprint';
import { tempPageFile } from '../node/filePages';
import { initNodeBackend } from '../node/tfNode';
import { openRunStore, type RunStore } from '../storage/runStore';
import type { BackendSelection } from './backendSelection';
import type { DecodePool } from './decodePool';
import type { ContinueMessage, FromWorker, StartMessage, StorageReport } from './protocol';
import { TrainerSession, type SessionPlatform } from './trainerSession';

const SIZE = 16;
const set = makeSyntheticSet(40, SIZE, 7, 8);
const items: LabelledItem[] = Array.from({ length: 40 }, (_, i) => ({ file: `img/${i}.png`, mos: set.mos[i]!, ref: set.refs[i], line: i + 2 }));
const files = items.map((it) => ({ path: it.file, file: new Blob([new Uint8Array(100)]) }));
const config: TrainConfig = { ...QUICK_DEMO, mode: 'both', epochs: 3, batchSize: 4, decayEvery: 0, input: { kind: 'crop', width: SIZE, height: SIZE, size: 12 } };
const split = chooseSplit(items, splitOptionsOf(config)).names;

const decoder: SessionPlatform['decoder'] = (): ImageDecoder => async (file) => {
  const img = set.store.image(Number(/(\d+)/.exec(file)![1]));
  return { ...img, data: img.data.slice() };
};
const selection: BackendSelection = { report: { type: 'backend', name: 'wasm', reason: 'You chose wasm.', candidates: [{ name: 'wasm' }] }, fallbacks: [] };

let store: RunStore;
const opened: string[] = [];
beforeAll(async () => {
  await initNodeBackend('wasm');
  store = await openRunStore({ name: 'ingest-test' });
});
afterAll(() => store.close());

function platform(o: { disk?: boolean; pool?: (files: ReadonlyMap<string, Blob>) => DecodePool } = {}): SessionPlatform {
  return {
    decoder,
    selectBackend: async () => selection,
    startBackend: async () => null,
    watchDeviceLoss: () => null,
    runStore: async () => store,
    device: async () => ({ deviceMemoryGB: 8, disk: o.disk ?? true }),
    ...((o.disk ?? true) && {
      pageFile: async () => {
        const f = tempPageFile();
        opened.push(f.path);
        return f;
      },
    }),
    ...(o.pool && { decodePool: o.pool }),
  };
}

async function run(msg: StartMessage | ContinueMessage, p = platform(), during?: (s: TrainerSession, m: FromWorker) => void): Promise<FromWorker[]> {
  const out: FromWorker[] = [];
  const s = new TrainerSession((m) => {
    out.push(m);
    during?.(s, m);
  }, p);
  await s.run(msg);
  return out;
}

/** Room for the networks, a step and half the images: the rest must stay on disk. */
const need = memoryBudget(budgetInput(config, items.length, modelFootprint(config)), deviceAllowance({ disk: true }));
const TIGHT = need.training + need.parts.images / 2;
const start = (runId: string, deviceBytes?: number): StartMessage => ({
  type: 'start',
  runId,
  config,
  items,
  files,
  split,
  backend: 'wasm',
  ...(deviceBytes !== undefined && { memory: { deviceBytes } }),
});
const epochs = (out: FromWorker[]) => out.flatMap((m): EpochEvent[] => (m.type === 'epoch' ? [m.event] : []));
const storage = (out: FromWorker[]) => out.find((m): m is StorageReport => m.type === 'storage');
const strip = (e: EpochEvent) => ({ run: e.run, epoch: e.epoch, loss: e.trainLoss, test: e.test, val: e.val });

describe('ingest under a memory budget', () => {
  it('says before decoding that the images stream from disk, trains to exactly the in-memory result, and deletes the file', async () => {
    const mem = await run(start('mem'));
    expect(storage(mem)).toMatchObject({ mode: 'memory', fits: true });
    const disk = await run(start('disk', TIGHT));
    const report = storage(disk)!;
    expect(report).toMatchObject({ mode: 'disk', fits: true });
    expect(report.why).toMatch(/kept on disk .* streamed/);
    // Streaming for real: the cache holds a few batches, not the set.
    expect(report.streamCache).toBeLessThan(need.parts.images);
    expect(report.streamCache).toBeGreaterThanOrEqual(4 * config.batchSize * SIZE * SIZE * 3);
    // The report comes before the first decoded image.
    expect(disk.indexOf(report)).toBeLessThan(disk.findIndex((m) => m.type === 'ingest'));
    expect(disk.filter((m) => m.type === 'ingest').at(-1)).toMatchObject({ mode: 'disk', done: 40 });
    expect(disk.at(-1)!.type).toBe('done');
    expect(epochs(disk).map(strip)).toEqual(epochs(mem).map(strip));
    expect(opened.length).toBe(1);
    expect(existsSync(opened[0]!)).toBe(false);
  });

  it('a stopped streaming run continues from its checkpoint to the uninterrupted result; other data is refused as in memory', async () => {
    const whole = epochs(await run(start('whole', TIGHT)));
    let stopped = false;
    await run(start('cut', TIGHT), platform(), (s, m) => {
      if (!stopped && m.type === 'epoch' && m.event.epoch === 1 && m.event.run === 'dml') {
        stopped = true;
        s.stop();
      }
    });
    const other = await run({ type: 'continue', runId: 'cut', items: items.slice(0, 30), files: files.slice(0, 30), backend: 'wasm', memory: { deviceBytes: TIGHT } });
    expect(other.at(-1)).toMatchObject({ type: 'error', kind: 'data' });
    const cont = await run({ type: 'continue', runId: 'cut', items, files, backend: 'wasm', memory: { deviceBytes: TIGHT } });
    expect(storage(cont)).toMatchObject({ mode: 'disk' });
    expect(cont.at(-1)!.type).toBe('done');
    const after = epochs(cont).filter((e) => e.epoch > 1);
    expect(after.map(strip)).toEqual(whole.filter((e) => e.epoch > 1).map(strip));
    for (const f of opened) expect(existsSync(f)).toBe(false);
  });

  it("'done' comes only once the file on disk is gone (the page may end the worker on it)", async () => {
    let path = '';
    const p: SessionPlatform = {
      ...platform(),
      pageFile: async () => {
        const f = tempPageFile();
        path = f.path;
        // Deleting takes a while, as the private file system's removeEntry does.
        return { ...f, remove: () => new Promise<void>((res) => setTimeout(() => (f.remove(), res()), 30)) };
      },
    };
    let existedAtDone: boolean | null = null;
    const out = await run(start('gone', TIGHT), p, (_s, m) => {
      if (m.type === 'done') existedAtDone = existsSync(path);
    });
    expect(storage(out)).toMatchObject({ mode: 'disk' });
    expect(out.at(-1)!.type).toBe('done');
    expect(existedAtDone).toBe(false);
  });

  it('images that fit neither in memory nor on disk are refused before decoding, naming what would fit', async () => {
    let decoded = 0;
    const p = { ...platform({ disk: false }), decoder: (() => async () => (decoded++, decoder(new Map())('img/0.png', SIZE, SIZE))) as SessionPlatform['decoder'] };
    const out = await run(start('nowhere', TIGHT), p);
    expect(storage(out)).toMatchObject({ mode: 'disk', fits: false });
    const error = out.at(-1)!;
    expect(error).toMatchObject({ type: 'error', kind: 'data' });
    expect(error.type === 'error' && error.message).toMatch(/no private file system/);
    expect(decoded).toBe(0);
  });

  it('Stop while decoding cancels the pool at once: nothing more is decoded and the run ends stopped', async () => {
    let cancelled = 0;
    let calls = 0;
    const pool = (): DecodePool => {
      let stop: (() => void) | null = null;
      return {
        workers: 2,
        concurrency: 4,
        // Each decode waits until cancelled: only cancel() can end ingest.
        decoder: () => {
          calls++;
          return new Promise((_, reject) => {
            const prev = stop;
            stop = () => {
              prev?.();
              reject(new Error('stopped'));
            };
          });
        },
        cancel: () => {
          cancelled++;
          stop?.();
        },
        close: () => {},
      };
    };
    const out = await run(start('stop'), platform({ pool }), (s, m) => {
      if (m.type === 'storage') setTimeout(() => s.stop(), 20);
    });
    expect(cancelled).toBe(1);
    expect(calls).toBe(4);
    expect(out.at(-1)).toMatchObject({ type: 'done', result: { stopped: true } });
  });
});
