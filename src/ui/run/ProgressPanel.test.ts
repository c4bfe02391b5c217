import { describe, expect, it } from 'vitest';
import type { EpochEvent } from '../../core/train/history';
import { epochLine } from '../../cli/report';
import { memoryLine } from './ProgressPanel';

const metrics = { srcc: 0.5, krcc: 0.4, plcc: 0.6, plccRaw: 0.55, rmse: 0.9, n: 75 };
const epoch = (memory: EpochEvent['memory']): EpochEvent => ({
  type: 'epoch',
  run: 'baseline',
  epoch: 3,
  trainLoss: { supervised: [1], mimicry: [0], total: [1] },
  test: { peers: [metrics] },
  predictions: { peers: [[]] },
  lr: 1e-3,
  seconds: 2,
  imagesPerSec: 40,
  memory,
});

describe('the memory line', () => {
  it('shows the tensors and their bytes; the GPU buffers only where the backend reports them (webgpu)', () => {
    expect(memoryLine(epoch({ numTensors: 120, numBytes: 3 * 2 ** 20 }))).toBe('Memory after epoch 3: 120 tensors, 3.0 MB');
    expect(memoryLine(epoch({ numTensors: 120, numBytes: 3 * 2 ** 20, numBytesAllocatedInGPU: 29.5 * 2 ** 20 }))).toBe(
      'Memory after epoch 3: 120 tensors, 3.0 MB · GPU buffers allocated 29.5 MB',
    );
  });

  it("the CLI's epoch line ends with the GPU figure on webgpu, and has none elsewhere", () => {
    expect(epochLine(3, 8, [epoch({ numTensors: 1, numBytes: 1 })])).toMatch(/ 2\.0 s$/);
    expect(epochLine(3, 8, [epoch({ numTensors: 1, numBytes: 1, numBytesAllocatedInGPU: 29.5 * 2 ** 20 })])).toMatch(/ 2\.0 s  GPU 29\.5 MiB$/);
  });
});
