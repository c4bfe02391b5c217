import * as tf from '@tensorflow/tfjs';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { epochOf, imagesOf, testConfig, testData } from '../../../test/support/training';
import { testViews } from '../data/inputMode';
import type { Cohort } from '../train/cohort';
import { predictCohort, type CohortPredictions } from '../train/evaluate';
import type { EpochEvent, RunKind } from '../train/history';
import { createCohort } from '../train/cohort';
import { trainMeanMos, type ExperimentData } from '../train/loop';
import { finalFrom } from '../train/history';
import { layersModelFiles } from './layersModelFiles';
import { exportModelZip, loadUserModel, ModelFileError, readModelZip, type ModelZip } from './modelZip';
import { cohortsFromStates, statesFromNets } from './restoreCohorts';
import { netsPredictor, scoreImages, scoreRuns, scoresCsv, scoreWithNets } from './scoreImages';

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function expectSamePredictions(got: CohortPredictions, want: CohortPredictions): void {
  expect(got.peers).toHaveLength(want.peers.length);
  want.peers.forEach((p, k) => expect(maxDiff(got.peers[k]!, p)).toBeLessThanOrEqual(1e-6));
  if (want.ensemble) expect(maxDiff(got.ensemble!, want.ensemble)).toBeLessThanOrEqual(1e-6);
  else expect(got.ensemble).toBeUndefined();
}

