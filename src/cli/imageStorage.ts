/**
 * Where the CLI keeps the decoded images: in memory (one uint8 array), or — for a set larger
 * than half this machine's memory, or when asked — in a temporary file read through a bounded
 * cache, as the studio streams from its private file system. Both train to the same numbers.
 */
import { totalmem } from 'node:os';
import { formatMB } from '../core/data/memoryBudget';
import { PagedImageStore } from '../core/data/pagedImageStore';
import { tempPageFile } from '../node/filePages';

/** The disk store's cache: the studio's bound too. */
export const CLI_STREAM_CACHE_BYTES = 512 * 2 ** 20;

export interface ImageStorage {
  disk: boolean;
  why: string;
}

/** asked: --images-on-disk (true), --images-in-memory (false), neither (undefined: by size). */
export function cliImageStorage(count: number, width: number, height: number, asked: boolean | undefined, memoryBytes = totalmem()): ImageStorage {
  const bytes = count * width * height * 3;
  const size = `${count} images at ${width}×${height} take ${bytes < 2 ** 20 ? 'under 1 MB' : formatMB(bytes)} decoded`;
  if (asked === true) return { disk: true, why: `${size}: kept on disk in a temporary file (--images-on-disk), ${formatMB(CLI_STREAM_CACHE_BYTES)} of them in memory at a time` };
  if (asked === false) return { disk: false, why: `${size}: held in memory (--images-in-memory)` };
  if (bytes > memoryBytes / 2)
    return {
      disk: true,
      why: `${size}, over half of this machine's ${formatMB(memoryBytes)}: kept on disk in a temporary file, ${formatMB(CLI_STREAM_CACHE_BYTES)} of them in memory at a time (--images-in-memory holds them all)`,
    };
  return { disk: false, why: `${size}: held in memory (--images-on-disk streams them from a temporary file instead)` };
}

/**
 * loadImages' store maker for the disk mode: a paged store over a new temporary file that has
 * already left its folder (see tempPageFile), so nothing is left behind however the process ends;
 * where the system cannot do that (Windows), the file is deleted when the process exits.
 */
export function diskStore(n: number, width: number, height: number): PagedImageStore {
  const store = new PagedImageStore(n, width, height, tempPageFile(undefined, { unlinked: true }), CLI_STREAM_CACHE_BYTES);
  // dispose() removes the file synchronously before its first await, so it completes inside 'exit'.
  process.once('exit', () => void store.dispose());
  return store;
}
