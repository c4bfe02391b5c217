import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeSyntheticSet } from '../core/data/syntheticSet';
import type { LabelledItem } from '../core/data/types';
import type { ImageDecoder } from '../core/data/loadImages';
import { chooseSplit } from '../core/splitPolicy';
import { QUICK_DEMO, type TrainConfig, splitOptionsOf } from '../core/train/config';
import { epochsDone } from '../core/train/history';
import { initNodeBackend } from '../node/tfNode';
import type { BackendSelection } from './backendSelection';
import type { FromWorker, StartMessage } from './protocol';
import { TrainerSession, type SessionPlatform } from './trainerSession';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

const SIZE = 16;
const set = makeSyntheticSet(24, SIZE, 11, 6);
const items: LabelledItem[] = Array.from({ length: 24 }, (_, i) => ({ file: `img/${i}.png`, mos: set.mos[i]!, ref: set.refs[i], line: i + 2 }));
const config: TrainConfig = { ...QUICK_DEMO, mode: 'both', epochs: 2, batchSize: 8, input: { kind: 'resize', width: SIZE, height: SIZE }, split: 'official' };

/** Stands in for createImageBitmap: the synthetic images, and a failure for files given as empty blobs. */
const decoder: SessionPlatform['decoder'] = (files): ImageDecoder => async (file) => {
  const blob = files.get(file);
  if (!blob) throw new Error('the file is not in the chosen folder');
  if (blob.size === 0) throw new Error('the browser cannot read it as JPEG, PNG, BMP or WebP');
  const img = set.store.image(Number(/(\d+)/.exec(file)![1]));
  return { ...img, data: img.data.slice() };
};

const wasmSelection: BackendSelection = {
  report: { type: 'backend', name: 'wasm', reason: 'You chose wasm.', candidates: [{ name: 'wasm' }] },
  fallbacks: [],
};
const platform: SessionPlatform = {
  decoder,
  selectBackend: async () => wasmSelection,
  startBackend: async () => null,
  watchDeviceLoss: () => null,
};

function start(over: Partial<StartMessage> = {}): StartMessage {
  const files = items.map((it, i) => ({ path: it.file, file: new Blob(i === 5 ? [] : [new Uint8Array([1, 2, 3])]) }));
  const c = over.config ?? config;
  return { type: 'start', runId: 'r1', config, items, files, split: chooseSplit(items, splitOptionsOf(c)).names, backend: 'wasm', ...over };
}

async function run(msg: StartMessage, during?: (s: TrainerSession, m: FromWorker) => void): Promise<FromWorker[]> {
  const out: FromWorker[] = [];
  const s = new TrainerSession((m) => {
    out.push(m);
    during?.(s, m);
  }, platform);
  await s.run(msg);
  return out;
}

