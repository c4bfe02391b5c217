/**
 * The paged image store's file in Node: a temporary file read and written in place with
 * fs.readSync / fs.writeSync (the CLI and the tests; the browser uses its private file system).
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PageFile } from '../core/data/pagedImageStore';

/**
 * unlinked: the file leaves the folder as soon as it is open (POSIX keeps an open file until its
 * last descriptor closes), so the system frees it when the process ends however it ends, a kill
 * or Ctrl-C in the middle of a step included. Windows cannot delete an open file: there it stays
 * until remove().
 */
export function tempPageFile(dir = tmpdir(), opts: { unlinked?: boolean } = {}): PageFile & { path: string } {
  const folder = mkdtempSync(join(dir, 'dml-images-'));
  const path = join(folder, 'images.bin');
  const fd = openSync(path, 'w+');
  if (opts.unlinked && process.platform !== 'win32') rmSync(folder, { recursive: true, force: true });
  let open = true;
  return {
    path,
    read: (into, at) => {
      let got = 0;
      // readSync may return fewer bytes than asked; loop until the image is whole or the file ends.
      while (got < into.length) {
        const n = readSync(fd, into, got, into.length - got, at + got);
        if (n === 0) break;
        got += n;
      }
      return got;
    },
    write: (from, at) => {
      let put = 0;
      while (put < from.length) put += writeSync(fd, from, put, from.length - put, at + put);
      return put;
    },
    remove: () => {
      if (!open) return;
      open = false;
      closeSync(fd);
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
