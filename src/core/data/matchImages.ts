/**
 * Pair score rows with the files of the folder the user picked: by the longest
 * common relative-path suffix, else by base name, ignoring case. Every row and every image
 * file that is not used gets an ImportProblem; nothing is dropped silently.
 */
import Papa from 'papaparse';
import { officialSplitSide } from '../splits';
import { IMAGE_EXTENSIONS, isImagePath, normalizePath, pathKey, stemKey } from './cells';
import type { ScoreRow } from './scoreFile';
import type { ImportProblem, LabelledItem } from './types';

export interface MatchOptions {
  /** false for DMOS-like scores (lower is better); see the orientation note in matchImages. */
  higherIsBetter: boolean;
  /** The score file's name, for messages. */
  scoreFileName?: string;
}

export interface MatchResult {
  items: LabelledItem[];
  problems: ImportProblem[];
}

/** Number of trailing path segments two keys share. */
function commonSuffix(a: string[], b: string[]): number {
  let k = 0;
  while (k < a.length && k < b.length && a[a.length - 1 - k] === b[b.length - 1 - k]) k++;
  return k;
}

/** Number of trailing segments that also agree in case: breaks ties between "X.jpg" and "x.jpg". */
function exactSuffix(a: string, b: string): number {
  return commonSuffix(normalizePath(a).split('/'), normalizePath(b).split('/'));
}

type Lookup = { file: number } | { ambiguous: number[] } | { missing: true };

/** Looks a name up among `keys` (pathKey form, one per file; null: not a candidate) by base name, then path suffix, then exact case. */
function makeLookupOver(files: readonly string[], keys: readonly (string[] | null)[]) {
  const byBase = new Map<string, number[]>();
  keys.forEach((k, i) => {
    const base = k?.[k.length - 1];
    if (base === undefined) return;
    const list = byBase.get(base);
    if (list) list.push(i);
    else byBase.set(base, [i]);
  });
  return (image: string, key: string[]): Lookup => {
    const candidates = byBase.get(key[key.length - 1] ?? '') ?? [];
    if (candidates.length === 0) return { missing: true };
    if (candidates.length === 1) return { file: candidates[0]! };
    // Several files share the base name: the longest common path suffix decides, then exact case.
    const best = (score: (i: number) => number, among: number[]) => {
      const top = Math.max(...among.map(score));
      return among.filter((i) => score(i) === top);
    };
    let tied = best((i) => commonSuffix(key, keys[i]!), candidates);
    if (tied.length > 1) tied = best((i) => exactSuffix(image, files[i]!), tied);
    return tied.length === 1 ? { file: tied[0]! } : { ambiguous: tied };
  };
}

/** By full name; a name without an image extension ("I01" in the score file) also finds I01.bmp, I01.png… */
function makeLookup(files: readonly string[]) {
  const keys = files.map(pathKey);
  const byName = makeLookupOver(files, keys);
  const stemmed = keys.map((k) => {
    const base = k[k.length - 1] ?? '';
    return isImagePath(base) ? [...k.slice(0, -1), base.slice(0, base.lastIndexOf('.'))] : null;
  });
  const byStem = makeLookupOver(files, stemmed);
  return (image: string, key: string[]): Lookup => {
    const found = byName(image, key);
    return 'missing' in found && !isImagePath(image) ? byStem(image, key) : found;
  };
}

const quote = (s: string) => `"${s}"`;

function listFiles(files: readonly string[], idx: number[]): string {
  const shown = idx.slice(0, 3).map((i) => quote(files[i]!));
  return shown.join(', ') + (idx.length > 3 ? ` and ${idx.length - 3} more` : '');
}

/**
 * Match rows to files. Orientation: when lower scores are better, the stored MOS is
 * `(max + min) − score`, with max/min over all numeric scores of the file, so higher is
 * better while the original range is kept (CSIQ DMOS 0..1 stays 0..1, and the same file
 * always maps the same way whichever images are present).
 */
