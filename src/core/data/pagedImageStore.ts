/**
 * A dataset's images at storage size kept in a file instead of memory, for data bigger than
 * the tab may hold: each image has its slot in the file (written once, at ingest), and reads
 * go through a bounded least-recently-used cache of whole images. Reads are synchronous, so
 * writeView keeps the in-memory store's contract: in a dedicated worker the file is the
 * browser's private file system through a FileSystemSyncAccessHandle, in Node a plain file
 * (fs.readSync).
 */
import { writeViewOf, type ImageSet } from './imageStore';
import type { View } from './inputMode';
import type { InputScaling } from '../models/types';
import type { DecodedImage } from './types';

/** Synchronous positional I/O on one file: what FileSystemSyncAccessHandle and fs.readSync/writeSync both give. */
export interface PageFile {
  /** Reads into `into` from byte `at`; returns the bytes read. */
  read(into: Uint8Array, at: number): number;
  /** Writes `from` at byte `at`; returns the bytes written. */
  write(from: Uint8Array, at: number): number;
  /** Closes and deletes the file (a promise where deleting is asynchronous, as in the browser). */
  remove(): void | Promise<void>;
}

export interface PagedStats {
  reads: number;
  hits: number;
  bytesRead: number;
  /** The most image bytes ever held in the cache at once. */
  peakCached: number;
  /** ms spent in the file's reads. */
  readMs: number;
}

export class PagedImageStore implements ImageSet {
  readonly bytesPerImage: number;
  count = 0;
  /** Store index → slot in the file (compact renumbers indices without moving bytes). */
  private slots: Int32Array;
  /** Slot → its bytes, in least-recently-used order (Map keeps insertion order). */
  private cache = new Map<number, Uint8Array>();
  /** Freed buffers, reused by the next miss so streaming allocates nothing once warm. */
  private spare: Uint8Array[] = [];
  private readonly maxCached: number;
  readonly stats: PagedStats = { reads: 0, hits: 0, bytesRead: 0, peakCached: 0, readMs: 0 };
  private closed = false;

  constructor(
    readonly capacity: number,
    readonly width: number,
    readonly height: number,
    private readonly file: PageFile,
    /** The cache's bound in bytes (at least one image is always held). */
    cacheBytes: number,
  ) {
    this.bytesPerImage = width * height * 3;
    this.maxCached = Math.max(1, Math.floor(cacheBytes / this.bytesPerImage));
    this.slots = Int32Array.from({ length: capacity }, (_, i) => i);
  }

  /** Images the cache holds at most. */
  get cachedImages(): number {
    return this.maxCached;
  }

  /** Write image i (they arrive out of order); it must already be width×height. */
  set(i: number, img: DecodedImage): void {
    if (img.width !== this.width || img.height !== this.height)
      throw new Error(`Image is ${img.width}×${img.height}, the store holds ${this.width}×${this.height}.`);
    if (!(Number.isInteger(i) && i >= 0 && i < this.capacity)) throw new Error(`Image index ${i} is outside the store (0–${this.capacity - 1}).`);
    if (img.data.length !== this.bytesPerImage) throw new Error(`Image has ${img.data.length} bytes, not ${this.bytesPerImage}.`);
    const slot = this.slots[i]!;
    const wrote = this.file.write(img.data, slot * this.bytesPerImage);
    if (wrote !== this.bytesPerImage) throw new Error(`Only ${wrote} of ${this.bytesPerImage} bytes of image ${i} reached the disk: is it full?`);
    this.drop(slot);
    this.count = Math.max(this.count, i + 1);
  }

  /** Keep only the images at the given (ascending) indices, renumbered from 0 in that order. */
  compact(keep: readonly number[]): void {
    this.slots = Int32Array.from(keep, (i) => this.slots[i]!);
    this.count = keep.length;
  }

  image(i: number): DecodedImage {
    return { width: this.width, height: this.height, data: this.page(i) };
  }

  writeView(i: number, v: View, flip: boolean, out: Float32Array, offset: number, scaling: InputScaling = 'imagenet'): void {
    writeViewOf(this.page(i), 0, this.width, v, flip, out, offset, scaling);
  }

  /**
   * Read these images now, so the steps that need them find them in memory. Only as many as
   * the cache holds beside the batch in use (the oldest of them would be evicted otherwise).
   */
  prefetch(idxs: readonly number[]): void {
    const room = Math.max(0, this.maxCached - 1);
    for (const i of idxs.slice(0, room)) this.page(i);
  }

  /** Closes and deletes the file (resolved once it is gone); the store cannot be read after. */
  async dispose(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cache.clear();
    this.spare = [];
    await this.file.remove();
  }

  private page(i: number): Uint8Array {
    if (this.closed) throw new Error('The image store was closed.');
    if (!(Number.isInteger(i) && i >= 0 && i < this.count)) throw new Error(`Image index ${i} is outside the store (0–${this.count - 1}).`);
    const slot = this.slots[i]!;
    const hit = this.cache.get(slot);
    if (hit) {
      // Most recently used goes last.
      this.cache.delete(slot);
      this.cache.set(slot, hit);
      this.stats.hits++;
      return hit;
    }
    while (this.cache.size >= this.maxCached) {
      const [oldest, buf] = this.cache.entries().next().value as [number, Uint8Array];
      this.cache.delete(oldest);
      this.spare.push(buf);
    }
    const buf = this.spare.pop() ?? new Uint8Array(this.bytesPerImage);
    const t0 = performance.now();
    const got = this.file.read(buf, slot * this.bytesPerImage);
    this.stats.readMs += performance.now() - t0;
    if (got !== this.bytesPerImage) throw new Error(`Image ${i} could not be read back from disk (${got} of ${this.bytesPerImage} bytes).`);
    this.stats.reads++;
    this.stats.bytesRead += got;
    this.cache.set(slot, buf);
    this.stats.peakCached = Math.max(this.stats.peakCached, this.cache.size * this.bytesPerImage);
    return buf;
  }

  private drop(slot: number): void {
    const buf = this.cache.get(slot);
    if (!buf) return;
    this.cache.delete(slot);
    this.spare.push(buf);
  }
}
