/**
 * Paths of a picked folder's files relative to that folder. The browser gives
 * "picked/sub/a.png" (webkitRelativePath); the score file names "sub/a.png" or "a.png".
 */
import type { DatasetFile } from '../../worker/protocol';

/** "picked/sub/a.png" → "sub/a.png"; a path without a folder stays as it is. */
export function stripTopFolder(path: string): string {
  const p = path.replace(/\\/g, '/').replace(/^\/+/, '');
  const i = p.indexOf('/');
  return i < 0 ? p : p.slice(i + 1);
}

/** The top folder's name ("picked"), or '' when the path has none. */
export function topFolder(path: string): string {
  const p = path.replace(/\\/g, '/').replace(/^\/+/, '');
  const i = p.indexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

/** Files from an <input webkitdirectory>, with paths relative to the picked folder. Hidden files (".DS_Store") are left out. */
export function filesFromFolderInput(list: ArrayLike<File>): { name: string; files: DatasetFile[] } {
  const files: DatasetFile[] = [];
  let name = '';
  for (let i = 0; i < list.length; i++) {
    const f = list[i]!;
    const rel = f.webkitRelativePath || f.name;
    name ||= topFolder(rel);
    const path = stripTopFolder(rel);
    if (isHidden(path)) continue;
    files.push({ path, file: f });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { name, files };
}

/** A dot-file or a file in a dot-folder (".git/…", "__MACOSX/…" too): never a dataset image. */
export function isHidden(path: string): boolean {
  return path.split('/').some((seg) => seg.startsWith('.') || seg === '__MACOSX');
}
