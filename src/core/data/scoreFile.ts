/**
 * Reading a score file: detect its layout — delimiter, header, which column names the
 * image, which holds the score, optional reference and official-split columns (or the
 * reference taken from I<ref>_<type>_<level> file names), score direction — then turn
 * its lines into ScoreRows. Every guess can be overridden.
 */
import Papa from 'papaparse';
import { baseName, IMAGE_EXTENSIONS, isImagePath, parseScore, stemKey } from './cells';
import { guessDataset, parseDistortedName, type NameParts } from './datasetHints';
import { ImportError } from './importError';
import type { ImportProblem } from './types';

export { ImportError } from './importError';

/** Delimiter value meaning "runs of spaces and tabs" (TID2013's mos_with_names.txt, the seed code's label files). */
export const WHITESPACE = 'whitespace';

export interface ScoreFileLayout {
  /** ',', '\t', ';' (or any single character), or WHITESPACE. */
  delimiter: string;
  hasHeader: boolean;
  /** Header names, or "column 1".."column N" when there is no header. */
  columns: string[];
  /** 0-based column indices. */
  imageColumn: number;
  scoreColumn: number;
  refColumn?: number;
  /**
   * True when there is no reference column and (nearly) every image name follows
   * I<ref>_<type>_<level> (TID2013's mos_with_names.txt, the seed code's label files):
   * each row's reference is then the <ref> of its name ("i01_08_3.bmp" → "01").
   * Override with false to take no reference from the names.
   */
  refFromNames?: boolean;
  /**
   * True when (nearly) every image name follows I<ref>_<type>_<level>: each row's
   * distortion type is then the <type> of its name ("i01_08_3.bmp" → "08").
   * Override with false to take none.
   */
  distortionFromNames?: boolean;
  /** A column that names each row's distortion type ("dis_type"), taken when the names carry none; chosen, it wins over them. */
  distortionColumn?: number;
  splitColumn?: number;
  higherIsBetter: boolean;
  datasetGuess?: string;
  /** Why each guess was made, in words for the user. Always computed, never taken from overrides. */
  reasons: string[];
}

export interface ScoreRow {
  /** 1-based line in the score file. */
  line: number;
  image: string;
  /** null when the cell is empty or not a number (reported later by matchImages). */
  score: number | null;
  rawScore: string;
  ref?: string;
  /** Distortion type from the distortion column, else from the image's name when the layout takes it (distortionFromNames). */
  distortion?: string;
  split?: string;
}

export interface ParsedScoreFile {
  layout: ScoreFileLayout;
  rows: ScoreRow[];
  /** Rows that could not be read at all ('malformed-row'). */
  problems: ImportProblem[];
}

/** One non-blank record of the file, cells trimmed. */
interface RawRow {
  line: number;
  fields: string[];
  /** The whole line, for whitespace files (the last column may contain spaces). */
  text?: string;
  error?: string;
}

const DELIMITER_NAMES: Record<string, string> = {
  ',': 'comma',
  '\t': 'tab',
  ';': 'semicolon',
  [WHITESPACE]: 'spaces',
};
const delimiterName = (d: string) => DELIMITER_NAMES[d] ?? `"${d}"`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Share of cells a column needs to count as "image names" or "numbers"; leaves room for a few bad rows. */
const MAJORITY = 0.9;
const SAMPLE_ROWS = 50;

/** After this many unclosed quotes the rest of the file is read line by line (each one would rescan the rest). */
const MAX_QUOTE_RESTARTS = 50;
const UNCLOSED = 'a cell opens with a quote (") that is not closed on that line';

