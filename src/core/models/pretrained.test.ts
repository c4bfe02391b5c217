import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../node/tfNode';
import { layersModelFiles, loadLayersModelFiles } from '../io/layersModelFiles';
import {
  BackboneError,
  buildPretrainedNet,
  listFeatureLayers,
  loadBackbone,
  MOBILENETV2_NSFWJS,
  pretrainedNetInfo,
  proposeCut,
  type PretrainedNetOptions,
} from './pretrained';
import { MEAN_STD_EPSILON } from './pretrainedLayers';
import { splitAtTrainFrom } from './pretrainedSplit';
import { smallModel } from '../../../test/support/backbones';

const MODEL_DIR = join(__dirname, '../../../public/models/mobilenetv2');

/** The extracted nsfwjs MobileNetV2 (written by scripts/extract-mobilenetv2.mjs on npm install). */
async function loadMobileNetV2(): Promise<tf.LayersModel> {
  const json = readFileSync(join(MODEL_DIR, 'model.json'), 'utf8');
  return loadBackbone(json, 'mobilenetv2/model.json', (p) => (p === 'weights.bin' ? new Uint8Array(readFileSync(join(MODEL_DIR, p))) : undefined));
}

/** The small model written to model.json + weights.bin and loaded back, as a user's file would be. */
async function savedSmall(): Promise<{ json: string; weights: Uint8Array }> {
  const m = smallModel();
  const f = await layersModelFiles(m);
  m.dispose();
  return { json: f.modelJson, weights: f.weights };
}

const loadSmall = async () => {
  const s = await savedSmall();
  return loadBackbone(s.json, 'small.json', (p) => (p === 'weights.bin' ? s.weights : undefined));
};

