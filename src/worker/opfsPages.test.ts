/**
 * The private file system's leftovers, with a fake folder: files a dead worker left are removed
 * before the disk is measured (so they do not count against the next run), a locked file (another
 * tab's) stays, this worker's own open file is never touched, and removing a store's file is
 * awaited.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clearLeftovers, opfsDevice, opfsPageFile } from './opfsPages';

/** A folder of files of `size` bytes each; `locked` ones refuse removal as a held file does. */
function fakeFolder(names: string[], locked: string[] = [], size = 100) {
  const files = new Map(names.map((n) => [n, size]));
  const removing: Promise<void>[] = [];
  const dir = {
    files,
    async *keys() {
      yield* [...files.keys()];
    },
    removeEntry(name: string): Promise<void> {
      // Removal takes a while, as in the browser: only an awaited one is surely done.
      const p = new Promise<void>((res, rej) =>
        setTimeout(() => {
          if (locked.includes(name)) return rej(new DOMException('locked', 'NoModificationAllowedError'));
          files.delete(name);
          res();
        }, 5),
      );
      removing.push(p.catch(() => {}));
      return p;
    },
    async getFileHandle(name: string) {
      files.set(name, 0);
      return {
        createSyncAccessHandle: async () => ({
          read: () => 0,
          write: (b: Uint8Array) => b.length,
          truncate: (n: number) => void files.set(name, n),
          flush() {},
          close() {},
        }),
      };
    },
  };
  return dir;
}

function fakeStorage(dir: ReturnType<typeof fakeFolder>, quota: number) {
  vi.stubGlobal('navigator', {
    storage: {
      getDirectory: async () => ({ getDirectoryHandle: async () => dir }),
      estimate: async () => ({ quota, usage: [...dir.files.values()].reduce((s, n) => s + n, 0) }),
    },
  });
  vi.stubGlobal('FileSystemFileHandle', { prototype: { createSyncAccessHandle() {} } });
}

afterEach(() => vi.unstubAllGlobals());

describe('the private file system', () => {
  it('leftovers are removed before the disk is measured; a locked file stays', async () => {
    const dir = fakeFolder(['images-old-1.bin', 'images-old-2.bin', 'images-other-tab.bin'], ['images-other-tab.bin'], 400);
    fakeStorage(dir, 2000);
    const d = await opfsDevice();
    expect(d.disk).toBe(true);
    expect([...dir.files.keys()]).toEqual(['images-other-tab.bin']);
    expect(d.diskFree).toBe(2000 - 400);
  });

  it("this worker's open file is not a leftover, and its removal is awaited", async () => {
    const dir = fakeFolder([]);
    fakeStorage(dir, 10_000);
    const page = await opfsPageFile(300);
    const [name] = [...dir.files.keys()];
    expect(dir.files.get(name!)).toBe(300);
    // Another plan in this worker (the cross set's) measures the disk: the open file stays.
    expect(await clearLeftovers()).toBe(0);
    expect(dir.files.has(name!)).toBe(true);
    await page.remove();
    expect(dir.files.size).toBe(0);
  });
});
