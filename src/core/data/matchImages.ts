/**
 * Pair score rows with the files of the folder the user picked: by the longest
 * common relative-path suffix, else by base name, ignoring case. Every row and every image
 * file that is not used gets an ImportProblem; nothing is dropped silently.
 */
import Papa from 'papaparse';
import { officialSplitSide } from '../splits';
import { isImagePath, normalizePath, pathKey } from './cells';
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

function makeLookup(files: readonly string[]) {
  const keys = files.map(pathKey);
  const byBase = new Map<string, number[]>();
  keys.forEach((k, i) => {
    const base = k[k.length - 1];
    if (base === undefined) return;
    const list = byBase.get(base);
    if (list) list.push(i);
    else byBase.set(base, [i]);
  });
  return (image: string): Lookup => {
    const key = pathKey(image);
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

  const rowByName = new Map<string, ScoreRow>();
  const rowByFile = new Map<number, ScoreRow>();
  for (const row of rows) {
    const nameKey = pathKey(row.image).join('/');
    const earlier = rowByName.get(nameKey);
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
    rowByName.set(nameKey, row);

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

    const found = lookup(row.image);
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
      problems.push({
        kind: 'missing-image',
        line: row.line,
        message:
          `${at(row.line)} names image ${quote(row.image)}, which matches ${found.ambiguous.length} files equally well ` +
          `(${listFiles(files, found.ambiguous)}), so the studio cannot tell which one is meant. Give its full path ` +
          'relative to the folder in the score file, or pick a folder that holds only one of them.',
      });
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
  const refBases = new Set(rows.flatMap((r) => (r.ref ? [pathKey(r.ref).pop() ?? ''] : [])));
  // A reference taken from TID2013-style names is just "01": its image is I01.BMP.
  const refStems = new Set(rows.flatMap((r) => (r.ref && /^\d+$/.test(r.ref) ? [`i${r.ref}`] : [])));
  files.forEach((f, i) => {
    if (rowByFile.has(i) || !isImagePath(f)) return;
    const base = pathKey(f).pop() ?? '';
    const isRef = refBases.has(base) || refStems.has(base.replace(/\.[^.]*$/, ''));
    problems.push({
      kind: 'unlabelled-image',
      file: f,
      message: isRef
        ? `${quote(f)} is a reference image in ${name} but has no score row of its own, so it is not used for training.`
        : `${quote(f)} is not listed in ${name}, so it has no score and is not used. Add a row for it if it should be.`,
    });
  });

  return { items, problems };
}

/** Problems that are information only (nothing the user must fix). */
export function isInfoProblem(p: ImportProblem): boolean {
  return p.kind === 'unlabelled-image';
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