function tokenize(text: string, delimiter: string, maxRows = Infinity): RawRow[] {
  const out: RawRow[] = [];
  if (delimiter === WHITESPACE) {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length && out.length < maxRows; i++) {
      const t = lines[i]!.trim();
      if (t) out.push({ line: i + 1, fields: t.split(/\s+/), text: t });
    }
    return out;
  }
  const keep = (row: RawRow) => {
    if (out.length < maxRows && !row.fields.every((c) => c === '')) out.push(row);
  };
  // Papa's cursor is the offset just past each record: count newlines up to it for line numbers
  // (a quoted cell may span lines). An unclosed quote would swallow the rest of the file into one
  // cell: only its own line is reported, and reading starts again on the next line.
  let line = 1;
  let base = 0;
  for (let restarts = 0; base < text.length && out.length < maxRows; restarts++) {
    if (restarts > MAX_QUOTE_RESTARTS) {
      text.slice(base).split('\n').forEach((t, k) => {
        const r = Papa.parse<string[]>(t, { delimiter, newline: '\n' });
        const row: RawRow = { line: line + k, fields: (r.data[0] ?? []).map((c) => c.trim()) };
        if (r.errors.length) row.error = r.errors.some((e) => e.code === 'MissingQuotes') ? UNCLOSED : r.errors.map((e) => e.message).join('; ');
        keep(row);
      });
      break;
    }
    let cursor = base;
    let next = -1;
    const chunk = base === 0 ? text : text.slice(base);
    Papa.parse<string[]>(chunk, {
      delimiter,
      newline: '\n',
      skipEmptyLines: false,
      ...(Number.isFinite(maxRows) ? { preview: maxRows * 2 } : {}),
      step: (r, parser) => {
        const start = line;
        const rowStart = cursor;
        const end = base + r.meta.cursor;
        const nl = text.indexOf('\n', rowStart);
        // A quote never closed, or closed lines later by a stray quote (an InvalidQuotes record spanning lines).
        const unclosed =
          r.errors.some((e) => e.code === 'MissingQuotes') ||
          (r.errors.some((e) => e.code === 'InvalidQuotes') && nl >= 0 && nl < end - 1);
        if (unclosed) {
          next = nl < 0 ? text.length : nl + 1;
          line = start + 1;
          keep({ line: start, fields: [text.slice(rowStart, next).trim()], error: UNCLOSED });
          parser.abort();
          return;
        }
        for (let i = cursor; i < end; i++) if (text.charCodeAt(i) === 10) line++;
        cursor = end;
        const row: RawRow = { line: start, fields: r.data.map((c) => c.trim()) };
        if (r.errors.length) row.error = r.errors.map((e) => e.message).join('; ');
        keep(row);
      },
    });
    if (next < 0) break;
    base = next;
  }
  return out;
}

/** Bring a row to exactly n cells, or say why it cannot be. */
function fitRow(row: RawRow, n: number): string[] | string {
  let f = row.fields;
  if (row.text !== undefined && f.length > n) {
    // Whitespace file: the last column keeps the rest of the line, so "3.2 my photo.jpg" works.
    const m = new RegExp(`^((?:\\S+\\s+){${n - 1}})(.*)$`).exec(row.text);
    if (m) f = [...m[1]!.trim().split(/\s+/), m[2]!.trim()];
  }
  while (f.length > n && f[f.length - 1] === '') f = f.slice(0, -1);
  if (row.error === UNCLOSED) return `is not read: ${UNCLOSED}, so it would take in the lines after it`;
  if (f.length === n && !row.error) return f;
  const why = row.error ? ` (${row.error})` : '';
  return `has ${plural(f.length, 'field')} where ${n} were expected${why}`;
}

function modeOf(values: number[]): { value: number; share: number } {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let value = 0;
  let best = 0;
  for (const [v, c] of counts) if (c > best || (c === best && v < value)) [value, best] = [v, c];
  return { value, share: values.length ? best / values.length : 0 };
}

interface ColumnStats {
  nonEmpty: number;
  /** Cells ending in an image extension. */
  images: number;
  /** Other cells that are the name of an image in the folder without its extension. */
  stems: number;
  numbers: number;
  distinct: Set<string>;
}

/**
 * Names of the folder's image files without their extension ("a/b.jpg" → "b"), lower case, NFC:
 * a score file may list "b" for b.jpg.
 */
type Stems = ReadonlySet<string>;

