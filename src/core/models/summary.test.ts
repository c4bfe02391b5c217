import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { smallModel } from '../../../test/support/backbones';
import { createCohort } from '../train/cohort';
import { QUICK_DEMO, type TrainConfig } from '../train/config';
import { layerPrefix, summarizeNetwork } from './summary';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const bn = (c: number) => ({ trainable: 2 * c, stats: 2 * c });

describe('model summary', () => {
  it('tiny: every layer, its output shape and the parameter counts worked out by hand', () => {
    const config: TrainConfig = { ...QUICK_DEMO, model: 'tiny', input: { kind: 'resize', width: 64, height: 48 } };
    const cohort = createCohort('dml', config, 3);
    try {
      const s = summarizeNetwork(cohort.nets[1]!, 'DML peer B');
      expect(layerPrefix(cohort.nets[1]!)).toBe('peer1_');
      expect(s.inputShape).toEqual([null, 48, 64, 3]);
      // conv3×3 without bias → BN → ReLU, four stride-2 stages; GAP; Dense 256 → BN → Dense 1.
      const widths = [3, 16, 32, 64, 128];
      let trainable = 0;
      let stats = 0;
      for (let i = 1; i < widths.length; i++) {
        trainable += 9 * widths[i - 1]! * widths[i]! + bn(widths[i]!).trainable;
        stats += bn(widths[i]!).stats;
      }
      trainable += 128 * 256 + 256 + bn(256).trainable + 256 + 1;
      stats += bn(256).stats;
      expect(s.trainableParams).toBe(trainable);
      expect(s.statisticsParams).toBe(stats);
      expect(s.frozenParams).toBe(0);
      expect(s.totalParams).toBe(cohort.nets[1]!.countParams());
      const byName = new Map(s.layers.map((l) => [l.name, l]));
      expect(byName.get('input')?.outputShape).toEqual([null, 48, 64, 3]);
      expect(byName.get('stage1')).toMatchObject({ className: 'Conv2D', outputShape: [null, 24, 32, 16], params: 9 * 3 * 16, trainable: true });
      expect(byName.get('stage4_bn')).toMatchObject({ outputShape: [null, 3, 4, 128], params: 4 * 128 });
      expect(byName.get('gap')?.outputShape).toEqual([null, 128]);
      expect(byName.get('head_out')).toMatchObject({ outputShape: [null, 1], params: 257 });
      expect(s.layers.reduce((a, l) => a + l.params, 0)).toBe(s.totalParams);
    } finally {
      cohort.dispose();
    }
  });

  it('a pretrained body trained from a layer: the layers before it are frozen and counted as such', () => {
    const base = smallModel();
    const config: TrainConfig = {
      ...QUICK_DEMO,
      model: 'backbone',
      input: { kind: 'resize', width: 16, height: 16 },
      backbone: { name: 'small', cuts: ['c2_relu'], trainFrom: 'c2', scaling: 'unit' },
    };
    const cohort = createCohort('baseline', config, 3, base);
    base.dispose();
    try {
      const s = summarizeNetwork(cohort.nets[0]!, 'Baseline');
      // Frozen: c1 (3×3×3×8 kernel + 8 bias) and c1_bn (4 × 8, statistics included).
      expect(s.frozenParams).toBe(3 * 3 * 3 * 8 + 8 + 4 * 8);
      const frozen = s.layers.filter((l) => !l.trainable && l.params > 0).map((l) => l.name);
      expect(frozen.some((n) => n.endsWith('c1'))).toBe(true);
      expect(frozen.some((n) => n.endsWith('c1_bn'))).toBe(true);
      expect(frozen.some((n) => n.includes('c2'))).toBe(false);
      // Trainable: c2 (3×3×8×12 + 12), c2_bn's γ and β, and the head.
      const head = s.trainableParams - (3 * 3 * 8 * 12 + 12 + 2 * 12);
      expect(head).toBeGreaterThan(0);
      expect(s.totalParams).toBe(cohort.nets[0]!.countParams());
    } finally {
      cohort.dispose();
    }
  });
});
