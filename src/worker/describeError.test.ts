import { describe, expect, it } from 'vitest';
import { SplitError } from '../core/splits';
import { TrainingDivergedError } from '../core/train/loop';
import { BackendError, DataError, describeError } from './describeError';

describe('describeError', () => {
  it('gives each failure its kind and keeps messages meant for students', () => {
    const diverged = new TrainingDivergedError('dml', 3, 7);
    expect(describeError(diverged)).toEqual({ type: 'error', kind: 'diverged', message: diverged.message });
    expect(describeError(new SplitError('Cannot split 1 image')).kind).toBe('data');
    expect(describeError(new DataError('no images')).kind).toBe('data');
    expect(describeError(new BackendError('nothing starts')).kind).toBe('backend');
  });

  it('recognises running out of memory on each backend', () => {
    for (const m of [
      'Aborted(OOM)',
      'WebAssembly.Memory.grow(): Maximum memory size exceeded',
      'Array buffer allocation failed',
      'Requested texture size [40000x40000] greater than WebGL maximum on this browser / GPU [16384x16384].',
    ]) {
      const e = describeError(new RangeError(m), 'wasm');
      expect(e.kind, m).toBe('memory');
      expect(e.message).toMatch(/ran out of memory while training \(on wasm\)\. Use smaller images/);
    }
  });

  it('wraps anything else as internal, naming the backend and the detail', () => {
    const e = describeError(new Error('kernel Foo not found'), 'webgl');
    expect(e.kind).toBe('internal');
    expect(e.message).toMatch(/on the webgl backend: kernel Foo not found/);
  });
});
