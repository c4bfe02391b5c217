/**
 * ingestImages on its own: a store that cannot write (a full disk) stops ingest with the disk's
 * words instead of blaming each image; the cross set's budget counts the main set's memory;
 * the cross set's problems are tagged as its own.
 */
import { describe, expect, it } from 'vitest';
import { ImageStore } from '../core/data/imageStore';
import type { ImageDecoder } from '../core/data/loadImages';
import { deviceAllowance, memoryBudget } from '../core/data/memoryBudget';
import type { PageFile } from '../core/data/pagedImageStore';
import type { LabelledItem } from '../core/data/types';
import { budgetInput, modelFootprint } from '../core/models/footprint';
import { QUICK_DEMO, type TrainConfig } from '../core/train/config';
import { DataError } from './describeError';
import { ingestImages, planStorage, type IngestArgs } from './ingest';
import type { FromWorker } from './protocol';

const SIZE = 16;
const N = 40;
const items: LabelledItem[] = Array.from({ length: N }, (_, i) => ({ file: `img/${i}.png`, mos: i, line: i + 2 }));
const files = items.map((it) => ({ path: it.file, file: new Blob([new Uint8Array(100)]) }));
const config: TrainConfig = { ...QUICK_DEMO, mode: 'both', epochs: 1, batchSize: 4, decayEvery: 0, input: { kind: 'crop', width: SIZE, height: SIZE, size: 12 } };
const need = memoryBudget(budgetInput(config, N, modelFootprint(config)), deviceAllowance({ disk: true }));
const IMAGES = N * SIZE * SIZE * 3;

const decodeAll: ImageDecoder = async (file, w, h) => {
  if (file === 'img/5.png') throw new Error('damaged');
  return { width: w, height: h, data: new Uint8Array(w * h * 3).fill(7) };
};

/** A page file that takes `room` images, then writes short as a full disk does. */
function shortFile(room: number): PageFile & { removed: boolean } {
  let wrote = 0;
  const f = {
    removed: false,
    read: (into: Uint8Array) => into.length,
    write: (from: Uint8Array) => (++wrote <= room ? from.length : 100),
    remove: () => void (f.removed = true),
  };
  return f;
}

function args(o: Partial<IngestArgs> & { deviceBytes?: number; page?: PageFile }): { a: IngestArgs; sent: FromWorker[] } {
  const sent: FromWorker[] = [];
  const a: IngestArgs = {
    config,
    items,
    files,
    backend: 'wasm',
    hints: o.deviceBytes !== undefined ? { deviceBytes: o.deviceBytes } : undefined,
    platform: {
      decoder: () => decodeAll,
      device: async () => ({ deviceMemoryGB: 8, disk: true, diskFree: 123 * 2 ** 20 }),
      pageFile: async () => o.page ?? shortFile(N),
    },
    send: (m) => sent.push(m),
    isStopped: () => false,
    onCancel: () => {},
    ...o,
  };
  return { a, sent };
}

describe('ingestImages', () => {
  it('a short write to disk stops ingest with what failed, the space and what to do, not as bad images', async () => {
    const page = shortFile(10);
    const { a, sent } = args({ deviceBytes: need.training + IMAGES / 2, page });
    const err = await ingestImages(a).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/Writing the decoded images to disk failed at img\/\d+\.png: Only 100 of 768 bytes .* disk/);
    expect((err as Error).message).toMatch(/123 MB more\. Free disk space/);
    expect(sent.some((m) => m.type === 'problems')).toBe(false);
    expect(page.removed).toBe(true);
  });

  it('the cross set is planned with the main set\'s images counted as in use', async () => {
    // Room for the cross set alone in memory, not beside a main set of the same size.
    const deviceBytes = need.training + IMAGES * 1.5;
    const alone = await planStorage(args({ deviceBytes, quiet: true }).a);
    expect(alone.mode).toBe('memory');
    const main = new ImageStore(N, SIZE, SIZE);
    for (let i = 0; i < N; i++) main.set(i, { width: SIZE, height: SIZE, data: new Uint8Array(SIZE * SIZE * 3) });
    const beside = await planStorage(args({ deviceBytes, quiet: true, held: [main] }).a);
    expect(beside.mode).toBe('disk');
  });

  it('the cross set\'s problems are tagged as its own; the main set\'s are not', async () => {
    const cross = args({ quiet: true });
    await ingestImages(cross.a);
    const mainRun = args({});
    await ingestImages(mainRun.a);
    const problems = (s: FromWorker[]) => s.flatMap((m) => (m.type === 'problems' ? m.problems : []));
    expect(problems(cross.sent).map((p) => [p.file, p.set])).toEqual([['img/5.png', 'cross']]);
    expect(problems(mainRun.sent).map((p) => [p.file, p.set])).toEqual([['img/5.png', undefined]]);
  });
});