const images = (n: number, h: number, w: number, seed: number) => tf.randomUniform([n, h, w, 3], 0, 1, 'float32', seed) as tf.Tensor4D;
const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
const opts = (o: Partial<PretrainedNetOptions> = {}): PretrainedNetOptions => ({ headInit: 'he', headSeed: 1, prefix: 'n_', ...o });
const sampleStd = (values: ArrayLike<number>) => {
  const x = Array.from(values);
  const m = x.reduce((s, v) => s + v, 0) / x.length;
  return Math.sqrt(x.reduce((s, v) => s + (v - m) ** 2, 0) / x.length);
};
/** tfjs's "normal" He and Glorot initialisers draw a normal truncated at ±2σ, whose std is 0.8796σ. */
const TRUNCATED = 0.87962566103423978;

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('the extracted MobileNetV2 (nsfwjs 4.4.0)', () => {
  let base: tf.LayersModel;
  beforeAll(async () => {
    base = await loadMobileNetV2();
  });
  afterAll(() => base.dispose());

  it('loads from public/models/mobilenetv2 and is cut at out_relu, 7×7×1280 at 224', () => {
    expect(base.inputs[0]!.shape).toEqual([null, 224, 224, 3]);
    expect(proposeCut(base)).toBe(MOBILENETV2_NSFWJS.defaultCut);
    const layers = listFeatureLayers(base);
    const byName = new Map(layers.map((l) => [l.name, l]));
    expect(byName.get('out_relu')).toMatchObject({ outputShape: [null, 7, 7, 1280], usableAsCut: true, className: 'ReLU' });
    expect(byName.get('flatten_1')!.usableAsCut).toBe(false);
    expect(byName.get('dense_3')).toMatchObject({ outputShape: [null, 5], usableAsCut: false });
    for (const cut of MOBILENETV2_NSFWJS.mlspCuts) expect(byName.get(cut)?.usableAsCut).toBe(true);
    // The body up to out_relu holds 2,257,984 numbers (Keras's MobileNetV2 without its top).
    const upTo = layers.findIndex((l) => l.name === 'out_relu');
    expect(layers.slice(0, upTo + 1).reduce((s, l) => s + l.params, 0)).toBe(2_257_984);
  });

  it('the copied body computes what the original does (224×224), from the dequantised nsfwjs weights', () => {
    const net = buildPretrainedNet(base, opts({ trainFrom: 'head' }));
    const x = images(1, 224, 224, 5);
    const orig = tf.model({ inputs: base.inputs, outputs: base.getLayer('out_relu').output as tf.SymbolicTensor });
    const copy = tf.model({ inputs: net.inputs, outputs: net.getLayer('n_out_relu').output as tf.SymbolicTensor });
    const a = orig.predict(x) as tf.Tensor;
    const b = copy.predict(x) as tf.Tensor;
    expect(b.shape).toEqual([1, 7, 7, 1280]);
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-5);
    // The first tensor of weights.bin is Conv1's kernel, uint8: value = min + scale · byte.
    const manifest = (JSON.parse(readFileSync(join(MODEL_DIR, 'model.json'), 'utf8')) as tf.io.ModelJSON).weightsManifest[0]!.weights[0]!;
    expect(manifest.name).toBe('Conv1/kernel');
    const q = manifest.quantization!;
    const bytes = readFileSync(join(MODEL_DIR, 'weights.bin')).subarray(0, 3 * 3 * 3 * 32);
    const kernel = net.getLayer('n_Conv1').getWeights()[0]!.dataSync();
    Array.from(bytes).forEach((u, i) => expect(kernel[i]).toBeCloseTo(q.min! + q.scale! * u, 6));
    // nsfwjs's classifier still gives a probability distribution over its 5 classes.
    const p = base.predict(x) as tf.Tensor;
    expect(tf.sum(p).dataSync()[0]).toBeCloseTo(1, 4);
    tf.dispose([x, a, b, p]);
    net.dispose();
  });

  it('runs at other input sizes when rebuilt: out_relu is ⌊H/32⌋ × ⌊W/32⌋', () => {
    for (const [h, w] of [
      [96, 96],
      [64, 64],
      [100, 130],
    ] as const) {
      const net = buildPretrainedNet(base, opts({ inputShape: [h, w, 3], prefix: `s${h}_` }));
      expect(net.getLayer(`s${h}_out_relu`).outputShape).toEqual([null, Math.floor(h / 32), Math.floor(w / 32), 1280]);
      expect(net.getLayer(`s${h}_gap`).outputShape).toEqual([null, 1280]);
      expect(net.outputs[0]!.shape).toEqual([null, 1]);
      net.dispose();
    }
    expect(() => buildPretrainedNet(base, opts({ inputShape: [16, 16, 3], prefix: 'tiny_' }))).toThrow(/larger input size/);
  });

  it('the paper head for MobileNetV2: Dense 512 → Dense 256 → BN → Dense 1; MLSP of every block’s output is twice its channels wide', () => {
    const net = buildPretrainedNet(base, opts({ inputShape: [64, 64, 3], cuts: MOBILENETV2_NSFWJS.mlspCuts, trainFrom: 'head' }));
    // Blocks 0–16 (16, 24×2, 32×3, 64×4, 96×3, 160×3, 320 channels) and out_relu (1280).
    expect(MOBILENETV2_NSFWJS.mlspCuts).toHaveLength(18);
    expect(net.getLayer('n_mlsp_concat').outputShape).toEqual([null, 2 * (16 + 2 * 24 + 3 * 32 + 4 * 64 + 3 * 96 + 3 * 160 + 320 + 1280)]);
    const head = net.layers.slice(net.layers.findIndex((l) => l.name === 'n_mlsp_concat') + 1);
    expect(head.map((l) => [l.getClassName(), l.outputShape])).toEqual([
      ['Dense', [null, 512]],
      ['Dense', [null, 256]],
      ['BatchNormalization', [null, 256]],
      ['Dense', [null, 1]],
    ]);
    for (const l of head.filter((l) => l.getClassName() === 'Dense')) expect(l.getConfig().activation).toBe('linear');
    net.dispose();
  });

  it('frozen body under training = true equals inference; a split at a block boundary composes to the full net', () => {
    const net = buildPretrainedNet(base, opts({ inputShape: [96, 96, 3], trainFrom: 'block_13_expand' }));
    const split = splitAtTrainFrom(net);
    expect(split.boundary).toEqual([{ layer: 'n_block_12_add', shape: [null, 6, 6, 96] }]);
    const x = images(2, 96, 96, 6);
    const inTraining = split.frozen.apply(x, { training: true }) as tf.Tensor;
    const inference = split.frozen.predict(x) as tf.Tensor;
    expect(maxAbsDiff(inTraining, inference)).toBe(0);
    const full = net.predict(x) as tf.Tensor;
    const composed = split.trainable.predict(inference) as tf.Tensor;
    expect(maxAbsDiff(full, composed)).toBeLessThan(1e-4);
    // Inside a residual block two tensors cross: the expand branch and the skip connection.
    const net2 = buildPretrainedNet(base, opts({ inputShape: [96, 96, 3], trainFrom: 'block_14_depthwise', prefix: 'm_' }));
    const split2 = splitAtTrainFrom(net2);
    expect(split2.boundary.map((b) => b.layer).sort()).toEqual(['m_block_13_project_BN', 'm_block_14_expand_relu']);
    tf.dispose([x, inTraining, inference, full, composed]);
    for (const s of [split, split2]) s.dispose();
    for (const n of [net, net2]) n.dispose();
  });
});

