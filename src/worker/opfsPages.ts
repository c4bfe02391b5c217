/**
 * The paged image store's file in the browser: the origin private file system, read and
 * written through a FileSystemSyncAccessHandle (synchronous, dedicated workers only), so the
 * trainer's writeView stays synchronous. Files left by a worker that died are removed before
 * a new one is made; a file another tab's worker still holds open is locked and stays.
 */
import type { PageFile } from '../core/data/pagedImageStore';

const FOLDER = 'dml-iqa-decoded-images';

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
  const names: string[] = [];
  for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
  for (const name of names) await dir.removeEntry(name).catch(() => {});
  const name = `images-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}.bin`;
  const file = await dir.getFileHandle(name, { create: true });
  const access = (await (file as unknown as { createSyncAccessHandle(): Promise<SyncHandle> }).createSyncAccessHandle()) as SyncHandle;
  try {
    // Claim the space now: a full disk says so before decoding, not halfway through.
    access.truncate(bytes);
  } catch (err) {
    access.close();
    await dir.removeEntry(name).catch(() => {});
    throw new Error(`The browser would not give ${Math.round(bytes / 2 ** 20)} MB of disk for the decoded images (${(err as Error).message}).`);
  }
  let open = true;
  return {
    read: (into, at) => access.read(into, { at }),
    write: (from, at) => access.write(from, { at }),
    remove: () => {
      if (!open) return;
      open = false;
      access.close();
      void dir.removeEntry(name).catch(() => {});
    },
  };
}
