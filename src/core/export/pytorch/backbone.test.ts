/**
 * The pretrained MobileNetV2 in the PyTorch export: train.py's network is Keras's layer for layer
 * (checked against the model.json topology), the exported weights are the uint8 file dequantised
 * as TF.js does it (checked against a NumPy dequantisation of weights.bin), and with them its body
 * computes the feature maps TF.js computes, at the native 224×224 and at an odd size.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPretrainedNet, MOBILENETV2_NSFWJS } from '../../models/pretrained';
import { makeRng } from '../../rng';
import { BUILTIN_MOBILENETV2, loadBackboneFile } from '../../../node/backbone';
import { initNodeBackend } from '../../../node/tfNode';
import { backboneFiles, backboneTensors, type NetTensor } from './weights';
import { CHECK_PY, f32Bytes, PYTHON, requireTorch, run, tempDir, writeFiles } from './pythonTestHelpers';

/** Feature maps compared: the first ReLU6 and the MLSP levels (every block's output, the stride-2 ones among them). */
const LAYERS = ['Conv1_relu', ...MOBILENETV2_NSFWJS.mlspCuts];

let base: tf.LayersModel;
let tensors: NetTensor[];

beforeAll(async () => {
  requireTorch();
  await initNodeBackend('wasm');
  base = await loadBackboneFile(BUILTIN_MOBILENETV2);
  tensors = await backboneTensors(base, MOBILENETV2_NSFWJS.defaultCut);
}, 60_000);

afterAll(() => base?.dispose());

interface Out {
  topology: string[];
  differing: string[];
  exported: number;
  reference: number;
}

function check(h: number, w: number): { out: Out; worst: { layer: string; rel: number }[] } {
  const rng = makeRng(h * 1000 + w);
  const shape: [number, number, number, number] = [2, h, w, 3];
  const x = Float32Array.from({ length: 2 * h * w * 3 }, () => rng.int(256) / 255);
  const dir = tempDir('pt-backbone-');
  writeFiles(dir, backboneFiles('mobilenetv2', tensors, 'test'));
  writeFileSync(join(dir, 'backbone', 'in.json'), JSON.stringify({ modelJson: BUILTIN_MOBILENETV2, shape, layers: LAYERS }));
  writeFileSync(join(dir, 'backbone', 'x.bin'), f32Bytes(x));
  run(PYTHON, [CHECK_PY, 'backbone', join(dir, 'backbone')]);
  const out = JSON.parse(readFileSync(join(dir, 'backbone', 'out.json'), 'utf8')) as Out;
  const bin = readFileSync(join(dir, 'backbone', 'features.bin'));
  const torchAll = new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 4);

  // The studio's body at this input size (the copy buildPretrainedNet makes), in inference mode.
  const net = buildPretrainedNet(base, { headInit: 'he', headSeed: 1, prefix: 'p_', inputShape: [h, w, 3] });
  const probe = tf.model({ inputs: net.inputs, outputs: LAYERS.map((l) => net.getLayer(`p_${l}`).output as tf.SymbolicTensor) });
  const input = tf.tensor4d(x, shape);
  const maps = probe.predict(input) as tf.Tensor[];
  let at = 0;
  const worst = LAYERS.map((layer, i) => {
    const v = maps[i]!.dataSync();
    let diff = 0;
    let scale = 0;
    for (let j = 0; j < v.length; j++) {
      diff = Math.max(diff, Math.abs(v[j]! - torchAll[at + j]!));
      scale = Math.max(scale, Math.abs(v[j]!));
    }
    at += v.length;
    return { layer, rel: diff / scale };
  });
  expect(at).toBe(torchAll.length);
  tf.dispose([input, ...maps]);
  net.dispose();
  rmSync(dir, { recursive: true, force: true });
  return { out, worst };
}

describe('PyTorch export: the pretrained MobileNetV2', () => {
  it('is Keras\'s network layer for layer, with the weights TF.js dequantises, and computes TF.js\'s feature maps', () => {
    for (const [h, w] of [
      [224, 224],
      [75, 53],
    ] as const) {
      const { out, worst } = check(h, w);
      expect(out.topology).toEqual([]);
      expect(out.differing, 'exported tensors that differ from the NumPy dequantisation of weights.bin').toEqual([]);
      // Every weight of the feature layers; nsfwjs's classifier (3 dense layers) left out.
      expect(out.exported).toBe(tensors.length);
      expect(out.reference - out.exported).toBe(6);
      console.log(`MobileNetV2 at ${h}×${w}: feature maps, max |Δ| / max |value|: ${worst.map((r) => `${r.layer} ${r.rel.toExponential(1)}`).join(', ')}`);
      for (const r of worst) expect(r.rel, `${r.layer} at ${h}×${w}`).toBeLessThan(1e-4);
    }
  });
});
