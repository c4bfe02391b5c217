/**
 * What the user dropped on the drop zone: a folder (walked with webkitGetAsEntry, since
 * DataTransfer.files lists only its top level) and/or a loose score file.
 */
import type { DatasetFile } from '../../worker/protocol';
import { isHidden } from './relativePath';

export interface DroppedItems {
  folder?: { name: string; files: DatasetFile[] };
  /** A loose non-image file (CSV/TXT) dropped next to or instead of the folder. */
  scoreFile?: File;
  /** Several folders dropped: only the first is used. */
  ignoredFolders: string[];
}

const SCORE_FILE = /\.(csv|txt|tsv|dat)$/i;

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/** readEntries returns the listing in chunks (about 100 at a time in Chromium): call it until it gives nothing. */
async function listDirectory(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  for (;;) {
    const chunk = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (chunk.length === 0) return all;
    all.push(...chunk);
  }
}

async function walk(dir: FileSystemDirectoryEntry, prefix: string, out: DatasetFile[]): Promise<void> {
  for (const entry of await listDirectory(dir)) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (isHidden(path)) continue;
    if (entry.isDirectory) await walk(entry as FileSystemDirectoryEntry, path, out);
    else if (entry.isFile) out.push({ path, file: await fileOf(entry as FileSystemFileEntry) });
  }
}

/** Entries must be taken synchronously inside the drop handler (the DataTransfer empties afterwards). */
export function entriesOf(dt: DataTransfer): FileSystemEntry[] {
  const entries: FileSystemEntry[] = [];
  for (const item of Array.from(dt.items)) {
    if (item.kind !== 'file') continue;
    const e = item.webkitGetAsEntry();
    if (e) entries.push(e);
  }
  return entries;
}

export async function readDroppedEntries(entries: FileSystemEntry[]): Promise<DroppedItems> {
  const result: DroppedItems = { ignoredFolders: [] };
  for (const entry of entries) {
    if (entry.isDirectory) {
      if (result.folder) {
        result.ignoredFolders.push(entry.name);
        continue;
      }
      const files: DatasetFile[] = [];
      await walk(entry as FileSystemDirectoryEntry, '', files);
      files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      result.folder = { name: entry.name, files };
    } else if (entry.isFile && SCORE_FILE.test(entry.name) && !result.scoreFile) {
      result.scoreFile = await fileOf(entry as FileSystemFileEntry);
    }
  }
  return result;
}
