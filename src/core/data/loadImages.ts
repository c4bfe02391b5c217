import { ImageStore, type ImageSet } from './imageStore';
import type { DecodedImage, ImportProblem, LabelledItem } from './types';

/**
 * Decodes one file of the dataset to width×height RGB (sharp in Node, createImageBitmap in the
 * worker; both check the header with checkImageBytes and resize with fitDecoded).
 */
export type ImageDecoder = (file: string, width: number, height: number) => Promise<DecodedImage>;

/** The store refused a decoded image (a short write to a full disk): ingest stops, the file was fine. */
export class StoreWriteError extends Error {
  constructor(
    readonly file: string,
    readonly reason: unknown,
  ) {
    super(`${file} decoded, but could not be stored: ${(reason as Error)?.message ?? String(reason)}`);
  }
}

export interface LoadProgress {
  done: number;
  total: number;
  imagesPerSec: number;
}

/** A store that images are written into as they decode (out of order), then compacted to the ones that decoded. */
export interface WritableImageSet extends ImageSet {
  set(i: number, img: DecodedImage): void;
  compact(keep: readonly number[]): void;
}

export interface LoadedImages<S extends ImageSet = ImageSet> {
  store: S;
  /** The items whose image decoded, in store order (item i is store image i). */
  items: LabelledItem[];
  /** One 'unreadable-image' problem per file that did not decode. */
  problems: ImportProblem[];
}

/**
 * Decode every item's image into one uint8 store, a few at a time. An undecodable file
 * becomes a problem naming it and its row, never an exception that loses the rest.
 */
export async function loadImages<S extends WritableImageSet = ImageStore>(
  items: readonly LabelledItem[],
  width: number,
  height: number,
  decode: ImageDecoder,
  onProgress?: (p: LoadProgress) => void,
  concurrency = 4,
  /** Where the images go (default: one uint8 array in memory). */
  makeStore: (capacity: number, width: number, height: number) => S = (n, w, h) => new ImageStore(n, w, h) as unknown as S,
): Promise<LoadedImages<S>> {
  // Decoded images go straight into their slot: the dataset is held once, as uint8.
  const store = makeStore(items.length, width, height);
  const ok: boolean[] = new Array(items.length).fill(false);
  const problems: ImportProblem[] = [];
  const t0 = performance.now();
  let next = 0;
  let done = 0;
  let failed: unknown = null;
  const worker = async () => {
    while (next < items.length && failed === null) {
      const i = next++;
      const item = items[i]!;
      let img: DecodedImage | null = null;
      try {
        img = await decode(item.file, width, height);
      } catch (err) {
        // An ImageFileError (imageHeader) says what to do about its file; anything else gets the usual advice.
        const fix = (err as { fix?: unknown }).fix;
        problems.push({
          kind: 'unreadable-image',
          file: item.file,
          line: item.line,
          message:
            `${item.file} (row ${item.line}) could not be decoded as an image: ${(err as Error).message}. ` +
            (typeof fix === 'string' ? fix : 'Re-save it as PNG or JPEG, or remove its row.'),
        });
      }
      if (img) {
        // The store failing (a full disk) is no fault of the file: it stops the ingest, the other decodes end.
        if (failed !== null) return;
        try {
          store.set(i, img);
        } catch (err) {
          failed = new StoreWriteError(item.file, err);
          return;
        }
        ok[i] = true;
      }
      done++;
      onProgress?.({ done, total: items.length, imagesPerSec: done / Math.max(1e-3, (performance.now() - t0) / 1000) });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (failed !== null) throw failed;
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)); // in score-file order, whichever decode finished first
  const keep = items.map((_, i) => i).filter((i) => ok[i]);
  store.compact(keep);
  return { store, items: keep.map((i) => items[i]!), problems };
}
