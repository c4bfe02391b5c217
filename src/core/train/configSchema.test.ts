import { describe, expect, it } from 'vitest';
import { storedConfig } from '../../storage/runRecord';
import { PAPER, QUICK_DEMO } from './config';
import { readTrainConfig, TrainConfigSchema } from './configSchema';

describe('the config schema', () => {
  it('takes every preset as it is, and drops unknown fields with a note', () => {
    for (const c of [QUICK_DEMO, PAPER, { ...QUICK_DEMO, width: 0.5 }]) expect(readTrainConfig(c, 'The config')).toEqual({ config: c, problems: [], notes: [] });
    const r = readTrainConfig({ ...QUICK_DEMO, colour: 'red' }, 'The config');
    expect(r.config).toEqual(QUICK_DEMO);
    expect(r.notes).toEqual(['Ignored unknown fields: colour.']);
  });

  it('names each wrong or missing field, the value it got and where it came from', () => {
    const { mode: _mode, ...noMode } = QUICK_DEMO;
    const r = readTrainConfig({ ...noMode, epochs: 'ten', lr: Number.NaN, model: 'vgg', input: { kind: 'crop', width: 64 } }, 'config.json in run.zip');
    expect(r.config).toBeNull();
    expect(r.problems).toEqual([
      'config.json in run.zip: "mode" must be one of "baseline", "dml", "both" (got nothing).',
      'config.json in run.zip: "model" must be one of "tiny", "cnniqa", "resnet18", "mobilenetv2", "backbone" (got "vgg").',
      expect.stringMatching(/^config.json in run.zip: "input" must be \{"kind": "resize".*\(got \{"kind":"crop","width":64\}\)\.$/),
      'config.json in run.zip: "epochs" must be a number (got "ten").',
      'config.json in run.zip: "lr" must be a number (got null).',
    ]);
    expect(readTrainConfig([1, 2], 'The config').problems).toEqual(['The config must be a JSON object such as {"mode": "both", "epochs": 12, …}.']);
  });

  it('lists exactly the fields of TrainConfig', () => {
    expect(Object.keys(TrainConfigSchema.entries).sort()).toEqual([...Object.keys(QUICK_DEMO), 'width', 'backbone', 'trainSizes', 'heatmapImage'].sort());
  });

  it('guards a stored run: a record whose config does not fit is refused with its name', () => {
    expect(storedConfig({ name: 'old run', config: QUICK_DEMO })).toEqual(QUICK_DEMO);
    expect(() => storedConfig({ name: 'old run', config: { ...QUICK_DEMO, peers: '2' } as never })).toThrow(
      /The config of the stored run "old run": "peers" must be a number \(got "2"\)\..*start a new run/,
    );
  });
});