describe('TrainerSession', () => {
  it('ingests, reports the bad file, leaves it out of the split, trains both runs and ends with done', async () => {
    const out = await run(start());
    const types = out.map((m) => (m.type === 'state' ? `state:${m.state}` : m.type));
    // The order the page relies on.
    const firstOf = (t: string) => types.indexOf(t);
    expect(types[0]).toBe('state:ingesting');
    expect(firstOf('ingest')).toBeLessThan(firstOf('problems'));
    expect(firstOf('problems')).toBeLessThan(firstOf('split'));
    expect(firstOf('split')).toBeLessThan(firstOf('state:measuring'));
    expect(firstOf('state:measuring')).toBeLessThan(firstOf('backend'));
    expect(firstOf('backend')).toBeLessThan(firstOf('state:training'));
    expect(firstOf('state:training')).toBeLessThan(firstOf('steps'));
    expect(types[types.length - 1]).toBe('done');

    const problems = out.find((m) => m.type === 'problems')!;
    expect(problems.type === 'problems' && problems.problems.map((p) => [p.kind, p.file, p.line])).toEqual([['unreadable-image', 'img/5.png', 7]]);
    const ingest = out.filter((m) => m.type === 'ingest').at(-1)!;
    expect(ingest).toMatchObject({ done: 24, total: 24, bytes: 24 * SIZE * SIZE * 3 });
    // The page's split fell back from "official" (no split column) to by-reference; the worker trains on it.
    expect(out.some((m) => m.type === 'warning')).toBe(false);
    const split = out.find((m) => m.type === 'split')!;
    if (split.type !== 'split') throw new Error();
    expect(split.train.length + split.val.length + split.test.length).toBe(23);
    expect(split.val.length).toBeGreaterThan(0);
    expect(split.train).not.toContain('img/5.png');
    expect(split.reason).toMatch(/^Split by reference/);

    const epochs = out.flatMap((m) => (m.type === 'epoch' ? [m.event] : []));
    expect(epochs.map((e) => `${e.run}${e.epoch}`)).toEqual(['baseline1', 'dml1', 'baseline2', 'dml2']);
    // Every step arrives once, in order, before its epoch's event.
    const steps = out.flatMap((m) => (m.type === 'steps' ? m.steps : []));
    const perEpoch = steps.filter((s) => s.run === 'baseline' && s.epoch === 0).length;
    expect(steps.length).toBe(perEpoch * 4);
    expect(epochs[3]!.memory.numTensors).toBe(epochs[1]!.memory.numTensors);
    const done = out.at(-1)!;
    expect(done.type === 'done' && epochsDone(done.result.history)).toEqual({ baseline: 2, dml: 2 });
    expect(done.type === 'done' && done.result.stopped).toBe(false);
  });

  it('stops within one step of the request and ends with done, stopped', async () => {
    let sentStop = false;
    let firstSteps: string[] = [];
    let stopping = false;
    let stepsAfterStop = 0;
    const out = await run(start({ config: { ...config, batchSize: 2, epochs: 3 } }), (s, m) => {
      // Counted from the moment the session takes the stop ('stopping', sent after it flushes the
      // steps done before): steps finished between the page's request and then are not its fault.
      if (m.type === 'state' && m.state === 'stopping') stopping = true;
      if (m.type === 'steps' && stopping) stepsAfterStop += m.steps.length;
      // At the first steps message: the batcher sends the run's first step at once, alone, so the
      // stop comes early in epoch 1 however fast this machine steps (at step 2, a later, timed
      // batch could already hold the whole epoch).
      if (m.type === 'steps' && !sentStop) {
        sentStop = true;
        firstSteps = m.steps.map((e) => `${e.epoch}:${e.step}/${e.stepsPerEpoch}`);
        queueMicrotask(() => s.stop());
      }
    });
    expect(firstSteps).toEqual([expect.stringMatching(/^0:0\/([3-9]|\d\d+)$/)]);
    expect(out.some((m) => m.type === 'state' && m.state === 'stopping')).toBe(true);
    expect(stepsAfterStop).toBeLessThanOrEqual(1);
    expect(out.some((m) => m.type === 'epoch')).toBe(false);
    const done = out.at(-1)!;
    expect(done.type === 'done' && done.result).toMatchObject({ stopped: true, history: [] });
  });

  it('answers bad settings, no decodable image and a diverging run with errors of their kind', async () => {
    const bad = await run(start({ config: { ...config, lr: 5 } }));
    expect(bad).toEqual([{ type: 'error', kind: 'data', message: expect.stringMatching(/Learning rate must be between 0 and 1/) }]);

    const empty = await run(start({ files: [] }));
    expect(empty.at(-1)).toMatchObject({ type: 'error', kind: 'data', message: expect.stringMatching(/None of the 24 images could be decoded/) });

    const before = tf.memory().numTensors;
    // Scores near float32's limit: the squared error overflows to Infinity at the first step.
    const huge = items.map((it) => ({ ...it, mos: it.mos * 1e30 }));
    const diverged = await run(start({ items: huge, config: { ...config, mode: 'baseline' } }));
    expect(diverged.at(-1)).toMatchObject({ type: 'error', kind: 'diverged' });
    expect(tf.memory().numTensors - before).toBeLessThanOrEqual(3);
  });
});
