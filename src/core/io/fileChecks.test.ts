/** Untrusted files stay harmless: a model zip, a user's model.json and its weights are checked before anything is built. */
import * as tf from '@tensorflow/tfjs';
import { strToU8, zipSync } from 'fflate';
import Papa from 'papaparse';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { testConfig } from '../../../test/support/training';
import { loadBackboneFiles } from './backboneFiles';
import { LIMITS, pathProblem } from './fileChecks';
import { layersModelFiles, loadLayersModelFiles, ModelFileError } from './layersModelFiles';
import { readModelZip, ZIP_FORMAT } from './modelZip';
import { scoresCsv } from './scoreImages';
import { loadUserModel } from './userModel';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('pathProblem', () => {
  it('accepts relative paths inside the folder and refuses the rest, saying why', () => {
    for (const ok of ['model.json', 'baseline/weights.bin', './group1-shard1of1.bin', 'a/b/', 'naïve é.bin']) expect(pathProblem(ok), ok).toBeNull();
    expect(pathProblem('../secret.bin')).toBe('climbs out of its folder ("..")');
    expect(pathProblem('a/../../b')).toBe('climbs out of its folder ("..")');
    expect(pathProblem('/etc/passwd')).toBe('is absolute');
    expect(pathProblem('C:/Windows/x')).toBe('is absolute');
    expect(pathProblem('a\\..\\b')).toBe('contains a backslash (zip paths use "/")');
    expect(pathProblem('a\u0000b')).toBe('contains control characters');
    expect(pathProblem('x'.repeat(256))).toBe('is 256 characters long (at most 255)');
    expect(pathProblem(Array(17).fill('d').join('/'))).toBe('is 17 folders deep (at most 16)');
    expect(pathProblem('__proto__/x')).toMatch(/__proto__/);
    expect(pathProblem('')).toBe('is empty');
  });
});

/** A tiny Layers model's files: [N,4,4,3] → Dense(1). */
async function tinyModel(): Promise<{ json: Record<string, unknown>; weights: Uint8Array }> {
  const input = tf.input({ shape: [4, 4, 3] });
  const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
  const m = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1 }).apply(flat) as tf.SymbolicTensor });
  const f = await layersModelFiles(m, 'w.bin');
  m.dispose();
  return { json: JSON.parse(f.modelJson) as Record<string, unknown>, weights: f.weights };
}

const manifest = (json: Record<string, unknown>) => json.weightsManifest as { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];

