/**
 * Continuing a queued run of an experiment on a user's backbone: it has no checkpoint, so it
 * starts from the backbone's pretrained weights, which no run stores: the page sends the
 * backbone files again, and they must be the ones the experiment started with.
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallModel } from '../../test/support/backbones';
import { makeSyntheticSet } from '../core/data/syntheticSet';
import type { ImageDecoder } from '../core/data/loadImages';
import type { LabelledItem } from '../core/data/types';
import { layersModelFiles } from '../core/io/layersModelFiles';
import { chooseSplits } from '../core/splitPolicy';
import { QUICK_DEMO, splitOptionsOf, type TrainConfig } from '../core/train/config';
import { initNodeBackend } from '../node/tfNode';
import { openRunStore, type RunStore } from '../storage/runStore';
import type { BackendSelection } from './backendSelection';
import type { ContinueMessage, FromWorker, ModelFile, StartMessage } from './protocol';
import { TrainerSession, type SessionPlatform } from './trainerSession';

const SIZE = 16;
const set = makeSyntheticSet(24, SIZE, 5, 6);
const items: LabelledItem[] = Array.from({ length: 24 }, (_, i) => ({ file: `img/${i}.png`, mos: set.mos[i]!, ref: set.refs[i], line: i + 2 }));
const files = items.map((it) => ({ path: it.file, file: new Blob([new Uint8Array([1])]) }));
const config: TrainConfig = {
  ...QUICK_DEMO,
  mode: 'both',
  model: 'backbone',
  backbone: { trainFrom: 'head', scaling: 'imagenet' },
  epochs: 1,
  batchSize: 4,
  valFrac: 0.2,
  repeats: 2,
  input: { kind: 'resize', width: SIZE, height: SIZE },
};
const decoder: SessionPlatform['decoder'] = (): ImageDecoder => async (file) => {
  const img = set.store.image(Number(/(\d+)\.png$/.exec(file)![1]));
  return { ...img, data: img.data.slice() };
};
const selection: BackendSelection = { report: { type: 'backend', name: 'wasm', reason: 'You chose wasm.', candidates: [{ name: 'wasm' }] }, fallbacks: [] };

let store: RunStore;
let backbone: ModelFile[];
let other: ModelFile[];
beforeAll(async () => {
  await initNodeBackend('wasm');
  store = await openRunStore({ name: 'session-backbone-test' });
  const model = smallModel();
  const saved = await layersModelFiles(model);
  model.dispose();
  const asFiles = (json: string): ModelFile[] => [
    { name: 'model.json', file: new Blob([json]) },
    { name: 'weights.bin', file: new Blob([new Uint8Array(saved.weights)]) },
  ];
  backbone = asFiles(saved.modelJson);
  // The same weights under another model name: another model.json, as another backbone would have.
  const renamed = JSON.parse(saved.modelJson) as { modelTopology: { config: { name: string } } };
  renamed.modelTopology.config.name = 'another';
  other = asFiles(JSON.stringify(renamed));
});
afterAll(() => store.close());

async function run(msg: StartMessage | ContinueMessage, during?: (session: TrainerSession, m: FromWorker) => void) {
  const out: FromWorker[] = [];
  const session = new TrainerSession(
    (m) => {
      out.push(m);
      during?.(session, m);
    },
    { decoder, selectBackend: async () => selection, startBackend: async () => null, watchDeviceLoss: () => null, runStore: async () => store },
  );
  await session.run(msg);
  return out;
}

describe('continuing a queued run of a custom-backbone experiment', () => {
  it('needs the backbone files again, refuses another backbone, and trains from the right one', async () => {
    const [split, ...moreSplits] = chooseSplits(items, splitOptionsOf(config), config.repeats).map((c) => c.names);
    const start: StartMessage = { type: 'start', runId: 'bb', config, items, files, split: split!, moreSplits, backend: 'wasm', backboneFiles: backbone, meta: { name: 'bb', dataset: { name: 'synthetic', scoreFileName: 'mos.csv', proxy: true } } };
    await run(start, (s, m) => m.type === 'epoch' && s.stop());
    expect((await store.getRun('bb~2'))!.status).toBe('queued');

    const again = (backboneFiles?: ModelFile[]) => run({ type: 'continue', runId: 'bb~2', items, files, backend: 'wasm', ...(backboneFiles && { backboneFiles }) });
    const none = await again();
    expect(none.at(-1)).toMatchObject({ type: 'error', kind: 'data', message: expect.stringMatching(/has not trained yet.*Pick that backbone’s model\.json and weight files/) });
    // Refused before decoding anything.
    expect(none.some((m) => m.type === 'ingest')).toBe(false);
    const wrong = await again(other);
    expect(wrong.at(-1)).toMatchObject({ type: 'error', kind: 'data', message: expect.stringMatching(/not the one "bb · repeat 2\/2" was planned with/) });
    expect((await store.getRun('bb~2'))!.status).toBe('queued');

    const out = await again(backbone);
    expect(out.at(-1)).toMatchObject({ type: 'done', result: { stopped: false } });
    const done = (await store.getRun('bb~2'))!;
    expect(done.status).toBe('finished');
    expect(done.history.map((e) => `${e.run}${e.epoch}`)).toEqual(['baseline1', 'dml1']);
  }, 120_000);
});