describe('buildPretrainedNet on a small conv net', () => {
  let base: tf.LayersModel;
  beforeAll(async () => {
    base = await loadSmall();
  });
  afterAll(() => base.dispose());

  it('one cut: the last conv map before the classifier, pooled by GAP', () => {
    expect(proposeCut(base)).toBe('c2_relu');
    const net = buildPretrainedNet(base, opts({ hidden: [32, 16] }));
    expect(net.getLayer('n_gap').outputShape).toEqual([null, 12]);
    expect(net.layers.map((l) => l.name)).not.toContain('n_logits');
    const x = images(3, 16, 16, 7);
    const y = net.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([3, 1]);
    tf.dispose([x, y]);
    net.dispose();
  });

  it('two cuts: per-channel mean and std of each, concatenated, 2×(8+12) wide, matching a direct computation', () => {
    const net = buildPretrainedNet(base, opts({ cuts: ['c1_relu', 'c2_relu'], hidden: [32, 16] }));
    expect(net.getLayer('n_mlsp_concat').outputShape).toEqual([null, 2 * (8 + 12)]);
    const x = images(2, 16, 16, 8);
    const probe = tf.model({
      inputs: net.inputs,
      outputs: ['n_c1_relu', 'n_c2_relu', 'n_mlsp_concat'].map((n) => net.getLayer(n).output as tf.SymbolicTensor),
    });
    const [m1, m2, pooled] = probe.predict(x) as tf.Tensor[];
    // Reference: plain loops over the feature maps.
    const expected: number[] = [];
    for (let b = 0; b < 2; b++)
      for (const m of [m1!, m2!]) {
        const [, h, w, c] = m.shape as number[];
        const v = m.arraySync() as number[][][][];
        const means: number[] = [];
        const stds: number[] = [];
        for (let k = 0; k < c!; k++) {
          const vals: number[] = [];
          for (let i = 0; i < h!; i++) for (let j = 0; j < w!; j++) vals.push(v[b]![i]![j]![k]!);
          const mean = vals.reduce((s, u) => s + u, 0) / vals.length;
          means.push(mean);
          stds.push(Math.sqrt(vals.reduce((s, u) => s + (u - mean) ** 2, 0) / vals.length + MEAN_STD_EPSILON));
        }
        expected.push(...means, ...stds);
      }
    const got = Array.from(pooled!.dataSync());
    expect(got.length).toBe(expected.length);
    got.forEach((g, i) => expect(g).toBeCloseTo(expected[i]!, 5));
    tf.dispose([x, m1!, m2!, pooled!]);
    net.dispose();
  });

  it('two peers: identical body weights (the pretrained ones), He vs Xavier heads, distinct variable names, independent variables', () => {
    const a = buildPretrainedNet(base, opts({ headInit: 'he', headSeed: 11, prefix: 'pA_' }));
    const b = buildPretrainedNet(base, opts({ headInit: 'xavier', headSeed: 12, prefix: 'pB_' }));
    for (const name of ['c1', 'c1_bn', 'c2', 'c2_bn']) {
      const want = base.getLayer(name).getWeights();
      for (const peer of [a, b]) {
        const got = peer.getLayer(peer.name.slice(0, 3) + name).getWeights();
        expect(got.length).toBe(want.length);
        got.forEach((g, i) => expect(Array.from(g.dataSync())).toEqual(Array.from(want[i]!.dataSync())));
      }
    }
    // Dense 12 → 512: He std sqrt(2/12), Glorot sqrt(2/(12+512)), both truncated at 2σ.
    const std = (net: tf.LayersModel, p: string) => sampleStd(net.getLayer(`${p}head_dense1`).getWeights()[0]!.dataSync());
    expect(std(a, 'pA_') / (Math.sqrt(2 / 12) * TRUNCATED)).toBeCloseTo(1, 1);
    expect(std(b, 'pB_') / (Math.sqrt(2 / 524) * TRUNCATED)).toBeCloseTo(1, 1);
    const names = (net: tf.LayersModel) => net.weights.map((w) => (w.read() as tf.Variable).name);
    const all = [...names(base), ...names(a), ...names(b)];
    expect(new Set(all).size).toBe(all.length);
    expect(names(a).every((n) => n.startsWith('pA_'))).toBe(true);
    // A step on A's body leaves B's and the base's values alone.
    const kA = a.getLayer('pA_c1').weights[0]!;
    kA.write(tf.add(kA.read(), 1));
    expect(maxAbsDiff(b.getLayer('pB_c1').getWeights()[0]!, base.getLayer('c1').getWeights()[0]!)).toBe(0);
    expect(maxAbsDiff(kA.read(), base.getLayer('c1').getWeights()[0]!)).toBeCloseTo(1, 5);
    a.dispose();
    b.dispose();
  });

  it('a peer keeps its weights after the base is disposed, and disposing net + split frees every tensor', async () => {
    for (const trainFrom of ['c2', 'head']) {
      const before = tf.memory().numTensors;
      const own = await loadSmall();
      const net = buildPretrainedNet(own, opts({ trainFrom, prefix: 'd_' }));
      const ref = tf.tidy(() => own.getLayer('c1').getWeights()[0]!.clone());
      own.dispose();
      expect(maxAbsDiff(net.getLayer('d_c1').getWeights()[0]!, ref)).toBe(0);
      const split = splitAtTrainFrom(net);
      const x = images(1, 16, 16, 9);
      tf.tidy(() => {
        split.trainable.predict(split.frozen.predict(x) as tf.Tensor);
      });
      tf.dispose([x, ref]);
      net.dispose();
      split.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('a built MLSP net saves as model.json + weights.bin and loads back with the same predictions', async () => {
    const net = buildPretrainedNet(base, opts({ cuts: ['c1_relu', 'c2_relu'], trainFrom: 'c2', hidden: [32, 16], prefix: 'sv_' }));
    const files = await layersModelFiles(net);
    // Frozen BatchNorm is stored as a plain Keras BatchNormalization.
    expect(files.modelJson).not.toContain('Freezable');
    const back = await loadLayersModelFiles(files.modelJson, 'net.json', () => files.weights);
    const x = images(2, 16, 16, 12);
    const [a, b] = [net.predict(x) as tf.Tensor, back.predict(x) as tf.Tensor];
    expect(maxAbsDiff(a, b)).toBe(0);
    expect(back.getLayer('sv_mlsp_c1_relu').getClassName()).toBe('GlobalMeanStdPooling2D');
    tf.dispose([x, a, b]);
    back.dispose();
    net.dispose();
  });

  it('trainFrom freezes exactly the layers before it', () => {
    const trainableLayers = (net: tf.LayersModel) => net.layers.filter((l) => l.trainable && l.getClassName() !== 'InputLayer').map((l) => l.name);
    const head = ['n_head_dense1', 'n_head_dense2', 'n_head_bn2', 'n_head_out'];
    const fromC2 = buildPretrainedNet(base, opts({ trainFrom: 'c2', hidden: [32, 16] }));
    expect(trainableLayers(fromC2)).toEqual(['n_c2', 'n_c2_bn', 'n_c2_relu', 'n_gap', ...head]);
    expect(fromC2.trainableWeights.map((w) => w.originalName)).toEqual([
      'n_c2/kernel',
      'n_c2/bias',
      'n_c2_bn/gamma',
      'n_c2_bn/beta',
      ...['n_head_dense1/kernel', 'n_head_dense1/bias', 'n_head_dense2/kernel', 'n_head_dense2/bias', 'n_head_bn2/gamma', 'n_head_bn2/beta'],
      'n_head_out/kernel',
      'n_head_out/bias',
    ]);
    const headOnly = buildPretrainedNet(base, opts({ trainFrom: 'head', hidden: [32, 16], prefix: 'h_' }));
    expect(trainableLayers(headOnly)).toEqual(head.map((n) => n.replace('n_', 'h_')));
    const all = buildPretrainedNet(base, opts({ trainFrom: 'all', hidden: [32, 16], prefix: 'a_' }));
    expect(trainableLayers(all).length).toBe(all.layers.length - 1);
    // Parameter counts: head 12·32+32 + 32·16+16 + 2·16 (BN γ, β) + 16+1; BN statistics 2·16.
    const info = pretrainedNetInfo(headOnly);
    expect(info.trainableParams).toBe(12 * 32 + 32 + 32 * 16 + 16 + 2 * 16 + 16 + 1);
    expect(info.statisticsParams).toBe(2 * 16);
    expect(info.frozenParams).toBe(base.layers.slice(0, base.layers.findIndex((l) => l.name === 'gap')).reduce((s, l) => s + l.countParams(), 0));
    expect(info.trainableParams + info.frozenParams + info.statisticsParams).toBe(headOnly.countParams());
    expect(pretrainedNetInfo(all).frozenParams).toBe(0);
    for (const n of [fromC2, headOnly, all]) n.dispose();
  });

  it('frozen BatchNorm runs on its moving statistics under training = true and does not update them', () => {
    const x = images(4, 16, 16, 10);
    const body = (net: tf.LayersModel, p: string) => tf.model({ inputs: net.inputs, outputs: net.getLayer(`${p}c2_relu`).output as tf.SymbolicTensor });
    const frozen = buildPretrainedNet(base, opts({ trainFrom: 'head', prefix: 'f_' }));
    const stats = () => frozen.getLayer('f_c2_bn').getWeights().slice(2).map((t) => Array.from(t.dataSync()));
    const statsBefore = stats();
    const fBody = body(frozen, 'f_');
    const train = fBody.apply(x, { training: true }) as tf.Tensor;
    const infer = fBody.predict(x) as tf.Tensor;
    expect(maxAbsDiff(train, infer)).toBe(0);
    expect(stats()).toEqual(statsBefore);
    // The same body, trainable, normalises by the batch (the check above can fail).
    const open = buildPretrainedNet(base, opts({ trainFrom: 'all', prefix: 'o_' }));
    const oBody = body(open, 'o_');
    const oTrain = oBody.apply(x, { training: true }) as tf.Tensor;
    expect(maxAbsDiff(oTrain, oBody.predict(x) as tf.Tensor)).toBeGreaterThan(0.05);
    // The head's BatchNorm stays trainable, so the whole frozen net still differs in training mode.
    const y1 = frozen.apply(x, { training: true }) as tf.Tensor;
    expect(maxAbsDiff(y1, frozen.predict(x) as tf.Tensor)).toBeGreaterThan(1e-4);
    // Why the wrapper exists: tfjs's own BatchNormalization ignores trainable = false here.
    const plain = tf.layers.batchNormalization({ trainable: false, name: 'plain_bn' });
    const z = tf.randomNormal([8, 4], 3, 2, 'float32', 1);
    const p0 = plain.apply(z, { training: false }) as tf.Tensor;
    const p1 = plain.apply(z, { training: true }) as tf.Tensor;
    expect(maxAbsDiff(p0, p1)).toBeGreaterThan(0.5);
    tf.dispose([x, train, infer, oTrain, y1, z, p0, p1]);
    plain.dispose();
    frozen.dispose();
    open.dispose();
  });

  it('the split before the head and inside the body both compose to the full net', () => {
    const x = images(3, 16, 16, 11);
    for (const [trainFrom, cuts, boundary] of [
      ['head', undefined, [['n_gap', [null, 12]]]],
      ['c2', undefined, [['n_c1_relu', [null, 16, 16, 8]]]],
      ['head', ['c1_relu', 'c2_relu'], [['n_mlsp_concat', [null, 40]]]],
      [
        'c2',
        ['c1_relu', 'c2_relu'],
        [
          ['n_c1_relu', [null, 16, 16, 8]],
          ['n_mlsp_c1_relu', [null, 16]],
        ],
      ],
    ] as const) {
      const net = buildPretrainedNet(base, opts({ trainFrom, cuts: cuts ? [...cuts] : undefined, hidden: [32, 16] }));
      const split = splitAtTrainFrom(net);
      expect(split.boundary.map((b) => [b.layer, b.shape])).toEqual(boundary);
      const feats = split.frozen.predict(x) as tf.Tensor | tf.Tensor[];
      const composed = split.trainable.predict(feats) as tf.Tensor;
      const full = net.predict(x) as tf.Tensor;
      expect(maxAbsDiff(full, composed)).toBeLessThan(1e-4);
      // Training the trainable part trains the net's own variables.
      expect(split.trainable.trainableWeights.map((w) => w.read())).toEqual(net.trainableWeights.map((w) => w.read()));
      tf.dispose([feats, composed, full]);
      split.dispose();
      net.dispose();
    }
    const all = buildPretrainedNet(base, opts({ trainFrom: 'all' }));
    expect(() => splitAtTrainFrom(all)).toThrow(/no frozen part/);
    all.dispose();
    x.dispose();
  });
});

describe('bad backbones and options say what is wrong', () => {
  let base: tf.LayersModel;
  let saved: { json: string; weights: Uint8Array };
  beforeAll(async () => {
    saved = await savedSmall();
    base = await loadSmall();
  });
  afterAll(() => base.dispose());

  const load = (json: string, weights: Uint8Array | undefined, maxBytes?: number) => loadBackbone(json, 'bad.json', (p) => (p === 'weights.bin' ? weights : undefined), maxBytes);
  const edit = (f: (j: tf.io.ModelJSON) => void) => {
    const j = JSON.parse(saved.json) as tf.io.ModelJSON;
    f(j);
    return JSON.stringify(j);
  };

  it('not a Layers model', async () => {
    const graph = JSON.stringify({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [] });
    await expect(load(graph, new Uint8Array())).rejects.toThrow(/bad\.json is a TF\.js graph model.*Layers model/);
    const noConfig = edit((j) => {
      j.modelTopology = { keras_version: '2.2.4', backend: 'tensorflow' };
    });
    await expect(load(noConfig, saved.weights)).rejects.toThrow(/bad\.json has no model configuration.*not a Keras \/ TF\.js Layers model.*tensorflowjs_converter/);
  });

  it('weights missing, cut short, of the wrong shape, or lacking a tensor', async () => {
    await expect(load(saved.json, undefined)).rejects.toThrow(/bad\.json needs the weights file "weights\.bin", which is missing/);
    await expect(load(saved.json, saved.weights.subarray(0, 100))).rejects.toThrow(/hold 100 bytes but the model needs \d+/);
    // Same byte count, another shape: c1's kernel [3,3,3,8] claimed as [3,3,8,3].
    const reshaped = edit((j) => {
      j.weightsManifest[0]!.weights.find((w) => w.name === 'c1/kernel')!.shape = [3, 3, 8, 3];
    });
    await expect(load(reshaped, saved.weights)).rejects.toThrow(/A weight of bad\.json has shape \[3,3,8,3\] where the model needs \[3,3,3,8\]/);
    // logits/bias (4 floats) left out of manifest and file.
    let at = 0;
    const short = edit((j) => {
      const ws = j.weightsManifest[0]!.weights;
      const i = ws.findIndex((w) => w.name === 'logits/bias');
      at = ws.slice(0, i).reduce((s, w) => s + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
      ws.splice(i, 1);
    });
    const fewer = new Uint8Array(saved.weights.length - 16);
    fewer.set(saved.weights.subarray(0, at));
    fewer.set(saved.weights.subarray(at + 16), at);
    await expect(load(short, fewer)).rejects.toThrow(/lack 1 of the \d+ tensors the model needs \(logits\/bias/);
  });

  it('over the size limit', async () => {
    await expect(load(saved.json, saved.weights, 4096)).rejects.toThrow(/bad\.json has 0\.0 M weights \(0 MB as float32\), over the 0 MB the studio takes/);
  });

  it('a model with no 4-D feature layer', async () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
    const m = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2 }).apply(flat) as tf.SymbolicTensor, name: 'mlp' });
    const f = await layersModelFiles(m);
    m.dispose();
    await expect(loadBackbone(f.modelJson, 'mlp.json', () => f.weights)).rejects.toThrow(/mlp\.json has no 4-D feature layer/);
    const dense = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [5] })] });
    expect(() => buildPretrainedNet(dense, opts())).toThrow(/takes input of shape \[N, 5\]; a backbone takes RGB images/);
    dense.dispose();
  });

  it('cuts and trainFrom that do not exist or are not 4-D', () => {
    expect(() => buildPretrainedNet(base, opts({ cuts: ['c3_relu'], label: 'small.json' }))).toThrow(
      /small\.json has no layer "c3_relu"\. Layers usable as cuts: c1, c1_bn, c1_relu, c2, c2_bn, c2_relu \(6 in all\)/,
    );
    expect(() => buildPretrainedNet(base, opts({ cuts: ['gap'] }))).toThrow(/"gap" of the model ".*" outputs \[N, 12\], not one 4-D feature map.*e\.g\. c2_relu/);
    expect(() => buildPretrainedNet(base, opts({ cuts: ['img'] }))).toThrow(/not one 4-D feature map/);
    expect(() => buildPretrainedNet(base, opts({ trainFrom: 'c9' }))).toThrow(/trainFrom "c9" is not a layer.*from c1 to c2_relu/);
    expect(() => buildPretrainedNet(base, opts({ cuts: ['c1_relu'], trainFrom: 'c2' }))).toThrow(/the cut body does not contain/);
    expect(() => buildPretrainedNet(base, opts({ cuts: [] }))).toThrow(BackboneError);
  });
});
