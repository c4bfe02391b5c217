import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { smallModel } from '../../../test/support/backbones';
import { MODEL_INFO, MODEL_NAMES } from './info';
import { buildModel } from './zoo';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('model zoo', () => {
  it.each(MODEL_NAMES)('%s maps a batch of images to one score each', (name) => {
    const side = name === 'cnniqa' ? 32 : 48;
    // A pretrained model copies its body from a loaded base network: here a small one made in the test.
    const base = MODEL_INFO[name].pretrained ? smallModel() : undefined;
    const pretrained = base && { base, trainFrom: 'all' };
    const net = buildModel({ inputShape: [side, side, 3], headInit: 'he', bodySeed: 1, headSeed: 2, prefix: `z${name}_` }, { name, pretrained });
    base?.dispose();
    const out = tf.tidy(() => net.apply(tf.randomNormal([3, side, side, 3]), { training: false }) as tf.Tensor);
    expect(out.shape).toEqual([3, 1]);
    expect(Array.from(out.dataSync()).every(Number.isFinite)).toBe(true);
    out.dispose();
    net.dispose();
  });

  it('a pretrained model cannot be built without its base network', () => {
    expect(() => buildModel({ inputShape: [48, 48, 3], headInit: 'he', bodySeed: 1, headSeed: 2, prefix: 'np_' }, { name: 'mobilenetv2' })).toThrow(
      /mobilenetv2 model needs its pretrained body loaded/,
    );
  });

  it('cnniqa pools the conv map by global max and min, then Dense 800-800-1', () => {
    const net = buildModel({ inputShape: [32, 32, 3], headInit: 'xavier', bodySeed: 1, headSeed: 2, prefix: 'c_' }, { name: 'cnniqa' });
    const layer = (n: string) => net.getLayer(`c_${n}`);
    expect(layer('conv7').outputShape).toEqual([null, 26, 26, 50]);
    expect(layer('maxmin').outputShape).toEqual([null, 100]);
    expect(layer('fc1').outputShape).toEqual([null, 800]);
    expect(layer('fc2').outputShape).toEqual([null, 800]);
    // The min branch really is a min: compare with the conv map.
    const sub = tf.model({ inputs: net.inputs, outputs: [layer('conv7').output as tf.SymbolicTensor, layer('gmin').output as tf.SymbolicTensor] });
    const [conv, mn] = sub.predict(tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 4)) as tf.Tensor[];
    expect(Array.from(mn!.dataSync())).toEqual(Array.from(tf.min(conv!, [1, 2]).dataSync()));
    net.dispose();
  });

  it('tiny has four stride-2 conv stages of 16-32-64-128 channels and the paper head', () => {
    const net = buildModel({ inputShape: [64, 64, 3], headInit: 'he', bodySeed: 1, headSeed: 2, prefix: 't_' }, { name: 'tiny' });
    expect([1, 2, 3, 4].map((i) => net.getLayer(`t_stage${i}`).outputShape)).toEqual([
      [null, 32, 32, 16],
      [null, 16, 16, 32],
      [null, 8, 8, 64],
      [null, 4, 4, 128],
    ]);
    expect(net.getLayer('t_head_dense1').outputShape).toEqual([null, 256]);
    expect(net.getLayer('t_head_bn1').getClassName()).toBe('BatchNormalization');
    net.dispose();
  });
});