export function matchImages(rows: readonly ScoreRow[], files: readonly string[], options: MatchOptions): MatchResult {
  const name = options.scoreFileName ?? 'The score file';
  const at = (line: number) => `${name} line ${line}`;
  const problems: ImportProblem[] = [];
  const items: LabelledItem[] = [];
  const lookup = makeLookup(files);

  let min = Infinity;
  let max = -Infinity;
  for (const r of rows)
    if (r.score !== null) {
      min = Math.min(min, r.score);
      max = Math.max(max, r.score);
    }
  const orient = (s: number) => (options.higherIsBetter ? s : max + min - s);

  const rowByName = new Map<string, { row: ScoreRow; found: Lookup }>();
  const rowByFile = new Map<number, ScoreRow>();
  /** Files a row could not choose between: the first such row's line. */
  const ambiguousFor = new Map<number, number>();
  for (const row of rows) {
    const key = pathKey(row.image);
    const nameKey = key.join('/');
    const found = lookup(row.image, key);
    const seen = rowByName.get(nameKey);
    // Names equal but for case are one image, unless the folder holds both spellings and this one picks its own file.
    const ownFile = seen && 'file' in found && !('file' in seen.found && seen.found.file === found.file);
    const earlier = ownFile ? undefined : seen?.row;
    if (earlier) {
      problems.push({
        kind: 'duplicate-row',
        line: row.line,
        message:
          `${at(row.line)} repeats image ${quote(row.image)} of line ${earlier.line}. The first row (line ${earlier.line}) ` +
          `is kept and line ${row.line} is ignored; remove one of them.`,
      });
      continue;
    }
    if (!seen) rowByName.set(nameKey, { row, found });

    if (row.score === null)
      problems.push(
        row.rawScore === ''
          ? {
              kind: 'missing-score',
              line: row.line,
              message: `${at(row.line)} has no score for ${quote(row.image)}. Fill in the score or remove the row.`,
            }
          : {
              kind: 'bad-score',
              line: row.line,
              message:
                `${at(row.line)} has score ${quote(row.rawScore)} for ${quote(row.image)}, which is not a number. ` +
                'Fix the score or remove the row.',
            },
      );

    if ('missing' in found) {
      problems.push({
        kind: 'missing-image',
        line: row.line,
        message:
          `${at(row.line)} names image ${quote(row.image)}, which is not in the chosen folder (names are matched ` +
          'ignoring case and folder prefixes). Check you picked the folder that holds it, or remove the row.',
      });
      continue;
    }
    if ('ambiguous' in found) {
      const paths = found.ambiguous.map((i) => normalizePath(files[i]!));
      const caseOnly = new Set(paths.map((p) => p.toLowerCase())).size === 1;
      const stemOnly = !caseOnly && new Set(found.ambiguous.map((i) => stemKey(files[i]!))).size === 1 && !isImagePath(row.image);
      problems.push({
        kind: 'missing-image',
        line: row.line,
        message:
          `${at(row.line)} names image ${quote(row.image)}, which matches ${found.ambiguous.length} files equally well ` +
          `(${listFiles(files, found.ambiguous)}${caseOnly ? ': their names differ only in upper and lower case' : stemOnly ? ': the same name with different extensions' : ''}), ` +
          'so the studio cannot tell which one is meant. ' +
          (caseOnly
            ? 'Write the name in the score file with the exact case of the file you mean, or rename one of the files.'
            : stemOnly
              ? 'Write the name with its extension in the score file.'
              : 'Give its full path relative to the folder in the score file, or pick a folder that holds only one of them.'),
      });
      for (const i of found.ambiguous) if (!ambiguousFor.has(i)) ambiguousFor.set(i, row.line);
      continue;
    }
    const file = files[found.file]!;
    const claimed = rowByFile.get(found.file);
    if (claimed) {
      problems.push({
        kind: 'duplicate-row',
        line: row.line,
        message:
          `${at(row.line)} (${quote(row.image)}) and line ${claimed.line} (${quote(claimed.image)}) both refer to the ` +
          `file ${quote(file)}. The first row (line ${claimed.line}) is kept and line ${row.line} is ignored; remove one of them.`,
      });
      continue;
    }
    rowByFile.set(found.file, row);
    if (row.score === null) continue;

    const item: LabelledItem = { file, mos: orient(row.score), line: row.line };
    if (row.ref !== undefined) item.ref = row.ref;
    if (row.distortion !== undefined) item.distortion = row.distortion;
    // "train" / "val" / "test" when recognised, else the raw value for splits to report.
    if (row.split !== undefined) item.officialSplit = officialSplitSide(row.split) ?? row.split;
    items.push(item);
  }

  // Images nobody scored: information only, but listed so the user sees they are not used.
  const refBases = new Set<string>();
  // A reference taken from TID2013-style names is just "01": its image is I01.BMP.
  const refStems = new Set<string>();
  for (const r of rows) {
    if (!r.ref) continue;
    refBases.add(pathKey(r.ref).pop() ?? '');
    if (/^\d+$/.test(r.ref)) refStems.add(`i${r.ref}`);
  }
  const others: number[] = [];
  const scoreBase = options.scoreFileName && pathKey(options.scoreFileName).pop();
  files.forEach((f, i) => {
    if (rowByFile.has(i)) return;
    if (!isImagePath(f)) {
      if (pathKey(f).pop() !== scoreBase) others.push(i); // the score file itself is no news
      return;
    }
    const base = pathKey(f).pop() ?? '';
    const isRef = refBases.has(base) || refStems.has(base.replace(/\.[^.]*$/, ''));
    const unsure = ambiguousFor.get(i);
    problems.push({
      kind: 'unlabelled-image',
      file: f,
      message:
        unsure !== undefined
          ? `${quote(f)} is one of the files ${at(unsure)} could mean (see that line), so it has no score and is not used.`
          : isRef
            ? `${quote(f)} is a reference image in ${name} but has no score row of its own, so it is not used for training.`
            : `${quote(f)} is not listed in ${name}, so it has no score and is not used. Add a row for it if it should be.`,
    });
  });
  if (others.length) problems.push(otherFilesProblem(files, others));

  return { items, problems };
}

