import { describe, expect, it } from 'vitest';
import { cachePlan, configProblems, PAPER, PRETRAINED_QUICK, QUICK_DEMO } from '../../core/train/config';
import type { BackboneInspection } from '../../worker/protocol';
import { MOBILENETV2_LAYERS } from '../../core/models/info';
import { backboneBlock, backboneProblems, budgetBody, cacheLine, bodyLayers, cutChoiceOf, cutsOf, fitBackbone, nativeSize, sameInput, shapeText, trainFromOptions } from './backboneChoices';

const layer = (name: string, className: string, outputShape: (number | null)[], params = 0) => ({ name, className, outputShape, usableAsCut: outputShape.length === 4 && className !== 'InputLayer', params });

/** A small CNN as the worker would describe it. */
const small: BackboneInspection = {
  name: 'small.json',
  inputShape: [null, 16, 16, 3],
  proposedCut: 'c2_relu',
  params: 1232,
  layers: [
    layer('img', 'InputLayer', [null, 16, 16, 3]),
    layer('c1', 'Conv2D', [null, 16, 16, 8], 224),
    layer('c1_relu', 'ReLU', [null, 16, 16, 8]),
    layer('c2', 'Conv2D', [null, 8, 8, 12], 876),
    layer('c2_relu', 'ReLU', [null, 8, 8, 12]),
    layer('gap', 'GlobalAveragePooling2D', [null, 12]),
    layer('logits', 'Dense', [null, 4], 52),
  ],
};

