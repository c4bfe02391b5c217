/**
 * A run's images, from files to a store, after a memory budget: first the estimate (images,
 * one training step, the networks, the feature cache) against what the device lets the tab
 * use, then the images decoded by a pool of decode workers, either into memory or, when they
 * do not fit, into a file on disk that training streams from. The page is told the mode and
 * why before the first file is decoded, and sees images/s and the time left while it runs.
 */
import type { ImageSet } from '../core/data/imageStore';
import { loadImages, StoreWriteError, type ImageDecoder, type LoadedImages, type LoadProgress } from '../core/data/loadImages';
import { deviceAllowance, formatMB, memoryBudget, type DeviceAllowance, type MemoryBudget } from '../core/data/memoryBudget';
import { PagedImageStore, type PageFile } from '../core/data/pagedImageStore';
import type { LabelledItem } from '../core/data/types';
import { budgetInput, modelFootprint } from '../core/models/footprint';
import type { TrainConfig } from '../core/train/config';
import { DataError } from './describeError';
import type { DecodePool } from './decodePool';
import type { BackendChoice, DatasetFile, FromWorker, MemoryHints } from './protocol';

/** The wasm backend's heap: 4 GB of 32-bit addresses, tensors and runtime together. */
export const WASM_HEAP_BYTES = 4 * 2 ** 30;

/** What the worker can find out about the device, and how it keeps images on disk. */
export interface StoragePlatform {
  /** navigator.deviceMemory (GB), whether images can go to disk, and the disk the site may still use. */
  device?(): Promise<{ deviceMemoryGB?: number; disk: boolean; diskFree?: number }>;
  /** A file for `bytes` of decoded images (the private file system in the browser). */
  pageFile?(bytes: number): Promise<PageFile>;
  /** Decoders on every core; without it the session's single decoder is used. */
  decodePool?(files: ReadonlyMap<string, Blob>): DecodePool;
}

export interface IngestArgs {
  config: TrainConfig;
  items: readonly LabelledItem[];
  files: readonly DatasetFile[];
  backend: BackendChoice;
  hints?: MemoryHints;
  platform: StoragePlatform & { decoder(files: ReadonlyMap<string, Blob>): ImageDecoder };
  send(msg: FromWorker): void;
  isStopped(): boolean;
  /** A second dataset (the cross-dataset test): no storage report of its own. */
  quiet?: boolean;
  /** Stores already decoded (the main set, while the cross set is planned): their memory counts as in use. */
  held?: readonly ImageSet[];
  /** Set while decoding: stops every decode at once. */
  onCancel(cancel: (() => void) | null): void;
}

/** Progress messages at most this often (ms). */
const PROGRESS_INTERVAL_MS = 100;

/** The device's allowance as this worker sees it (the page's own use of memory taken off when it says). */
export async function workerAllowance(a: Pick<IngestArgs, 'platform' | 'hints' | 'backend' | 'held'>): Promise<DeviceAllowance> {
  const d = (await a.platform.device?.().catch(() => undefined)) ?? { disk: !!a.platform.pageFile };
  const disk = d.disk && !!a.platform.pageFile;
  const backendLimit = a.backend === 'wasm' ? { bytes: WASM_HEAP_BYTES, name: 'wasm' } : undefined;
  const held = (a.held ?? []).reduce((s, st) => s + heldBytes(st), 0);
  const inUse = a.hints?.inUse !== undefined || held > 0 ? (a.hints?.inUse ?? 0) + held : undefined;
  const allowance = deviceAllowance({ deviceMemoryGB: d.deviceMemoryGB, inUse, diskFree: d.diskFree, disk, backendLimit });
  const forced = a.hints?.deviceBytes;
  if (forced !== undefined) return { ...allowance, bytes: forced, source: `a test's limit of ${Math.round(forced / 2 ** 20)} MB`, inUse: held || undefined };
  return allowance;
}

/** The memory a decoded store holds: all its images, or for one on disk its cache. */
export function heldBytes(store: ImageSet): number {
  const cache = (store as { cachedImages?: unknown }).cachedImages;
  return (typeof cache === 'number' ? Math.min(cache, store.count) : store.count) * store.bytesPerImage;
}

/** The budget of this run on this device. */
export async function planStorage(a: IngestArgs): Promise<MemoryBudget> {
  const fileBytes = a.files.reduce((s, f) => s + f.file.size, 0);
  const footprint = a.hints?.footprint ?? modelFootprint(a.config);
  return memoryBudget(budgetInput(a.config, a.items.length, footprint, fileBytes), await workerAllowance(a));
}