describe('model zip', () => {
  const config = testConfig({ mode: 'both', peers: 2 });
  let data: ExperimentData;
  let cohorts: Record<'baseline' | 'dml', Cohort>;
  const events: Partial<Record<RunKind, EpochEvent>> = {};
  let zip: Uint8Array;
  let back: ModelZip;
  let all: number[];

  beforeAll(async () => {
    await tf.setBackend('cpu');
    data = testData(32, 16);
    all = Array.from({ length: data.store.count }, (_, i) => i);
    cohorts = { baseline: createCohort('baseline', config, trainMeanMos(data)), dml: createCohort('dml', config, trainMeanMos(data)) };
    for (const run of ['baseline', 'dml'] as const) events[run] = await epochOf(cohorts[run], run, 0, config, data);
    zip = await exportModelZip({
      config,
      cohorts,
      final: finalFrom([events.baseline!, events.dml!]),
      history: [events.baseline!, events.dml!],
      about: { name: 'test run', epoch: 1, checkpoint: 'last', dataset: { name: 'synthetic', imageCount: 32, proxy: true } },
    });
    back = await readModelZip(zip);
  });

  afterAll(() => {
    cohorts.baseline.dispose();
    cohorts.dml.dispose();
    for (const n of back.nets) n.model.dispose();
  });

  it('holds each network as a standard TF.js folder, plus config, metrics and a README', () => {
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual(
      [
        'README.txt',
        'baseline/model.json',
        'baseline/weights.bin',
        'config.json',
        'dml_peerA/model.json',
        'dml_peerA/weights.bin',
        'dml_peerB/model.json',
        'dml_peerB/weights.bin',
        'metrics.json',
        'run.json',
      ].sort(),
    );
    const modelJson = JSON.parse(strFromU8(files['dml_peerB/model.json']!));
    expect(modelJson.format).toBe('layers-model');
    expect(modelJson.weightsManifest).toHaveLength(1);
    expect(modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);
    const specBytes = (modelJson.weightsManifest[0].weights as { shape: number[] }[]).reduce((s, w) => s + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
    expect(files['dml_peerB/weights.bin']!.byteLength).toBe(specBytes);
    const readme = strFromU8(files['README.txt']!);
    expect(readme).toContain('tf.loadLayersModel');
    expect(readme).toContain('(A(x) + B(flip(x))) / 2');
    expect(readme).toContain('[N, 16, 16, 3]');
    expect(readme).toContain('0.485, 0.456, 0.406');
    expect(readme).toMatch(/proxy/);
    const metrics = JSON.parse(strFromU8(files['metrics.json']!));
    expect(metrics.final.dml.ensemble.srcc).toBe(events.dml!.test.ensemble!.srcc);
    expect(metrics.history.map((h: { run: string }) => h.run)).toEqual(['baseline', 'dml']);
    expect(metrics.history[1].predictions.peers).toEqual([]);
  });

  it('reads back the config, metrics and every network, which predict exactly as the originals', async () => {
    expect(back.config).toEqual(config);
    expect(back.metrics.final.baseline!.srcc).toBe(events.baseline!.test.peers[0]!.srcc);
    expect(back.nets.map((n) => [n.name, n.flipped])).toEqual([
      ['Baseline', false],
      ['DML peer A', false],
      ['DML peer B', true],
    ]);
    for (const run of ['baseline', 'dml'] as const) {
      const want = await predictCohort(cohorts[run], imagesOf(config, data), all);
      const got = await scoreImages(netsPredictor(back.nets.filter((n) => n.run === run)), data.store, { input: config.input, scaling: 'imagenet' });
      expectSamePredictions(got, want);
    }
    // The flip is what makes peer B's prediction: fed unflipped, it would differ.
    const peerB = back.nets[2]!;
    const unflipped = await scoreImages(netsPredictor([{ model: peerB.model, flipped: false }]), data.store, { input: config.input, scaling: 'imagenet' });
    const flipped = await scoreImages(netsPredictor([peerB]), data.store, { input: config.input, scaling: 'imagenet' });
    expect(maxDiff(unflipped.peers[0]!, flipped.peers[0]!)).toBeGreaterThan(1e-4);
  });

  it('scores into named columns and a CSV', async () => {
    const columns = await scoreWithNets(back.nets, data.store, { input: config.input, scaling: 'imagenet', indices: [0, 1] });
    expect(columns.map((c) => c.name)).toEqual(['Baseline', 'DML ensemble', 'DML peer A', 'DML peer B']);
    const want = await predictCohort(cohorts.dml, imagesOf(config, data), [0, 1]);
    expect(maxDiff(columns[1]!.values, want.ensemble!)).toBeLessThanOrEqual(1e-6);
    const csv = scoresCsv(['a.png', 'b,c.png'], columns).trim().split('\n');
    expect(csv[0]).toBe('image,Baseline,DML ensemble,DML peer A,DML peer B');
    expect(csv[2]!.startsWith('"b,c.png",')).toBe(true);
    expect(Number(csv[1]!.split(',')[2])).toBe(columns[1]!.values[0]);
    // Live cohorts (a stored run's checkpoint) score the same way.
    const live = await scoreRuns(cohorts, data.store, { input: config.input, scaling: 'imagenet', indices: [0, 1] });
    expect(live.map((c) => c.name)).toEqual(columns.map((c) => c.name));
    live.forEach((c, i) => expect(maxDiff(c.values, columns[i]!.values)).toBeLessThanOrEqual(1e-6));
  });

  it('an imported zip becomes a checkpoint that rebuilds the same cohorts', async () => {
    const restored = await cohortsFromStates(config, await statesFromNets(back.nets));
    try {
      for (const run of ['baseline', 'dml'] as const) {
        const want = await predictCohort(cohorts[run], imagesOf(config, data), all);
        expectSamePredictions(await predictCohort(restored[run]!, imagesOf(config, data), all), want);
      }
    } finally {
      for (const c of Object.values(restored)) c.dispose();
    }
  });

  it('round-trips cnniqa, whose GlobalMinPooling2D is a custom layer', async () => {
    const cfg = testConfig({ mode: 'dml', model: 'cnniqa' }, 64);
    const cnnData = testData(8, 64);
    const store = cnnData.store;
    const cohort = createCohort('dml', cfg);
    try {
      const read = await readModelZip(await exportModelZip({ config: cfg, cohorts: { dml: cohort }, about: { name: 'c', epoch: 0 } }));
      const views = testViews(cfg.input, 32);
      expect(views).toHaveLength(4);
      const want = await predictCohort(cohort, imagesOf(cfg, cnnData), [0, 1, 2]);
      expect(imagesOf(cfg, cnnData).testViews).toEqual(views);
      expectSamePredictions(await scoreImages(netsPredictor(read.nets), store, { input: cfg.input, patchSize: 32, scaling: 'imagenet', indices: [0, 1, 2] }), want);
      for (const n of read.nets) n.model.dispose();
    } finally {
      cohort.dispose();
    }
  });

  it('says which file is broken: bad model.json, short weights, not a zip, a config that does not fit', async () => {
    const files = unzipSync(zip);
    const broken = zipSync({ ...files, 'dml_peerA/model.json': files['dml_peerA/model.json']!.slice(0, 200) });
    const err = await readModelZip(broken, 'model.zip').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFileError);
    expect((err as Error).message).toMatch(/^dml_peerA\/model\.json in model\.zip is not valid JSON/);

    const short = zipSync({ ...files, 'baseline/weights.bin': files['baseline/weights.bin']!.slice(0, 100) });
    await expect(readModelZip(short, 'model.zip')).rejects.toThrow(/baseline\/model\.json in model\.zip \(weights\.bin\) hold 100 bytes but the model needs \d+/);

    const noWeights = { ...files };
    delete noWeights['dml_peerB/weights.bin'];
    await expect(readModelZip(zipSync(noWeights), 'model.zip')).rejects.toThrow(/dml_peerB\/model\.json in model\.zip needs the weights file "weights\.bin"/);

    await expect(readModelZip(strToU8('hello'), 'notes.zip')).rejects.toThrow(/notes\.zip is not a readable zip file/);

    const badConfig = { ...JSON.parse(strFromU8(files['config.json']!)), model: 'vgg16' };
    await expect(readModelZip(zipSync({ ...files, 'config.json': strToU8(JSON.stringify(badConfig)) }), 'model.zip')).rejects.toThrow(
      /^config\.json in model\.zip: "model" must be one of "tiny", "cnniqa", "resnet18", "mobilenetv2", "backbone" \(got "vgg16"\)\. Choose a zip exported by the studio\.$/,
    );
  });
});

