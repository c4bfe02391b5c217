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

/** A decode that takes this long means its worker hung or was killed without a word (out of memory often fires no error). */
export const DECODE_TIMEOUT_MS = 60_000;

export interface DecodePoolOptions {
  /** ms after which a file's worker is taken for dead. */
  timeoutMs?: number;
  /** The in-thread decoder used once every worker is gone. */
  fallback?: (files: ReadonlyMap<string, Blob>) => ImageDecoder;
}

export function decodePool(files: ReadonlyMap<string, Blob>, size = poolSize(), start = startDecodeWorker, opts: DecodePoolOptions = {}): DecodePool {
  const timeoutMs = opts.timeoutMs ?? DECODE_TIMEOUT_MS;
  const makeFallback = opts.fallback ?? blobImageDecoder;
  let workers: Worker[] = [];
  try {
    for (let i = 0; i < size; i++) workers.push(start(i));
  } catch {
    // This browser gives workers no workers of their own: decode here.
    workers.forEach((w) => w.terminate());
    workers = [];
  }
  if (!workers.length) {
    const one = makeFallback(files);
    let stopped = false;
    return {
      decoder: (file, w, h) => (stopped ? Promise.reject(new Error('stopped')) : one(file, w, h)),
      concurrency: 4,
      workers: 0,
      cancel: () => void (stopped = true),
      close: () => {},
    };
  }
  interface Pending {
    resolve: (img: DecodedImage) => void;
    reject: (e: Error) => void;
    worker: number;
    file: string;
    blob: Blob;
    width: number;
    height: number;
    /** Workers that died holding this file: a file that kills two is reported, not passed on to kill them all. */
    deaths: number;
    timer: ReturnType<typeof setTimeout> | undefined;
  }
  const pending = new Map<number, Pending>();
  const load = workers.map(() => 0);
  const alive = workers.map(() => true);
  let inThread: ImageDecoder | null = null;
  let nextId = 1;
  let stopped = false;
  const settle = (id: number) => {
    const p = pending.get(id);
    if (!p) return undefined;
    pending.delete(id);
    clearTimeout(p.timer);
    return p;
  };
  // Once every worker is gone this thread decodes, slower but to the end.
  const decodeHere = (p: Pending) => {
    inThread ??= makeFallback(files);
    inThread(p.file, p.width, p.height).then(p.resolve, p.reject);
  };
  const send = (id: number, p: Pending) => {
    let k = -1;
    for (let j = 0; j < workers.length; j++) if (alive[j] && (k < 0 || load[j]! < load[k]!)) k = j; // the least busy live worker
    if (k < 0) return decodeHere(p);
    p.worker = k;
    load[k]!++;
    pending.set(id, p);
    p.timer = setTimeout(() => kill(k, `no answer in ${Math.round(timeoutMs / 1000)} s`), timeoutMs);
    workers[k]!.postMessage({ id, blob: p.blob, width: p.width, height: p.height } satisfies DecodeRequest);
  };
  // A worker that died (or hung) leaves the rotation; its files go to the others.
  const kill = (k: number, why: string) => {
    if (!alive[k] || stopped) return;
    alive[k] = false;
    workers[k]!.terminate();
    const orphans = [...pending].filter(([, p]) => p.worker === k);
    for (const [id] of orphans) settle(id);
    load[k] = 0;
    // The oldest file was the one being decoded, the likely cause; the rest only waited behind it.
    orphans.sort(([a], [b]) => a - b);
    if (orphans[0]) orphans[0][1].deaths++;
    const left = alive.some(Boolean);
    for (const [id, p] of orphans) {
      if (!left) p.reject(new Error(`the decoder stopped (${why}) and no other decoder is left`));
      else if (p.deaths >= 2) p.reject(new Error(`the decoder stopped on it twice (${why})`));
      else send(id, p);
    }
  };
  workers.forEach((w, k) => {
    w.onmessage = (e: MessageEvent<DecodeReply>) => {
      const r = e.data;
      const p = pending.get(r.id);
      if (!p || p.worker !== k) return;
      settle(r.id);
      load[k]!--;
      if (r.ok) p.resolve({ width: p.width, height: p.height, data: r.data });
      else p.reject(new DecodeError(r.message, r.fix));
    };
    w.onerror = (e) => {
      e.preventDefault();
      kill(k, e.message || 'out of memory?');
    };
  });
  const end = () => {
    stopped = true;
    workers.forEach((w) => w.terminate());
    for (const id of [...pending.keys()]) settle(id)!.reject(new Error('stopped'));
  };
  return {
    workers: workers.length,
    concurrency: workers.length * 2,
    decoder: (file, width, height) => {
      if (stopped) return Promise.reject(new Error('stopped'));
      const blob = files.get(file);
      if (!blob) return Promise.reject(new Error('the file is not in the chosen folder'));
      return new Promise<DecodedImage>((resolve, reject) => {
        send(nextId++, { resolve, reject, worker: -1, file, blob, width, height, deaths: 0, timer: undefined });
      });
    },
    cancel: end,
    close: end,
  };
}

function startDecodeWorker(i: number): Worker {
  return new Worker(new URL('./decode.worker.ts', import.meta.url), { type: 'module', name: `dml-iqa-decoder-${i + 1}` });
}