/**
 * Decoded images (into memory or onto disk, as the budget says), their problems sent; null
 * when stopped meanwhile. Throws, in words, when the images fit neither in memory nor on disk.
 */
export async function ingestImages(a: IngestArgs): Promise<LoadedImages | null> {
  const { width, height } = a.config.input;
  const budget = await planStorage(a);
  if (!a.quiet)
    a.send({ type: 'storage', mode: budget.mode, fits: budget.fits, why: budget.why, advice: budget.advice, parts: budget.parts, allowed: budget.allowed, streamCache: budget.streamCache });
  const bytes = a.items.length * width * height * 3;
  let file: PageFile | null = null;
  if (budget.mode === 'disk') {
    if (!a.platform.pageFile || !budget.placed) throw new DataError(`${budget.why} ${adviceText(budget)}`);
    try {
      file = await a.platform.pageFile(bytes);
    } catch (err) {
      throw new DataError(`${budget.why} But the images cannot go to disk: ${(err as Error).message} ${adviceText(budget)}`);
    }
  }
  // Over the estimate but not impossible (the backend may hold more than guessed): said, then tried.
  if (!budget.fits && !a.quiet) a.send({ type: 'warning', message: `${budget.why} ${adviceText(budget)}` });

  const fileMap = new Map(a.files.map((f) => [f.path, f.file]));
  const pool = a.platform.decodePool?.(fileMap) ?? null;
  const decode = pool?.decoder ?? a.platform.decoder(fileMap);
  a.onCancel(() => pool?.cancel());
  const t0 = performance.now();
  let lastSent = -Infinity;
  const progress = (p: LoadProgress) => {
    const now = performance.now();
    if (p.done < p.total && now - lastSent < PROGRESS_INTERVAL_MS) return;
    lastSent = now;
    // The rate so far gives the time left; the first images include the pool's start.
    const rate = p.done / Math.max(1e-3, (now - t0) / 1000);
    a.send({
      type: 'ingest',
      done: p.done,
      total: p.total,
      imagesPerSec: rate,
      bytes: p.done * width * height * 3,
      ...(p.done > 0 && { etaSeconds: (p.total - p.done) / rate }),
      ...(pool && { workers: pool.workers }),
      mode: budget.mode,
    });
  };
  const concurrency = pool?.concurrency ?? 4;
  // After a stop the remaining files are skipped quickly (and their "problems" never shown).
  const decodeOrStop: ImageDecoder = (f, w, h) => (a.isStopped() ? Promise.reject(new Error('stopped')) : decode(f, w, h));
  let loaded: LoadedImages;
  try {
    loaded = file
      ? await loadImages(a.items, width, height, decodeOrStop, progress, concurrency, (n, w, h) => new PagedImageStore(n, w, h, file!, budget.streamCache))
      : await loadImages(a.items, width, height, decodeOrStop, progress, concurrency);
  } catch (err) {
    await file?.remove();
    if (err instanceof StoreWriteError) throw new DataError(await storeFailure(a, err, bytes, !!file));
    throw err;
  } finally {
    a.onCancel(null);
    pool?.close();
  }
  if (a.isStopped()) {
    await loaded.store.dispose?.();
    return null;
  }
  // The cross set's problems say so, to be shown under its name and not the training data's.
  if (a.quiet) loaded.problems = loaded.problems.map((p) => ({ ...p, set: 'cross' as const }));
  if (loaded.problems.length) a.send({ type: 'problems', problems: loaded.problems });
  return loaded;
}

/** A store that refused an image, in words: what failed, the space it needs and has, what to do. */
async function storeFailure(a: IngestArgs, err: StoreWriteError, bytes: number, onDisk: boolean): Promise<string> {
  const cause = (err.reason as Error)?.message ?? String(err.reason);
  if (!onDisk) return `The decoded images could not be kept in memory (${cause}). Choose a smaller input size or fewer images, then Start again.`;
  const free = (await a.platform.device?.().catch(() => undefined))?.diskFree;
  const left = free !== undefined ? `; the browser now grants the site ${formatMB(free)} more` : '';
  return (
    `Writing the decoded images to disk failed at ${err.file}: ${cause} The run keeps ${formatMB(bytes)} of images on disk${left}. ` +
    `Free disk space (or clear this site's stored data in the browser's settings), or choose a smaller input size or fewer images, then Start again.`
  );
}

function adviceText(b: MemoryBudget): string {
  return b.advice.length ? `What would fit: ${b.advice.join('; or ')}.` : '';
}