describe('backbone choices', () => {
  it('takes the proposed cut when the config names none, and tells MLSP and custom cuts apart', () => {
    expect(cutsOf(undefined, small, 'backbone')).toEqual(['c2_relu']);
    expect(cutsOf({ trainFrom: 'head', cuts: ['c1', 'c2'] }, small, 'backbone')).toEqual(['c1', 'c2']);
    expect(cutsOf({ trainFrom: 'head' }, null, 'mobilenetv2')).toEqual(['out_relu']);
    expect(cutChoiceOf('mobilenetv2', undefined)).toBe('proposed');
    expect(cutChoiceOf('mobilenetv2', [...MOBILENETV2_LAYERS.mlspCuts])).toBe('mlsp');
    expect(cutChoiceOf('mobilenetv2', ['block_5_add', 'out_relu'])).toBe('custom');
    expect(cutChoiceOf('backbone', ['c2_relu'])).toBe('custom');
  });

  it('offers trainFrom points inside the cut body only', () => {
    expect(bodyLayers(small, ['c1_relu']).map((l) => l.name)).toEqual(['c1', 'c1_relu']);
    const o = trainFromOptions('backbone', small, ['c1_relu'], 'head');
    expect(o.suggested.map(([v]) => v)).toEqual(['head', 'all']);
    expect(o.layers).toEqual([
      ['c1', 'c1 (Conv2D 16×16×8)'],
      ['c1_relu', 'c1_relu (ReLU 16×16×8)'],
    ]);
    // MobileNetV2's block starts, before the layer list is known; a value from a link stays selectable.
    const m = trainFromOptions('mobilenetv2', null, ['out_relu'], 'block_9_expand');
    expect(m.suggested.map(([v]) => v)).toEqual(['head', 'all', 'block_13_expand', 'block_16_expand', 'Conv_1']);
    expect(m.layers).toEqual([['block_9_expand', 'block_9_expand']]);
  });

  it('says which cut or trainFrom does not fit the model, and what to do', () => {
    expect(backboneProblems({ trainFrom: 'c1' }, small, 'backbone')).toEqual([]);
    expect(backboneProblems({ trainFrom: 'head', cuts: ['nope'] }, small, 'backbone')[0]).toMatch(/small\.json has no layer "nope" to cut at.*proposed cut \(c2_relu\)/);
    expect(backboneProblems({ trainFrom: 'head', cuts: ['gap'] }, small, 'backbone')[0]).toMatch(/"gap" outputs 12, not one 4-D feature map/);
    expect(backboneProblems({ trainFrom: 'c2', cuts: ['c1_relu'] }, small, 'backbone')[0]).toMatch(/"c2": that layer comes after the last cut \(c1_relu\)/);
    expect(backboneProblems({ trainFrom: 'zzz' }, small, 'backbone')[0]).toMatch(/has no such layer/);
  });

  it('blocks a user backbone without files, and lets the built-in one start before its layers are read', () => {
    expect(backboneBlock({ model: 'backbone', backbone: { trainFrom: 'head' } }, { builtin: null, user: null })).toMatch(/Pick your backbone/);
    expect(backboneBlock({ model: 'mobilenetv2', backbone: { trainFrom: 'head' } }, { builtin: null, user: null })).toBeNull();
    expect(backboneBlock({ model: 'tiny' }, { builtin: null, user: null })).toBeNull();
    expect(backboneBlock({ model: 'backbone', backbone: { trainFrom: 'c9' } }, { builtin: null, user: { inspection: small } })).toMatch(/^Fix the backbone settings first: .*c9/);
  });

  it('keeps the settings a newly loaded backbone has, resets the others and records its name', () => {
    expect(fitBackbone({ trainFrom: 'c1', cuts: ['c1_relu', 'c2_relu'], scaling: 'unit' }, small, 'backbone')).toEqual({
      trainFrom: 'c1',
      cuts: ['c1_relu', 'c2_relu'],
      scaling: 'unit',
      name: 'small.json',
    });
    expect(fitBackbone({ trainFrom: 'block_16_expand', cuts: ['out_relu'] }, small, 'backbone')).toEqual({ trainFrom: 'head', name: 'small.json' });
  });

  it('suggests the model’s own input size, and compares input modes', () => {
    expect(nativeSize('backbone', small)).toEqual([16, 16]);
    expect(nativeSize('backbone', { ...small, inputShape: [null, null, null, 3] })).toEqual([224, 224]);
    expect(nativeSize('mobilenetv2', null)).toEqual([224, 224]);
    expect(sameInput({ kind: 'crop', size: 64, width: 128, height: 128 }, { kind: 'crop', size: 64, width: 128, height: 128 })).toBe(true);
    expect(sameInput({ kind: 'crop', size: 64, width: 128, height: 128 }, { kind: 'resize', width: 128, height: 128 })).toBe(false);
    expect(shapeText([[null, 4, 4, 8], [null, 2]])).toBe('4×4×8 and 2');
  });

  it('says what is cached: with MLSP levels before the first trainable layer, their pooled vectors too; with random crops, nothing', () => {
    const input = { kind: 'resize' as const, width: 32, height: 32 };
    const line = (backbone: { trainFrom: string; cuts?: string[] }) => cacheLine({ model: 'backbone', backbone, input }, small);
    expect(line({ trainFrom: 'c2', cuts: ['c1_relu', 'c2_relu'] })).toEqual({ cache: true, why: expect.stringMatching(/^the body up to "c2" is frozen: its output, and the MLSP level c1_relu below it pooled to mean and SD, is computed once/) });
    expect(line({ trainFrom: 'head', cuts: ['c1_relu', 'c2_relu'] }).cache).toBe(true);
    expect(line({ trainFrom: 'c1', cuts: ['c1_relu', 'c2_relu'] }).cache).toBe(true);
    expect(line({ trainFrom: 'c2' }).cache).toBe(true);
    expect(cacheLine({ model: 'backbone', backbone: { trainFrom: 'head' }, input: { kind: 'crop', size: 24, width: 32, height: 32 } }, small).cache).toBe(false);
  });

  it('the memory budget reads the body of the model the config names: the built-in one, the user’s, or none', () => {
    const builtin = { ...small, name: 'mobilenetv2' };
    const state = { builtin, user: { inspection: small } };
    expect(budgetBody({ model: 'mobilenetv2' }, state)).toBe(builtin);
    expect(budgetBody({ model: 'backbone' }, state)).toBe(small);
    expect(budgetBody({ model: 'tiny' }, state)).toBeNull();
    expect(budgetBody({ model: 'backbone' }, { builtin, user: null })).toBeNull();
  });

  it('offers presets that can run: Pretrained quick caches its frozen MLSP body, Paper fine-tunes every layer', () => {
    for (const p of [QUICK_DEMO, PRETRAINED_QUICK, PAPER]) expect(configProblems(p)).toEqual([]);
    expect(cachePlan(PRETRAINED_QUICK).cache).toBe(true);
    expect(cutChoiceOf(PRETRAINED_QUICK.model, PRETRAINED_QUICK.backbone?.cuts)).toBe('mlsp');
    expect(cachePlan(PAPER)).toEqual({ cache: false, why: expect.stringMatching(/every layer trains/) });
    // The seed code's 512×384 is height × width: portrait.
    expect(PAPER.input).toEqual({ kind: 'resize', width: 384, height: 512 });
  });
});