function imageStems(files: readonly string[] | undefined): Stems {
  const stems = new Set<string>();
  for (const f of files ?? []) if (isImagePath(f)) stems.add(stemKey(f));
  return stems;
}

/** A cell names an image file: by its extension, or as the name of an image in the folder without its extension. */
const namesImage = (v: string, stems: Stems) => isImagePath(v) || (stems.size > 0 && stems.has(stemKey(v)));

function columnStats(rows: string[][], n: number, decimalComma: boolean, stems: Stems): ColumnStats[] {
  const stats = Array.from({ length: n }, () => ({ nonEmpty: 0, images: 0, stems: 0, numbers: 0, distinct: new Set<string>() }));
  for (const r of rows)
    for (let c = 0; c < n; c++) {
      const v = r[c] ?? '';
      if (!v) continue;
      const s = stats[c]!;
      s.nonEmpty++;
      if (isImagePath(v)) s.images++;
      else if (namesImage(v, stems)) s.stems++;
      if (parseScore(v, decimalComma) !== null) s.numbers++;
      s.distinct.add(v);
    }
  return stats;
}

const isImageColumn = (s: ColumnStats) => s.nonEmpty > 0 && s.images >= MAJORITY * s.nonEmpty;
/** Image names, some or all without their extension (counted only when the folder's files are known). */
const isStemColumn = (s: ColumnStats) => s.nonEmpty > 0 && s.stems > 0 && s.images + s.stems >= MAJORITY * s.nonEmpty;
const isNumberColumn = (s: ColumnStats) => s.nonEmpty > 0 && s.numbers >= MAJORITY * s.nonEmpty;

/** Rows usable for a quick look: fitted to the usual width, header (if any) skipped. */
function sampleData(rows: RawRow[], n: number): string[][] {
  const fitted = rows.map((r) => fitRow(r, n)).filter((f): f is string[] => typeof f !== 'string');
  return fitted.length > 1 ? fitted.slice(1) : fitted;
}

function detectDelimiter(text: string, stems: Stems): { delimiter: string; reason: string } | null {
  let fallback: { delimiter: string; reason: string } | null = null;
  for (const d of ['\t', ',', ';', WHITESPACE]) {
    const rows = tokenize(text, d, SAMPLE_ROWS);
    const { value: n, share } = modeOf(rows.map((r) => r.fields.length));
    // Most lines must agree on the width; whitespace lines may hold names with spaces (more fields),
    // so only the usual width matters there. A few broken lines must not hide the right delimiter.
    if (n < 2 || (d !== WHITESPACE && share < 0.5)) continue;
    const stats = columnStats(sampleData(rows, n), n, d !== ',', stems);
    const imageCol = stats.findIndex((s) => isImageColumn(s) || isStemColumn(s));
    const hasNumbers = stats.some((s, c) => c !== imageCol && isNumberColumn(s));
    const reason = `Delimiter: ${delimiterName(d)} — the first lines split into ${n} columns.`;
    if (imageCol >= 0 && hasNumbers) return { delimiter: d, reason };
    fallback ??= { delimiter: d, reason };
  }
  return fallback;
}

const IMAGE_NAME_HINT =
  /^(image_?name|img_?name|dis_?img(_?path)?|dist_?img(_?path)?|distorted_?(image|img)(_?path)?|image(_?path)?|img(_?path)?|name|file_?name|file|path|picture)$/i;
const REF_NAME_HINT = /^ref|reference|^content|^source$|^src_?img/i;
/** A column naming each row's distortion type (the IQA-Dataset collection's dis_type). */
const DISTORTION_NAME_HINT = /^(dis(tortion)?[_ ]?type|distortion|dist[_ ]?type)$/i;
const SPLIT_NAME_HINT = /^(set|split|subset|partition)$/i;
const SPLIT_VALUE = /^(train|training|test|testing|val|validation)$/i;
/** Score header names, best first. */
const SCORE_NAME_RANKS: RegExp[] = [
  /^mos$/i,
  /^dmos$/i,
  /^(score|scores|quality|rating|mean|mean_?score|mos_?score|subjective_?score)$/i,
];
/** Numeric columns that are never the score by default: spread, counts, vote histograms. */
const NOT_SCORE_NAME = /^(sd|std|stdev|std_?dev|var|variance|c\d+|c_total|count|n|num|votes|num_?ratings|index|id|width|height)$|(_sd|_std|_var)$/i;

