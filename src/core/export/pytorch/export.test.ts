import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { QUICK_DEMO, type TrainConfig } from '../../train/config';
import { exportPytorchProject, PytorchExportError, pytorchExportProblems, type PytorchExportInput } from '.';
import { generatedModule } from './templateModule';
import { TRAIN_PY } from './trainPy.generated';
import { TRAIN_PY_PATH } from './pythonTestHelpers';
import { weightFiles, type NetTensor } from './weights';

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}/img${i}.png`);

function input(over: Partial<PytorchExportInput> = {}): PytorchExportInput {
  const train = names('a', 6);
  const test = names('b', 3);
  return {
    config: { ...QUICK_DEMO },
    repeats: [{ seed: 1, splitSeed: 1, train, val: [], test }],
    scores: new Map([...train, ...test].map((n, i) => [n, 1 + i / 4])),
    ...over,
  };
}

describe('PyTorch export', () => {
  it('embeds template/train.py as it is on disk (else run: npx tsx scripts/genPytorchTemplate.ts)', () => {
    const onDisk = readFileSync(TRAIN_PY_PATH, 'utf8');
    expect(TRAIN_PY === onDisk, 'trainPy.generated.ts is stale: run `npx tsx scripts/genPytorchTemplate.ts`').toBe(true);
    expect(readFileSync(new URL('./trainPy.generated.ts', import.meta.url), 'utf8')).toBe(generatedModule(onDisk));
  });

  it('writes the project folder: train.py, config, split, scores, weights, README, requirements', () => {
    const weights = { seed: 1, peers: [0, 1].map((k) => [{ name: 'stage1/kernel', shape: [1, 2], values: Float32Array.of(k, 0.5) }]) };
    const files = exportPytorchProject(input({ control: true, initialWeights: [weights] }));
    const byPath = new Map(files.map((f) => [f.path, f.contents]));
    expect([...byPath.keys()].sort()).toEqual(
      ['README.md', 'config.json', 'requirements.txt', 'scores.csv', 'split.json', 'train.py', 'weights/seed-1.bin', 'weights/seed-1.json'].sort(),
    );
    expect(byPath.get('train.py')).toBe(TRAIN_PY);
    const config = JSON.parse(byPath.get('config.json') as string);
    expect(config).toEqual({ config: QUICK_DEMO, control: true, repeats: [{ seed: 1, splitSeed: 1 }] });
    const split = JSON.parse(byPath.get('split.json') as string);
    expect(split.repeats[0].train).toEqual(input().repeats[0]!.train); // the studio's order, kept
    expect((byPath.get('scores.csv') as string).split('\n')[0]).toBe('image,mos');
    expect(byPath.get('requirements.txt')).toMatch(/^torch==1\.13\.1$/m);
    expect(byPath.get('README.md')).toMatch(/torchrun --nproc_per_node=\d train\.py --images/);
    expect(byPath.get('README.md')).toMatch(/python train\.py --images/);
    const bin = byPath.get('weights/seed-1.bin') as Uint8Array;
    expect(Array.from(new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength)))).toEqual([0, 0.5, 1, 0.5]);
    expect(weightFiles(weights)[0]!.contents).toBe(byPath.get('weights/seed-1.json'));
  });

  it('names every reason it cannot export', () => {
    const base = input();
    const overlap = input({ repeats: [{ seed: 1, train: [...base.repeats[0]!.train, 'b/img0.png'], test: base.repeats[0]!.test }] });
    expect(pytorchExportProblems(overlap)).toEqual(['"b/img0.png" is listed twice (train and test).']);
    const unscored = input({ scores: new Map() });
    expect(pytorchExportProblems(unscored)[0]).toBe('"a/img0.png" has no score.');
    const own = input({ config: { ...QUICK_DEMO, model: 'backbone', backbone: { trainFrom: 'all' } } });
    expect(pytorchExportProblems(own).join(' ')).toMatch(/"backbone" is not in the PyTorch export yet: it covers tiny, cnniqa, resnet18, mobilenetv2/);
    expect(() => exportPytorchProject(input({ repeats: [] }))).toThrow(PytorchExportError);
    const weights = { seed: 5, peers: [[]] };
    expect(pytorchExportProblems(input({ initialWeights: [weights] }))).toEqual([
      'The initial weights of seed 5 hold 1 network(s); 2 are needed.',
      'Initial weights are given for seed 5, which no repeat uses.',
    ]);
  });

  describe('a pretrained MobileNetV2', () => {
    const tensor = (name: string, ...values: number[]): NetTensor => ({ name, shape: [values.length], values: Float32Array.from(values) });
    const backbone = {
      tensors: [tensor('Conv1/kernel', 1, 2), tensor('bn_Conv1/gamma', 3)],
      layers: ['Conv1_pad', 'Conv1', 'bn_Conv1', 'Conv1_relu', 'block_2_add', 'out_relu'],
      source: 'Keras MobileNetV2 from nsfwjs: ImageNet-initialised, then fine-tuned on a 5-class set. Input x/255.',
      license: 'MIT License (nsfwjs)',
    };
    const config: TrainConfig = { ...QUICK_DEMO, model: 'mobilenetv2', backbone: { trainFrom: 'head' } };
    // Peer 1's body differs from the backbone in one tensor (it must be kept); the heads always are.
    const weights = {
      seed: 1,
      peers: [
        [tensor('Conv1/kernel', 1, 2), tensor('bn_Conv1/gamma', 3), tensor('head_out/kernel', 0.5)],
        [tensor('Conv1/kernel', 1, 2), tensor('bn_Conv1/gamma', 4), tensor('head_out/kernel', -0.5)],
      ],
    };

    it('goes with its pretrained weights, licence and provenance; the config names its cut and trainFrom; weights/ holds the heads', () => {
      const files = exportPytorchProject(input({ config, initialWeights: [weights], backbone }));
      const byPath = new Map(files.map((f) => [f.path, f.contents]));
      expect([...byPath.keys()].filter((p) => p.startsWith('backbone/')).sort()).toEqual(['backbone/LICENSE', 'backbone/mobilenetv2.bin', 'backbone/mobilenetv2.json']);
      expect(byPath.get('backbone/LICENSE')).toBe(backbone.license);
      const meta = JSON.parse(byPath.get('backbone/mobilenetv2.json') as string);
      expect(meta).toMatchObject({ layout: 'tfjs', model: 'mobilenetv2', source: backbone.source, bin: 'mobilenetv2.bin' });
      expect(meta.tensors.map((t: { name: string }) => t.name)).toEqual(['Conv1/kernel', 'bn_Conv1/gamma']);
      const bin = byPath.get('backbone/mobilenetv2.bin') as Uint8Array;
      expect(Array.from(new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength)))).toEqual([1, 2, 3]);
      // The exported config is the studio's with the default cut written out.
      expect(JSON.parse(byPath.get('config.json') as string).config).toEqual({ ...config, backbone: { trainFrom: 'head', cuts: ['out_relu'] } });
      const seed = JSON.parse(byPath.get('weights/seed-1.json') as string);
      expect(seed.peers.map((p: { tensors: { name: string }[] }) => p.tensors.map((t) => t.name))).toEqual([['head_out/kernel'], ['bn_Conv1/gamma', 'head_out/kernel']]);
      const readme = byPath.get('README.md') as string;
      expect(readme).toContain(backbone.source);
      expect(readme).toMatch(/x\/255/);
      expect(readme).toMatch(/cut at out_relu, global average pooling/);
      expect(readme).toMatch(/body frozen/);
      // MLSP cuts and a trainFrom layer are kept as given.
      const mlsp: TrainConfig = { ...config, backbone: { trainFrom: 'bn_Conv1', cuts: ['block_2_add', 'out_relu'] } };
      const mlspFiles = exportPytorchProject(input({ config: mlsp, backbone }));
      expect(JSON.parse(mlspFiles.find((f) => f.path === 'config.json')!.contents as string).config.backbone).toEqual(mlsp.backbone);
      expect(mlspFiles.find((f) => f.path === 'README.md')!.contents).toMatch(/cut at block_2_add \+ out_relu, mean and SD pooled per level \(MLSP\)/);
    });

    it('is refused without its weights, or with a cut or trainFrom that names no layer of it', () => {
      expect(pytorchExportProblems(input({ config }))).toEqual(['The mobilenetv2 model starts from pretrained weights, and none are given to export with it.']);
      const bad = (b: TrainConfig['backbone']) => pytorchExportProblems(input({ config: { ...config, backbone: b }, backbone }));
      expect(bad({ trainFrom: 'all', cuts: ['block_99_add'] })).toEqual(['The mobilenetv2 body has no layer "block_99_add" to cut at: name one from Conv1_pad to out_relu.']);
      expect(bad({ trainFrom: 'block_99_expand' })[0]).toMatch(/^trainFrom "block_99_expand" is not a layer of the mobilenetv2 body/);
      expect(bad({ trainFrom: 'out_relu', cuts: ['block_2_add'] })).toEqual([
        "trainFrom \"out_relu\" comes after the cuts block_2_add: name a layer before them, or 'head' or 'all'.",
      ]);
      expect(bad({ trainFrom: 'Conv1', cuts: ['block_2_add', 'out_relu'] })).toEqual([]);
    });
  });
});
