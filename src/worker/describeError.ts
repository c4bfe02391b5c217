import { ImportError } from '../core/data/importError';
import { SplitError } from '../core/splits';
import { TrainingDivergedError } from '../core/train/loop';
import type { FromWorker } from './protocol';
import { RunBusyError } from '../storage/runLock';
import { RunNotFoundError, StorageFullError } from '../storage/storageErrors';

export type WorkerError = Extract<FromWorker, { type: 'error' }>;

/** A problem with the user's data, found by the worker (no images decoded, bad config). */
export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataError';
  }
}

/** No backend could start or train. */
export class BackendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackendError';
  }
}

// What wasm (Emscripten), WebGPU, WebGL and plain JS say when memory runs out.
const OUT_OF_MEMORY =
  /out of memory|\bOOM\b|allocation failed|cannot enlarge memory|maximum memory size|invalid typed array length|array buffer allocation|requested texture size|GPUOutOfMemoryError/i;

function isOutOfMemory(err: unknown): boolean {
  const e = err as { name?: string; message?: string } | null;
  return !!e && (e.name === 'GPUOutOfMemoryError' || OUT_OF_MEMORY.test(String(e.message ?? e)));
}

/** The error message for the page: a kind for the UI and words a student can act on. */
export function describeError(err: unknown, backend?: string): WorkerError {
  if (err instanceof TrainingDivergedError) return { type: 'error', kind: 'diverged', message: err.message };
  if (err instanceof SplitError || err instanceof DataError || err instanceof ImportError)
    return { type: 'error', kind: 'data', message: err.message };
  if (err instanceof BackendError) return { type: 'error', kind: 'backend', message: err.message };
  if (err instanceof RunBusyError || err instanceof RunNotFoundError) return { type: 'error', kind: 'run', message: err.message };
  if (err instanceof StorageFullError) return { type: 'error', kind: 'storage', message: err.message };
  if (isOutOfMemory(err))
    return {
      type: 'error',
      kind: 'memory',
      message:
        `The browser ran out of memory while training${backend ? ` (on ${backend})` : ''}. ` +
        'Use smaller images (e.g. 128×128), a smaller batch, fewer peers or the tiny model, close other tabs, and start again.',
    };
  const detail = err instanceof Error ? err.message : String(err);
  return {
    type: 'error',
    kind: 'internal',
    message:
      `Training stopped because of an unexpected error${backend ? ` on the ${backend} backend` : ''}: ${detail}. ` +
      'Try again; if it happens again, choose another backend in the settings, or report this message.',
  };
}