function scoreRank(name: string): number {
  const r = SCORE_NAME_RANKS.findIndex((re) => re.test(name));
  if (r >= 0) return r;
  if (NOT_SCORE_NAME.test(name)) return 6;
  if (/z_?score/i.test(name)) return 4; // MOS_zscore: only when there is no plain MOS
  if (/mos|score|quality/i.test(name)) return 3;
  return 5;
}

function checkColumn(file: string, what: string, c: number | undefined, n: number): void {
  if (c === undefined) return;
  if (!Number.isInteger(c) || c < 0 || c >= n)
    throw new ImportError(file, `${file}: the ${what} column you chose (${c + 1}) does not exist — the file has ${n} columns.`);
}

export interface ParseOptions {
  /**
   * The folder's files (relative paths), when known: then a column of names without their
   * extension ("I01" for I01.bmp) is recognised as the image column.
   */
  files?: readonly string[];
}

/** Share of characters that may be controls or undecodable before the text counts as binary. */
const BINARY_SHARE = 0.01;

/** Throws when the "text" is a binary file read as UTF-8 (an image, a zip, a spreadsheet) or UTF-16. */
function checkText(name: string, text: string): void {
  const head = text.slice(0, 65536);
  let odd = 0;
  let nul = 0;
  for (let i = 0; i < head.length; i++) {
    const c = head.charCodeAt(i);
    if (c === 0) nul++;
    if ((c < 32 && c !== 9 && c !== 10 && c !== 12) || c === 0x7f || c === 0xfffd) odd++;
  }
  if (nul > head.length / 4 && /^(\uFFFD\uFFFD|\uFEFF)?[^\u0000]\u0000/.test(head))
    throw new ImportError(name, `${name} is UTF-16 text, which the studio does not read. Save it as CSV (UTF-8) and pick it again.`);
  if (nul > 0 || odd > BINARY_SHARE * head.length)
    throw new ImportError(
      name,
      `${name} is not a text file: it holds binary data (an image, a zip or a spreadsheet?). ` +
        'Pick the CSV or TXT that lists each image with its score; save a spreadsheet as CSV (UTF-8) first.',
    );
}

/** Excel's hint line "sep=;": names the delimiter and is not data. */
const SEP_LINE = /^sep=(.)[ ]*$/i;

/**
 * Lines starting with # (after blanks) are comments, unless their first cell is an image name
 * ("#1.jpg,3" is data). They are blanked, not removed, so every line keeps its number.
 */
