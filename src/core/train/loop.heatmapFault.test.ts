import { beforeAll, describe, expect, it, vi } from 'vitest';
import { testConfig, testData } from '../../../test/support/training';
import { initNodeBackend } from '../../node/tfNode';
import type { TrainEvent } from './history';
import { train } from './loop';

// The second and fourth heatmaps of the run fail; every other one is made as usual.
const calls = vi.hoisted(() => ({ n: 0 }));
vi.mock('./featureMaps', async (importOriginal) => {
  const real = await importOriginal<typeof import('./featureMaps')>();
  return {
    ...real,
    epochHeatmaps: async (...args: Parameters<typeof real.epochHeatmaps>) => {
      if (++calls.n === 2 || calls.n === 4) throw new Error('heatmap kernel failed (simulated)');
      return real.epochHeatmaps(...args);
    },
  };
});

beforeAll(async () => {
  await initNodeBackend('wasm');
});

describe('train: a feature heatmap that fails', () => {
  it('leaves those epochs without a map, warns once, and the run trains to the end as without the failure', async () => {
    const config = testConfig({ mode: 'both', epochs: 2, batchSize: 8 });
    const data = testData(24);
    const events: TrainEvent[] = [];
    calls.n = 0;
    const result = await train(config, data, { emit: (e) => e.type !== 'step' && events.push(e) });
    expect(result.stopped).toBe(false);
    expect(result.history.map((e) => `${e.run}${e.epoch}:${e.heatmap ? 'map' : '-'}`)).toEqual(['baseline1:map', 'dml1:-', 'baseline2:map', 'dml2:-']);
    const warnings = events.filter((e) => e.type === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ message: expect.stringMatching(/heatmap kernel failed \(simulated\).*training goes on/) });
    // The metrics are those of a run whose heatmaps all worked: the map reads the nets, it never changes them.
    calls.n = 10;
    const reference = await train(config, data);
    result.history.forEach((e, i) => expect(e.test.peers[0]!.srcc).toBeCloseTo(reference.history[i]!.test.peers[0]!.srcc, 6));
  });
});