describe('user-supplied TF.js model', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  function model(outputs: number): tf.LayersModel {
    const input = tf.input({ shape: [8, 8, 3] });
    const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: tf.layers.dense({ units: outputs }).apply(flat) as tf.SymbolicTensor });
  }

  async function filesOf(m: tf.LayersModel): Promise<{ name: string; bytes: Uint8Array }[]> {
    const f = await layersModelFiles(m, 'group1-shard1of1.bin');
    return [
      { name: 'my-model/model.json', bytes: strToU8(f.modelJson) },
      { name: 'my-model/group1-shard1of1.bin', bytes: f.weights },
    ];
  }

  it('loads an [N,8,8,3] → [N,1] model and reports its input size', async () => {
    const m = model(1);
    const loaded = await loadUserModel(await filesOf(m));
    expect(loaded.inputSize).toEqual([8, 8]);
    expect(loaded.name).toBe('model.json');
    const x = tf.randomNormal([2, 8, 8, 3]);
    const a = m.predict(x) as tf.Tensor;
    const b = loaded.model.predict(x) as tf.Tensor;
    expect(maxDiff(await a.data(), await b.data())).toBeLessThanOrEqual(1e-6);
    tf.dispose([x, a, b]);
    m.dispose();
    loaded.model.dispose();
  });

  it('rejects a model with the wrong output shape, saying what it outputs and what is needed', async () => {
    const m = model(10);
    const err = await loadUserModel(await filesOf(m)).catch((e: unknown) => e);
    m.dispose();
    expect(err).toBeInstanceOf(ModelFileError);
    expect((err as Error).message).toBe(
      'model.json outputs shape [N, 10]; an IQA model outputs one score per image, [N, 1]. It gives 10 numbers per image (a classifier?).',
    );
  });

  it('names a missing weights file and a missing model.json', async () => {
    const m = model(1);
    const files = await filesOf(m);
    m.dispose();
    await expect(loadUserModel(files.slice(0, 1))).rejects.toThrow('model.json needs the weights file "group1-shard1of1.bin", which is missing.');
    await expect(loadUserModel(files.slice(1))).rejects.toThrow(/No model\.json among the files/);
  });

  it('names a layer type TF.js does not know', async () => {
    const m = model(1);
    const [json, weights] = await filesOf(m);
    m.dispose();
    const odd = { ...json!, bytes: strToU8(strFromU8(json!.bytes).replace('"class_name":"Dense"', '"class_name":"FancyDense"')) };
    await expect(loadUserModel([odd, weights!])).rejects.toThrow('model.json uses a layer type TF.js does not know (FancyDense)');
  });
});
