/**
 * The paged image store's file in the browser: the origin private file system, read and
 * written through a FileSystemSyncAccessHandle (synchronous, dedicated workers only), so the
 * trainer's writeView stays synchronous. Files left by a worker that died (a crash, a closed
 * tab) are removed before the disk is measured, so they do not count against the next run; a
 * file another tab's worker still holds open is locked and stays.
 */
import type { PageFile } from '../core/data/pagedImageStore';

const FOLDER = 'dml-iqa-decoded-images';

/** The files this worker has open: never leftovers, whatever the browser's locks say. */
const mine = new Set<string>();

/** The folder's entries, as much of the private file system as this needs. */
interface Folder {
  keys(): AsyncIterable<string>;
  removeEntry(name: string): Promise<void>;
}

async function folder(): Promise<Folder> {
  const root = await navigator.storage.getDirectory();
  return (await root.getDirectoryHandle(FOLDER, { create: true })) as unknown as Folder;
}

/** Removes the files no worker holds (a locked one is another tab's and stays); returns how many went. */
export async function clearLeftovers(dir?: Folder): Promise<number> {
  try {
    const d = dir ?? (await folder());
    const names: string[] = [];
    for await (const name of d.keys()) if (!mine.has(name)) names.push(name);
    let removed = 0;
    for (const name of names) await d.removeEntry(name).then(() => removed++, () => {});
    return removed;
  } catch {
    return 0;
  }
}

/** What the memory budget needs of the disk: whether it can be used, and how much is free once leftovers are gone. */
export async function opfsDevice(): Promise<{ disk: boolean; diskFree?: number }> {
  const disk = opfsAvailable();
  if (disk) await clearLeftovers();
  return { disk, diskFree: await diskFree() };
}

type SyncHandle = {
  read(buffer: Uint8Array, options: { at: number }): number;
  write(buffer: Uint8Array, options: { at: number }): number;
  truncate(size: number): void;
  flush(): void;
  close(): void;
};

/** Whether this worker can keep images on disk: the private file system with synchronous access. */
export function opfsAvailable(): boolean {
  const storage = (globalThis as { navigator?: { storage?: { getDirectory?: unknown } } }).navigator?.storage;
  const handle = (globalThis as { FileSystemFileHandle?: { prototype: object } }).FileSystemFileHandle;
  return typeof storage?.getDirectory === 'function' && !!handle && 'createSyncAccessHandle' in handle.prototype;
}

/** Disk this site may still use (navigator.storage.estimate), or undefined where the browser does not say. */
export async function diskFree(): Promise<number | undefined> {
  try {
    const e = await navigator.storage.estimate();
    return e.quota !== undefined ? e.quota - (e.usage ?? 0) : undefined;
  } catch {
    return undefined;
  }
}

export async function opfsPageFile(bytes: number): Promise<PageFile> {
  const root = await navigator.storage.getDirectory();
  const dir = await root.getDirectoryHandle(FOLDER, { create: true });
  await clearLeftovers(dir as unknown as Folder);
  const name = `images-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}.bin`;
  mine.add(name);
  const file = await dir.getFileHandle(name, { create: true });
  const access = (await (file as unknown as { createSyncAccessHandle(): Promise<SyncHandle> }).createSyncAccessHandle()) as SyncHandle;
  try {
    // Claim the space now: a full disk says so before decoding, not halfway through.
    access.truncate(bytes);
  } catch (err) {
    access.close();
    await dir.removeEntry(name).catch(() => {});
    mine.delete(name);
    throw new Error(`The browser would not give ${Math.round(bytes / 2 ** 20)} MB of disk for the decoded images (${(err as Error).message}).`);
  }
  let open = true;
  return {
    read: (into, at) => access.read(into, { at }),
    write: (from, at) => access.write(from, { at }),
    // Awaited by whoever disposes the store, so the file is gone before the worker may be ended.
    remove: async () => {
      if (!open) return;
      open = false;
      access.close();
      await dir.removeEntry(name).catch(() => {});
      mine.delete(name);
    },
  };
}
