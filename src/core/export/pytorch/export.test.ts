import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { QUICK_DEMO, type TrainConfig } from '../../train/config';
import { exportPytorchProject, PytorchExportError, pytorchExportProblems, type PytorchExportInput } from '.';
import { generatedModule } from './templateModule';
import { TRAIN_PY } from './trainPy.generated';
import { TRAIN_PY_PATH } from './pythonTestHelpers';
import { weightFiles } from './weights';

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
    const pretrained = input({ config: { ...QUICK_DEMO, model: 'mobilenetv2' } as unknown as TrainConfig });
    expect(pytorchExportProblems(pretrained).join(' ')).toMatch(/"mobilenetv2" is not in the PyTorch export yet: it covers tiny, cnniqa, resnet18/);
    expect(() => exportPytorchProject(input({ repeats: [] }))).toThrow(PytorchExportError);
    const weights = { seed: 5, peers: [[]] };
    expect(pytorchExportProblems(input({ initialWeights: [weights] }))).toEqual([
      'The initial weights of seed 5 hold 1 network(s); 2 are needed.',
      'Initial weights are given for seed 5, which no repeat uses.',
    ]);
  });
});
