/**
 * Ingest on every core: a few decode workers (started by the trainer worker) each take whole
 * files and give back RGB at storage size, so decoding and resizing run side by side while
 * the trainer worker only writes the results into the store. It is an ImageDecoder like the
 * single-thread one, and falls back to it where a worker cannot start workers of its own.
 */
import type { ImageDecoder } from '../core/data/loadImages';
import type { DecodedImage } from '../core/data/types';
import { blobImageDecoder } from './decodeImage';

export interface DecodeRequest {
  id: number;
  blob: Blob;
  width: number;
  height: number;
}

export type DecodeReply = { id: number; ok: true; data: Uint8Array } | { id: number; ok: false; message: string; fix?: string };

/** An error carrying its fix, as checkImageBytes's ImageFileError does, so loadImages words it the same. */
class DecodeError extends Error {
  constructor(
    message: string,
    readonly fix?: string,
  ) {
    super(message);
  }
}

export interface DecodePool {
  decoder: ImageDecoder;
  /** Decodes in flight at once that keep every worker busy (two each: one decoding, one queued). */
  concurrency: number;
  /** Workers decoding (0: this thread decodes, no pool could start). */
  workers: number;
  /** Stops every decode now: the pending ones reject with 'stopped'. */
  cancel(): void;
  /** Ends the workers once ingest is over. */
  close(): void;
}

/** The pool's size: one worker per core up to 6, at least 2. */
export function poolSize(cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : 2): number {
  return Math.max(2, Math.min(6, cores || 2));
}

export function decodePool(files: ReadonlyMap<string, Blob>, size = poolSize(), start = startDecodeWorker): DecodePool {
  let workers: Worker[] = [];
  try {
    for (let i = 0; i < size; i++) workers.push(start(i));
  } catch {
    // This browser gives workers no workers of their own: decode here.
    workers.forEach((w) => w.terminate());
    workers = [];
  }
  if (!workers.length) {
    const one = blobImageDecoder(files);
    let stopped = false;
    return {
      decoder: (file, w, h) => (stopped ? Promise.reject(new Error('stopped')) : one(file, w, h)),
      concurrency: 4,
      workers: 0,
      cancel: () => void (stopped = true),
      close: () => {},
    };
  }
  const pending = new Map<number, { resolve: (img: DecodedImage) => void; reject: (e: Error) => void; worker: number; width: number; height: number }>();
  const load = workers.map(() => 0);
  let nextId = 1;
  let stopped = false;
  workers.forEach((w, k) => {
    w.onmessage = (e: MessageEvent<DecodeReply>) => {
      const r = e.data;
      const p = pending.get(r.id);
      if (!p) return;
      pending.delete(r.id);
      load[k]!--;
      if (r.ok) p.resolve({ width: p.width, height: p.height, data: r.data });
      else p.reject(new DecodeError(r.message, r.fix));
    };
    w.onerror = (e) => {
      e.preventDefault();
      // A decoder that died takes its files with it; they are reported, the others go on.
      for (const [id, p] of pending) if (p.worker === k) {
        pending.delete(id);
        p.reject(new Error(`the decoder stopped (${e.message || 'out of memory?'})`));
      }
    };
  });
  const end = () => {
    stopped = true;
    workers.forEach((w) => w.terminate());
    for (const p of pending.values()) p.reject(new Error('stopped'));
    pending.clear();
  };
  return {
    workers: workers.length,
    concurrency: workers.length * 2,
    decoder: (file, width, height) => {
      if (stopped) return Promise.reject(new Error('stopped'));
      const blob = files.get(file);
      if (!blob) return Promise.reject(new Error('the file is not in the chosen folder'));
      // The least busy worker takes it.
      const k = load.indexOf(Math.min(...load));
      const id = nextId++;
      load[k]!++;
      return new Promise<DecodedImage>((resolve, reject) => {
        pending.set(id, { resolve, reject, worker: k, width, height });
        workers[k]!.postMessage({ id, blob, width, height } satisfies DecodeRequest);
      });
    },
    cancel: end,
    close: end,
  };
}

function startDecodeWorker(i: number): Worker {
  return new Worker(new URL('./decode.worker.ts', import.meta.url), { type: 'module', name: `dml-iqa-decoder-${i + 1}` });
}