function blankComments(lines: string[]): number[] {
  const blanked: number[] = [];
  lines.forEach((l, i) => {
    const t = l.trimStart();
    if (!t.startsWith('#')) return;
    const firstCell = t.split(/[\s,;]/)[0]!.replace(/"/g, '');
    if (isImagePath(firstCell)) return;
    lines[i] = '';
    blanked.push(i + 1);
  });
  return blanked;
}

const lineList = (lines: number[]) => (lines.length > 5 ? `${lines.slice(0, 5).join(', ')} and ${lines.length - 5} more` : lines.join(', '));

/**
 * Detect the layout of a score file and read its rows.
 * `overrides` replaces any guess; for refColumn/splitColumn a key present with value
 * undefined means "this file has none".
 */
export function parseScoreFile(
  name: string,
  text: string,
  overrides: Partial<ScoreFileLayout> = {},
  options: ParseOptions = {},
): ParsedScoreFile {
  let clean = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (!clean.trim())
    throw new ImportError(name, `${name} is empty. Pick the score file that lists each image with its score.`);
  checkText(name, clean);
  const stems = imageStems(options.files);

  const reasons: string[] = [];
  const lines = clean.split('\n');
  const sep = SEP_LINE.exec(lines[0]!);
  if (sep) lines[0] = '';
  const comments = blankComments(lines);
  if (sep || comments.length) clean = lines.join('\n');
  if (!clean.trim())
    throw new ImportError(name, `${name} holds only comment lines (starting with #). Pick the score file that lists each image with its score.`);

  let delimiter = overrides.delimiter;
  if (delimiter === undefined && sep) {
    delimiter = sep[1]!;
    reasons.push(`Delimiter: ${delimiterName(delimiter)} — the file's first line says "sep=${delimiter}" (a spreadsheet's hint, not data).`);
  } else if (delimiter === undefined) {
    const found = detectDelimiter(clean, stems);
    if (!found)
      throw new ImportError(
        name,
        `${name}: could not split the lines into columns (tried comma, tab, semicolon and spaces). ` +
          'A score file needs at least an image-name column and a score column; check you picked the right file.',
      );
    delimiter = found.delimiter;
    reasons.push(found.reason);
  } else reasons.push(`Delimiter: ${delimiterName(delimiter)} — as you chose.`);
  if (comments.length)
    reasons.push(`Comments: ${plural(comments.length, 'line')} starting with # skipped (line${comments.length === 1 ? '' : 's'} ${lineList(comments)}).`);

  const raw = tokenize(clean, delimiter);
  const n = modeOf(raw.slice(0, 200).map((r) => r.fields.length)).value;
  if (n < 2)
    throw new ImportError(
      name,
      `${name}: the lines have only one column when split by ${delimiterName(delimiter)}. ` +
        'A score file needs an image-name column and a score column; try another delimiter.',
    );
  const decimalComma = delimiter !== ',';

  const first = raw[0]!.fields;
  let hasHeader = overrides.hasHeader;
  if (hasHeader === undefined) {
    // A header names columns: no image file names in it, and some cell that is not a number.
    hasHeader = !first.some((c) => namesImage(c, stems)) && first.some((c) => c !== '' && parseScore(c, decimalComma) === null);
    reasons.push(
      hasHeader
        ? `Header: yes — the first line holds column names (${first.join(', ')}).`
        : 'Header: no — the first line already holds an image name and a score.',
    );
  } else reasons.push(`Header: ${hasHeader ? 'yes' : 'no'} — as you chose.`);

  const columns =
    overrides.columns ??
    Array.from({ length: n }, (_, c) => (hasHeader && first[c] ? first[c]! : `column ${c + 1}`));
  const label = (c: number) => (hasHeader ? `"${columns[c]}" (column ${c + 1})` : `column ${c + 1}`);

  const problems: ImportProblem[] = [];
  const data: { line: number; cells: string[] }[] = [];
  for (const r of hasHeader ? raw.slice(1) : raw) {
    const fitted = fitRow(r, n);
    if (typeof fitted === 'string')
      problems.push({
        kind: 'malformed-row',
        line: r.line,
        message:
          r.error === UNCLOSED
            ? `${name} line ${r.line} ${fitted}. Close the quote on that line or remove it; the lines after it are read as usual.`
            : `${name} line ${r.line} ${fitted}. Check that line for a missing or extra ${delimiterName(delimiter)}, or remove it.`,
      });
    else data.push({ line: r.line, cells: fitted });
  }
  if (data.length === 0)
    throw new ImportError(
      name,
      `${name} has no data rows${hasHeader ? ' below its header' : ''}. Pick the score file that lists each image with its score.`,
    );

  const stats = columnStats(
    data.map((d) => d.cells),
    n,
    decimalComma,
    stems,
  );
  const headerOf = (c: number) => (hasHeader ? columns[c] ?? '' : '');
  const byDistinct = (a: number, b: number) => stats[b]!.distinct.size - stats[a]!.distinct.size || a - b;
  let imageCols = stats.map((s, c) => (isImageColumn(s) ? c : -1)).filter((c) => c >= 0);
  if (imageCols.length === 0) {
    // Names without their extension: only the most varied such column (a score column of 1..5 may match files 1.jpg..5.jpg too).
    const stemCols = stats.map((s, c) => (isStemColumn(s) ? c : -1)).filter((c) => c >= 0);
    const words = stemCols.filter((c) => !isNumberColumn(stats[c]!));
    const best = [...(words.length ? words : stemCols)].sort(byDistinct)[0];
    imageCols = best === undefined ? [] : [best];
  }

  // Image column: a column of image file names; a usual header name wins, reference-like names lose,
  // else the one with most distinct values (reference images repeat, distorted ones do not).
  let imageColumn = overrides.imageColumn;
  checkColumn(name, 'image', imageColumn, n);
  if (imageColumn === undefined) {
    if (imageCols.length === 0)
      throw new ImportError(
        name,
        `${name}: no column holds image file names (names ending in ${IMAGE_EXTENSIONS.join(', ')}` +
          (stems.size ? ', or the names of the folder\'s images without their extension). ' : '). ') +
          'Check that this is the score file, or choose the image column yourself.' +
          (stems.size ? '' : ' If the names have no extension, pick the image folder too: they are then matched to its files.'),
      );
    const hinted = imageCols.filter((c) => IMAGE_NAME_HINT.test(headerOf(c)) && !REF_NAME_HINT.test(headerOf(c)));
    const notRef = imageCols.filter((c) => !REF_NAME_HINT.test(headerOf(c)));
    imageColumn = hinted[0] ?? [...(notRef.length ? notRef : imageCols)].sort(byDistinct)[0]!;
    const s = stats[imageColumn]!;
    reasons.push(
      `Image column: ${label(imageColumn)} — ${s.images + s.stems} of ${s.nonEmpty} values are image file names` +
        (s.stems ? ` (${s.stems} without their extension, matched to the folder's images).` : '.'),
    );
  } else reasons.push(`Image column: ${label(imageColumn)} — as you chose.`);
  const imageCol = imageColumn;

  let refColumn: number | undefined;
  if ('refColumn' in overrides) {
    refColumn = overrides.refColumn;
    checkColumn(name, 'reference', refColumn, n);
    reasons.push(refColumn === undefined ? 'Reference column: none — as you chose.' : `Reference column: ${label(refColumn)} — as you chose.`);
  } else {
    const named = columns.findIndex((h, c) => hasHeader && c !== imageCol && REF_NAME_HINT.test(h) && stats[c]!.nonEmpty > 0);
    const repeatsImages = imageCols.find(
      (c) => c !== imageCol && stats[c]!.distinct.size < stats[imageCol]!.distinct.size,
    );
    refColumn = named >= 0 ? named : repeatsImages;
    if (refColumn !== undefined)
      reasons.push(
        `Reference column: ${label(refColumn)} — ${plural(stats[refColumn]!.distinct.size, 'reference content')}; ` +
          'splits by reference keep each content on one side.',
      );
  }

  // No reference column: TID2013-style names carry the reference content (and the distortion type).
  const nameParts = data.map((d) => parseDistortedName(d.cells[imageCol] ?? ''));
  const named = nameParts.filter((p) => p !== null).length;
  const withName = data.filter((d) => d.cells[imageCol]).length;
  const namesFollow = withName > 0 && named >= MAJORITY * withName;
  const exampleAt = nameParts.findIndex((p) => p !== null);
  const exampleParts = nameParts[exampleAt] ?? undefined;
  const exampleName = exampleAt >= 0 ? `"${baseName(data[exampleAt]!.cells[imageCol]!)}"` : '';
  const distinct = (key: keyof NameParts) => new Set(nameParts.flatMap((p) => (p ? [p[key]] : []))).size;
  const unnamed = withName - named;
  const unnamedNote = (what: string) =>
    unnamed > 0 ? ` ${plural(unnamed, 'name')} ${unnamed === 1 ? 'does not follow it and gets' : 'do not follow it and get'} no ${what}.` : '';

  let refFromNames: boolean | undefined;
  if (refColumn === undefined) {
    refFromNames = overrides.refFromNames ?? (namesFollow || undefined);
    if (refFromNames && !exampleParts) refFromNames = false; // asked for, but no name follows the pattern
    const chosen = overrides.refFromNames !== undefined ? ' — as you chose' : '';
    if (refFromNames)
      reasons.push(
        `${'refColumn' in overrides ? '' : 'Reference column: none in the file. '}` +
          `Reference content taken from file names (I01_…)${chosen}: ${named} of ${withName} names follow ` +
          `I<ref>_<type>_<level> (${exampleName} → reference ${exampleParts!.ref}), ` +
          `${plural(distinct('ref'), 'reference content')}; splits by reference keep each content on one side.` +
          unnamedNote('reference (a split by reference stops at them)'),
      );
    else {
      if (!('refColumn' in overrides)) reasons.push('Reference column: none found — splits can only be random by image.');
      if (overrides.refFromNames !== undefined)
        reasons.push(
          overrides.refFromNames
            ? 'Reference content from file names: none — no name follows I<ref>_<type>_<level>.'
            : 'Reference content from file names: not taken — as you chose.',
        );
    }
  }

  let distortionFromNames = overrides.distortionFromNames ?? (namesFollow || undefined);
  if (distortionFromNames && !exampleParts) distortionFromNames = false;
  if (distortionFromNames)
    reasons.push(
      `Distortion type taken from file names${overrides.distortionFromNames !== undefined ? ' — as you chose' : ''} ` +
        `(${exampleName} → type ${exampleParts!.distortion}), ${plural(distinct('distortion'), 'type')}.` +
        unnamedNote('distortion type'),
    );
  else if (overrides.distortionFromNames === false) reasons.push('Distortion type from file names: not taken — as you chose.');

  let splitColumn: number | undefined;
  if ('splitColumn' in overrides) {
    splitColumn = overrides.splitColumn;
    checkColumn(name, 'split', splitColumn, n);
    reasons.push(splitColumn === undefined ? 'Official split column: none — as you chose.' : `Official split column: ${label(splitColumn)} — as you chose.`);
  } else {
    const taken = (c: number) => c === imageCol || c === refColumn;
    const named = columns.findIndex(
      (h, c) => hasHeader && !taken(c) && SPLIT_NAME_HINT.test(h) && stats[c]!.nonEmpty > 0 && !isNumberColumn(stats[c]!),
    );
    const byValues = stats.findIndex(
      (s, c) => !taken(c) && s.nonEmpty > 0 && [...s.distinct].every((v) => SPLIT_VALUE.test(v)),
    );
    splitColumn = named >= 0 ? named : byValues >= 0 ? byValues : undefined;
    if (splitColumn !== undefined)
      reasons.push(
        `Official split column: ${label(splitColumn)} — values ${[...stats[splitColumn]!.distinct].slice(0, 5).join(', ')}.`,
      );
  }

  let scoreColumn = overrides.scoreColumn;
  checkColumn(name, 'score', scoreColumn, n);
  if (scoreColumn === undefined) {
    const candidates = stats
      .map((_, c) => c)
      .filter((c) => c !== imageCol && c !== refColumn && c !== splitColumn)
      // A usual score name needs only a majority of numbers: its bad cells are reported row by row.
      .filter((c) => isNumberColumn(stats[c]!) || (scoreRank(headerOf(c)) <= 3 && stats[c]!.numbers >= stats[c]!.nonEmpty / 2));
    if (candidates.length === 0)
      throw new ImportError(
        name,
        `${name}: no column holds numbers, so there is no score to learn from. ` +
          'Check that this is the score file, or choose the score column yourself.',
      );
    scoreColumn = [...candidates].sort((a, b) => scoreRank(headerOf(a)) - scoreRank(headerOf(b)) || a - b)[0]!;
    const others = candidates.filter((c) => c !== scoreColumn).map(label);
    reasons.push(
      `Score column: ${label(scoreColumn)}` +
        (others.length ? ` — preferred over ${others.join(', ')}.` : ' — the only numeric column.'),
    );
  } else reasons.push(`Score column: ${label(scoreColumn)} — as you chose.`);
  if (scoreColumn === imageColumn)
    throw new ImportError(name, `${name}: the image and score columns are the same (${label(scoreColumn)}). Choose two different columns.`);

  const guess = guessDataset({
    fileName: name,
    header: hasHeader ? columns.map((h) => h.toLowerCase()) : [],
    images: data.slice(0, SAMPLE_ROWS).map((d) => d.cells[imageCol]!),
  });
  const datasetGuess = 'datasetGuess' in overrides ? overrides.datasetGuess : guess?.name;
  if (guess) reasons.push(guess.reason);

  let higherIsBetter = overrides.higherIsBetter;
  if (higherIsBetter !== undefined)
    reasons.push(`Direction: ${higherIsBetter ? 'higher' : 'lower'} scores are better — as you chose.`);
  else if (guess?.higherIsBetter === false) higherIsBetter = false; // the guess's reason says why
  else {
    higherIsBetter = true;
    if (/dmos/i.test(headerOf(scoreColumn)))
      reasons.push(
        `Direction: higher is better. The score column is named "${headerOf(scoreColumn)}", but a DMOS name alone ` +
          "does not flip it (KADID-10k's dmos is higher-is-better). If in your file lower means better, say so.",
      );
    else reasons.push('Direction: higher is better (the usual MOS convention). If lower means better in your file, say so.');
  }

  // Names that carry the type (I<ref>_<type>_<level>) give it; otherwise a distortion-type
  // column does (CSIQ through the IQA-Dataset collection: "dis_type"), when it holds more than one type.
  const typeCol = hasHeader
    ? columns.findIndex(
        (h, c) => ![imageCol, scoreColumn, refColumn, splitColumn].includes(c) && DISTORTION_NAME_HINT.test(h) && stats[c]!.distinct.size > 1,
      )
    : -1;
  const chosenType = 'distortionColumn' in overrides;
  const distortionColumn = chosenType ? overrides.distortionColumn : !distortionFromNames && typeCol >= 0 ? typeCol : undefined;
  if (chosenType) checkColumn(name, 'distortion type', distortionColumn, n);
  if (distortionColumn !== undefined)
    reasons.push(
      `Distortion type column: ${label(distortionColumn)}${chosenType ? ' — as you chose' : ''} — ${plural(stats[distortionColumn]!.distinct.size, 'type')}, for SRCC per distortion type.`,
    );

  const rows: ScoreRow[] = [];
  for (const [i, { line, cells }] of data.entries()) {
    const image = cells[imageCol]!;
    if (!image) {
      problems.push({
        kind: 'malformed-row',
        line,
        message: `${name} line ${line} has no image name in ${label(imageCol)}. Fill it in or remove the line.`,
      });
      continue;
    }
    const rawScore = cells[scoreColumn]!;
    const row: ScoreRow = { line, image, score: parseScore(rawScore, decimalComma), rawScore };
    if (refColumn !== undefined && cells[refColumn]) row.ref = cells[refColumn];
    const parts = nameParts[i];
    if (refFromNames && parts) row.ref = parts.ref;
    if (distortionFromNames && parts) row.distortion = parts.distortion;
    if (distortionColumn !== undefined && cells[distortionColumn]) row.distortion = cells[distortionColumn];
    if (splitColumn !== undefined && cells[splitColumn]) row.split = cells[splitColumn];
    rows.push(row);
  }
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));

  const layout: ScoreFileLayout = { delimiter, hasHeader, columns, imageColumn, scoreColumn, higherIsBetter, reasons };
  if (refColumn !== undefined) layout.refColumn = refColumn;
  if (refFromNames !== undefined) layout.refFromNames = refFromNames;
  if (distortionFromNames !== undefined) layout.distortionFromNames = distortionFromNames;
  if (distortionColumn !== undefined) layout.distortionColumn = distortionColumn;
  if (splitColumn !== undefined) layout.splitColumn = splitColumn;
  if (datasetGuess !== undefined) layout.datasetGuess = datasetGuess;
  return { layout, rows, problems };
}
