import { describe, expect, it } from 'vitest';
import { filesFromFolderInput, isHidden, stripTopFolder, topFolder } from './relativePath';

describe('stripTopFolder', () => {
  it('drops the picked folder and keeps sub-folders', () => {
    expect(stripTopFolder('images/I01_01_01.png')).toBe('I01_01_01.png');
    expect(stripTopFolder('koniq/1024x768/1.jpg')).toBe('1024x768/1.jpg');
    expect(stripTopFolder('a.png')).toBe('a.png');
    expect(stripTopFolder('win\\dir\\b.bmp')).toBe('dir/b.bmp');
  });
  it('names the top folder', () => {
    expect(topFolder('images/x/y.png')).toBe('images');
    expect(topFolder('y.png')).toBe('');
  });
});

describe('filesFromFolderInput', () => {
  it('sorts, strips and skips hidden files', () => {
    const mk = (rel: string) => Object.assign(new Blob(['x']), { name: rel.split('/').pop()!, webkitRelativePath: rel }) as unknown as File;
    const out = filesFromFolderInput([mk('set/b.png'), mk('set/.DS_Store'), mk('set/a/c.png'), mk('set/__MACOSX/a.png')]);
    expect(out.name).toBe('set');
    expect(out.files.map((f) => f.path)).toEqual(['a/c.png', 'b.png']);
    expect(isHidden('a/.git/x')).toBe(true);
    expect(isHidden('a/b.png')).toBe(false);
  });
});
