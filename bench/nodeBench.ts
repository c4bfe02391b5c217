/** The benchmark's Node side: the same src/core trainer on the wasm backend, images decoded by sharp. */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importDataset } from '../src/core/data/importDataset';
import { loadImages } from '../src/core/data/loadImages';
import { spreadSample } from '../src/core/data/spreadSample';
import { makeSplit } from '../src/core/splits';
import { QUICK_DEMO, type TrainConfig } from '../src/core/train/config';
import type { EpochEvent, StepEvent } from '../src/core/train/history';
import { experimentData, train } from '../src/core/train/loop';
import { decodeFile } from '../src/node/decodeImages';
import { initNodeBackend } from '../src/node/tfNode';
import { benchRow, type BenchCase, type BenchRow } from './benchRow';

const DEMO = resolve(fileURLToPath(import.meta.url), '../../public/demo');

/** The first `n` demo items spread evenly over the references, as the browser harness picks them. */
export async function demoSlice(n: number) {
  const manifest = JSON.parse(await readFile(join(DEMO, 'manifest.json'), 'utf8')) as { scoreFile: string; images: string[] };
  const scoreText = await readFile(join(DEMO, manifest.scoreFile), 'utf8');
  const { items } = importDataset({ scoreFileName: manifest.scoreFile, scoreText, files: manifest.images });
  return spreadSample(items, n);
}

export function benchConfig(c: BenchCase): TrainConfig {
  return {
    ...QUICK_DEMO,
    mode: c.mode,
    model: c.model as TrainConfig['model'],
    input: { kind: 'resize', width: c.size, height: c.size },
    epochs: 2,
    batchSize: c.batch,
    decayEvery: 0,
    split: 'random',
  };
}

export async function nodeBench(cases: BenchCase[], images: number): Promise<BenchRow[]> {
  await initNodeBackend('wasm');
  const items = await demoSlice(images);
  const size = cases[0]!.size;
  const loaded = await loadImages(items, size, size, (f, w, h) => decodeFile(join(DEMO, f), w, h));
  const rows: BenchRow[] = [];
  for (const c of cases) {
    const config = benchConfig(c);
    const split = makeSplit(loaded.items, { kind: 'random', testFrac: config.testFrac, seed: config.seed });
    const steps: StepEvent[] = [];
    const epochs: EpochEvent[] = [];
    await train(config, experimentData(loaded, split), {
      emit: (e) => (e.type === 'step' ? steps.push(e) : e.type === 'epoch' && epochs.push(e)),
    });
    rows.push(benchRow('node', { ...c, backend: 'wasm' }, steps, epochs));
  }
  return rows;
}