/**
 * The folder's files that are not images (by extension), as one line however many they are:
 * counts by extension and a few examples, not one problem per file.
 */
function otherFilesProblem(files: readonly string[], idx: readonly number[]): ImportProblem {
  const byExt = new Map<string, number>();
  for (const i of idx) {
    const base = pathKey(files[i]!).pop() ?? '';
    const ext = base.includes('.') ? base.slice(base.lastIndexOf('.')) : '(no extension)';
    byExt.set(ext, (byExt.get(ext) ?? 0) + 1);
  }
  const counts = [...byExt].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const shown = counts.slice(0, 6).map(([e, n]) => `${n} ${e}`);
  if (counts.length > 6) shown.push(`${counts.slice(6).reduce((s, [, n]) => s + n, 0)} of ${counts.length - 6} other kinds`);
  const n = idx.length;
  return {
    kind: 'not-image',
    message:
      `${n} of the ${files.length} files in the folder ${n === 1 ? 'is not an image' : 'are not images'} (by extension) and ${n === 1 ? 'is' : 'are'} ignored: ` +
      `${shown.join(', ')}; e.g. ${listFiles(files, [...idx])}. Only ${IMAGE_EXTENSION_LIST} files are read.`,
  };
}

const IMAGE_EXTENSION_LIST = IMAGE_EXTENSIONS.join(', ');

/** Problems that are information only (nothing the user must fix). */
export function isInfoProblem(p: ImportProblem): boolean {
  return p.kind === 'unlabelled-image' || p.kind === 'not-image';
}

/** The problem list as CSV for the downloadable import report. */
export function problemsToCsv(problems: readonly ImportProblem[]): string {
  return Papa.unparse(
    {
      fields: ['severity', 'kind', 'line', 'file', 'message'],
      data: problems.map((p) => [isInfoProblem(p) ? 'info' : 'error', p.kind, p.line ?? '', p.file ?? '', p.message]),
    },
    { escapeFormulae: true },
  );
}