describe('model.json against its schema, before a layer is built', () => {
  const load = (json: unknown, weights?: Uint8Array) => loadLayersModelFiles(JSON.stringify(json), 'model.json', () => weights);

  it('a well-formed model still loads', async () => {
    const { json, weights } = await tinyModel();
    const m = await load(json, weights);
    expect(m.outputs[0]!.shape).toEqual([null, 1]);
    m.dispose();
  });

  it('refuses weight paths outside the folder, huge or odd shapes, and unknown dtypes, naming the field', async () => {
    const { json } = await tinyModel();
    const bad = (edit: (j: Record<string, unknown>) => void) => {
      const j = structuredClone(json);
      edit(j);
      return load(j);
    };
    await expect(bad((j) => (manifest(j)[0]!.paths = ['../../etc/passwd']))).rejects.toThrow(
      'model.json: "weightsManifest[0].paths[0]" must be a relative path inside the model\'s folder ("../../etc/passwd" climbs out of its folder ("..")). Refused',
    );
    await expect(bad((j) => (manifest(j)[0]!.paths = ['/abs/w.bin']))).rejects.toThrow(/paths.*is absolute/);
    await expect(bad((j) => (manifest(j)[0]!.weights[0]!.shape = [2 ** 29]))).rejects.toThrow(/"weightsManifest\[0\]\.weights\[0\]\.shape\[0\]" must be whole dimensions up to 268435456/);
    await expect(bad((j) => (manifest(j)[0]!.weights[0]!.shape = [1.5]))).rejects.toThrow(/must be whole dimensions/);
    await expect(bad((j) => (manifest(j)[0]!.weights[0]!.shape = [1, 1, 1, 1, 1, 1, 1, 1, 1]))).rejects.toThrow(/at most 8 dimensions/);
    await expect(bad((j) => (manifest(j)[0]!.weights[0]!.shape = [65536, 65536]))).rejects.toThrow(/has 4295 M weights, more than the 268 M/);
    await expect(bad((j) => (manifest(j)[0]!.weights[0]!.dtype = 'string'))).rejects.toThrow(/dtype" must be one of "float32"/);
  });

  it('refuses a topology that would allocate a giant layer, before building it', async () => {
    const { json } = await tinyModel();
    const huge = JSON.parse(JSON.stringify(json).replace('"units":1', '"units":1000000000'));
    const tensors = tf.memory().numTensors;
    await expect(load(huge)).rejects.toThrow('model.json: a layer\'s "units" is 1000000000, more than the 65536 the studio takes: refused.');
    const wide = JSON.parse(JSON.stringify(json).replace(/"batch_input_shape":\[null,4,4,3\]/, '"batch_input_shape":[null,100000,4,3]'));
    await expect(load(wide)).rejects.toThrow(/"batch_input_shape" is 100000/);
    expect(tf.memory().numTensors).toBe(tensors); // nothing was built
    // Deep nesting and too many layers.
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = { a: deep };
    await expect(load({ ...json, modelTopology: { deep } })).rejects.toThrow(/nested more than 64 levels/);
    await expect(load({ ...json, modelTopology: { config: { layers: Array(LIMITS.layers + 1).fill({}) } } })).rejects.toThrow(/more than 5000 layers/);
  });

  it('a user model whose manifest reaches outside its folder is refused; a backbone never reads such a path', async () => {
    const { json, weights } = await tinyModel();
    manifest(json)[0]!.paths = ['../w.bin'];
    await expect(loadUserModel([{ name: 'm/model.json', bytes: strToU8(JSON.stringify(json)) }, { name: 'w.bin', bytes: weights }])).rejects.toThrow(
      /climbs out of its folder/,
    );
    const read = vi.fn(async (p: string) => (p === 'model.json' ? strToU8(JSON.stringify(json)) : weights));
    await expect(loadBackboneFiles('my backbone', read)).rejects.toThrow('my backbone names the path "../w.bin", which climbs out of its folder ("..")');
    expect(read.mock.calls.map((c) => c[0])).toEqual(['model.json']);
  });
});

describe('model zip: names, sizes and run.json checked before a network is read', () => {
  const config = strToU8(JSON.stringify(testConfig({ mode: 'baseline' })));
  const run = {
    format: ZIP_FORMAT,
    version: 1,
    name: 'r',
    exportedAt: 1,
    epoch: 1,
    inputShape: [16, 16, 3],
    nets: [{ folder: 'baseline', run: 'baseline', peer: 0, flipped: false }],
  };
  const zipWith = (files: Record<string, Uint8Array>) => readModelZip(zipSync({ 'config.json': config, ...files }), 'm.zip');
  const runJson = (over: Record<string, unknown>) => strToU8(JSON.stringify({ ...run, ...over }));

  it('refuses entries named outside the zip folder', async () => {
    await expect(zipWith({ '../evil.txt': strToU8('x') })).rejects.toThrow('m.zip names the path "../evil.txt", which climbs out of its folder ("..")');
    await expect(zipWith({ '/etc/cron.d/x': strToU8('x') })).rejects.toThrow(/which is absolute/);
    await expect(zipWith({ 'a\\b.json': strToU8('x') })).rejects.toThrow(/contains a backslash/);
  });

  it('refuses an entry whose directory claims a huge size, before inflating it', async () => {
    const zip = zipSync({ 'config.json': config, 'run.json': runJson({}) });
    // Raise run.json's uncompressed size in the central directory (offset 24 of its header).
    const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    let patched = 0;
    for (let i = 0; i + 46 < zip.length; i++)
      if (dv.getUint32(i, true) === 0x02014b50 && new TextDecoder().decode(zip.subarray(i + 46, i + 46 + 8)) === 'run.json') {
        dv.setUint32(i + 24, 0xfff00000, true);
        patched++;
      }
    expect(patched).toBe(1);
    await expect(readModelZip(zip, 'm.zip')).rejects.toThrow('run.json in m.zip unpacks to 4095 MB, more than the 1024 MB the studio takes for one file: refused.');
  });

  it("checks run.json against its schema: folder names, run kinds, shapes, a folder listed twice", async () => {
    await expect(zipWith({ 'run.json': runJson({ nets: [{ folder: '../x', run: 'baseline', peer: 0, flipped: false }] }) })).rejects.toThrow(
      /^run\.json in m\.zip is not the studio's model description \("nets\.0\.folder": a folder name of letters, digits, _ and -\)/,
    );
    await expect(zipWith({ 'run.json': runJson({ nets: [{ folder: 'x', run: 'evil', peer: 0, flipped: false }] }) })).rejects.toThrow(/"nets\.0\.run"/);
    await expect(zipWith({ 'run.json': runJson({ inputShape: [16, 16, 4] }) })).rejects.toThrow(/"inputShape\.2"/);
    await expect(zipWith({ 'run.json': runJson({ inputShape: [1e9, 16, 3] }) })).rejects.toThrow(/"inputShape\.0"/);
    await expect(zipWith({ 'run.json': runJson({ nets: [] }) })).rejects.toThrow(/"nets"/);
    await expect(zipWith({ 'run.json': runJson({ format: 'other' }) })).rejects.toThrow(/"format"/);
    const twice = [run.nets[0], run.nets[0]];
    await expect(zipWith({ 'run.json': runJson({ nets: twice }) })).rejects.toThrow('run.json in m.zip lists one network folder twice.');
    await expect(zipWith({ 'run.json': runJson({}), 'metrics.json': strToU8('{"history": 3}') })).rejects.toThrow(/metrics\.json in m\.zip is not the studio's metrics file \("history"/);
  });
});

describe('exported CSVs', () => {
  it('scoresCsv escapes formulae in file names and keeps negative scores numeric', () => {
    const files = ['=HYPERLINK("http://evil","x").jpg', '+cmd.png', '@SUM(A1).png', '-rm.png', 'plain, with comma.png'];
    const csv = scoresCsv(files, [{ name: 'Baseline', values: [1.5, -0.25, 3, -1e-7, 2] }]);
    const rows = Papa.parse<string[]>(csv.trim()).data;
    expect(rows[0]).toEqual(['image', 'Baseline']);
    expect(rows.slice(1).map((r) => r[0])).toEqual(files.map((f, i) => (i < 4 ? `'${f}` : f)));
    expect(rows.slice(1).map((r) => Number(r[1]))).toEqual([1.5, -0.25, 3, -1e-7, 2]);
    expect(csv.endsWith('\n')).toBe(true);
  });
});

it('ModelFileError is what every refusal throws', async () => {
  await expect(readModelZip(zipSync({ '../x': strToU8('') }), 'm.zip')).rejects.toBeInstanceOf(ModelFileError);
});
