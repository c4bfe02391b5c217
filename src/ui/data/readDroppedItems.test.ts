import { describe, expect, it } from 'vitest';
import { readDroppedEntries } from './readDroppedItems';

/** Just enough of the FileSystem Entry API: directories list their children in chunks, like Chromium. */
type Tree = { [name: string]: Tree | string };

function entry(name: string, node: Tree | string, chunk = 3): FileSystemEntry {
  if (typeof node === 'string')
    return { name, isFile: true, isDirectory: false, file: (ok: (f: File) => void) => ok(new File([node], name)) } as unknown as FileSystemEntry;
  const children = Object.entries(node).map(([n, c]) => entry(n, c, chunk));
  return {
    name,
    isFile: false,
    isDirectory: true,
    createReader: () => {
      let at = 0;
      return {
        readEntries: (ok: (e: FileSystemEntry[]) => void) => {
          const part = children.slice(at, at + chunk);
          at += chunk;
          setTimeout(() => ok(part), 0);
        },
      };
    },
  } as unknown as FileSystemEntry;
}

describe('readDroppedEntries', () => {
  it('walks every chunk of a dropped folder, keeps sub-folders, skips hidden files, takes a loose score file', async () => {
    const images: Tree = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`img${i}.png`, 'x']));
    const dropped = [
      entry('set', { ...images, sub: { 'a.jpg': 'x' }, '.DS_Store': 'x', '__MACOSX': { 'img0.png': 'x' } }),
      entry('mos.csv', 'image,mos\n'),
      entry('other', { 'b.png': 'x' }),
      entry('photo.png', 'x'),
    ];
    const out = await readDroppedEntries(dropped);
    expect(out.folder?.name).toBe('set');
    expect(out.folder?.files.map((f) => f.path)).toEqual([...Object.keys(images), 'sub/a.jpg'].sort());
    expect(out.scoreFile?.name).toBe('mos.csv');
    expect(await out.scoreFile?.text()).toBe('image,mos\n');
    expect(out.ignoredFolders).toEqual(['other']);
  });
});
