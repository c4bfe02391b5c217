import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { layersModelFiles } from '../core/io/layersModelFiles';
import { initNodeBackend } from '../node/tfNode';
import { smallModel } from '../../test/support/backbones';
import type { ModelFile, TaskReplyOf } from './protocol';
import { runTask } from './tasks';

beforeAll(async () => {
  await initNodeBackend();
});

const platform = { store: async () => Promise.reject(new Error('no store in this test')), decoder: () => Promise.reject(new Error('no images')) };
const inspect = async (files: ModelFile[]) => (await runTask({ task: 'inspectBackbone', files }, platform as never)).reply as TaskReplyOf<'inspectBackbone'>;
const blob = (data: string | Uint8Array) => new Blob([data as BlobPart]);

async function saved(model: tf.LayersModel) {
  const f = await layersModelFiles(model);
  model.dispose();
  return f;
}

describe('the inspectBackbone task', () => {
  it('lists the built-in MobileNetV2 layers with 4-D shapes and proposes out_relu', async () => {
    const dir = join(__dirname, '../../public/models/mobilenetv2');
    const r = await inspect([
      { name: 'mobilenetv2/model.json', file: blob(readFileSync(join(dir, 'model.json'), 'utf8')) },
      { name: 'mobilenetv2/weights.bin', file: blob(new Uint8Array(readFileSync(join(dir, 'weights.bin')))) },
    ]);
    expect(r.name).toBe('model.json');
    expect(r.proposedCut).toBe('out_relu');
    expect(r.inputShape).toEqual([null, 224, 224, 3]);
    const byName = new Map(r.layers.map((l) => [l.name, l]));
    expect(byName.get('out_relu')).toMatchObject({ outputShape: [null, 7, 7, 1280], usableAsCut: true });
    expect(byName.get('block_16_expand')).toMatchObject({ outputShape: [null, 7, 7, 960], usableAsCut: true, className: 'Conv2D' });
    expect(byName.get('block_13_expand')?.usableAsCut).toBe(true);
    // The sum of the layers' parameters is the model's (nothing lost in the listing).
    expect(r.layers.reduce((s, l) => s + l.params, 0)).toBe(r.params);
    expect(r.params).toBeGreaterThan(2_000_000);
  });

  it('proposes the last conv block of a small net and counts its parameters', async () => {
    const f = await saved(smallModel());
    const r = await inspect([
      { name: 'small.json', file: blob(f.modelJson) },
      { name: 'weights.bin', file: blob(f.weights) },
    ]);
    expect(r.proposedCut).toBe('c2_relu');
    expect(r.layers.filter((l) => l.usableAsCut).map((l) => l.name)).toEqual(['c1', 'c1_bn', 'c1_relu', 'c2', 'c2_bn', 'c2_relu']);
    // 3·3·3·8+8, 4·8, 3·3·8·12+12, 4·12, 12·4+4
    expect(r.params).toBe(224 + 32 + 876 + 48 + 52);
  });

  it('rejects, in words naming the file, a graph model, missing or short weights, no model.json, an oversized net and one without a feature map', async () => {
    const f = await saved(smallModel());
    const files = (json: string, weights = f.weights, name = 'small.json') => [
      { name, file: blob(json) },
      { name: 'weights.bin', file: blob(weights) },
    ];
    await expect(inspect([{ name: 'weights.bin', file: blob(f.weights) }])).rejects.toThrow(/hold no model\.json: pick the model\.json together with its weight files/);
    await expect(inspect([{ name: 'small.json', file: blob(f.modelJson) }])).rejects.toThrow(/small\.json needs the weights file "weights\.bin", which is missing/);
    await expect(inspect(files(f.modelJson, f.weights.slice(0, 100)))).rejects.toThrow(/weights of small\.json \(weights\.bin\) hold 100 bytes but the model needs 4928/);
    const graph = JSON.stringify({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [] });
    await expect(inspect([{ name: 'graph.json', file: blob(graph) }])).rejects.toThrow(/graph\.json is a TF\.js graph model.*needs a Layers model/);
    const big = JSON.parse(f.modelJson) as { weightsManifest: { weights: unknown[] }[] };
    big.weightsManifest[0]!.weights.push({ name: 'huge', shape: [10000, 10000], dtype: 'float32' });
    await expect(inspect(files(JSON.stringify(big), f.weights, 'big.json'))).rejects.toThrow(/big\.json has 100\.0 M weights .* over the 200 MB/);
    // Takes images but flattens them at once: nothing to cut at.
    const flat = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [8, 8, 3], name: 'flat' }), tf.layers.dense({ units: 2, name: 'fc' })] });
    const m = await saved(flat);
    await expect(inspect(files(m.modelJson, m.weights, 'flat.json'))).rejects.toThrow(/flat\.json.* has no 4-D feature layer/);
  });
});
