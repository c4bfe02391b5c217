/** What one cell of a score file looks like: an image path, a score, a split label. Shared by detection and matching. */

// TIFF, HEIC and AVIF count as images so that their rows match and each file is named as unsupported (by its bytes) when decoded.
const IMAGE_EXTENSION = /\.(jpe?g|png|bmp|webp|gif|tiff?|heic|heif|avif)$/i;

/** Extensions the importer treats as images (lower case, with the dot). */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.bmp', '.webp', '.gif', '.tif', '.tiff', '.heic', '.heif', '.avif'] as const;

export function isImagePath(cell: string): boolean {
  return IMAGE_EXTENSION.test(cell.trim());
}

const BROWSER_IMAGE_EXTENSION = /\.(jpe?g|png|bmp|webp|gif)$/i;

/** Image files the studio decodes: isImagePath's list without TIFF, HEIC and AVIF. */
export function isBrowserImagePath(path: string): boolean {
  return BROWSER_IMAGE_EXTENSION.test(path);
}

const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DECIMAL_COMMA = /^[+-]?\d+,\d+$/;

/**
 * The score in a cell, or null when the cell is empty or not a number.
 * `decimalComma` accepts "3,5" (European spreadsheets); only safe when comma is not the delimiter.
 */
export function parseScore(cell: string, decimalComma = false): number | null {
  const s = cell.trim();
  let n: number;
  if (PLAIN_NUMBER.test(s)) n = Number(s);
  else if (decimalComma && DECIMAL_COMMA.test(s)) n = Number(s.replace(',', '.'));
  else return null;
  return Number.isFinite(n) ? n : null;
}

/** Anything normalizePath would change: blanks or "." or "/" in front, blanks behind, backslashes, "//", non-ASCII. */
const NEEDS_NORMALIZING = /^[\s./]|\s$|\\|\/\/|[^\x00-\x7f]/;

/**
 * Forward slashes, no leading "./" or "/", no surrounding blanks, Unicode NFC: the form paths are
 * compared in (macOS folders give "é" as e + combining accent (NFD), a spreadsheet gives one character).
 */
export function normalizePath(path: string): string {
  if (!NEEDS_NORMALIZING.test(path)) return path; // the usual case, and import runs this for every row and file
  let p = path.trim().normalize('NFC').replace(/\\/g, '/').replace(/\/{2,}/g, '/');
  while (p.startsWith('./')) p = p.slice(2);
  return p.replace(/^\/+/, '');
}

/** Path segments, lower-cased: names are matched ignoring case (TID2013 lists i01_01_1.bmp for I01_01_1.BMP). */
export function pathKey(path: string): string[] {
  const parts = normalizePath(path).toLowerCase().split('/');
  return parts.includes('') || parts.includes('.') ? parts.filter((s) => s !== '' && s !== '.') : parts;
}

/** Base name without its image extension, in pathKey's form: "Pics/I01.BMP" → "i01", "i01" → "i01". */
export function stemKey(path: string): string {
  const p = normalizePath(path);
  const base = p.slice(p.lastIndexOf('/') + 1).toLowerCase();
  return isImagePath(base) ? base.slice(0, base.lastIndexOf('.')) : base;
}

export function baseName(path: string): string {
  const p = normalizePath(path);
  return p.slice(p.lastIndexOf('/') + 1);
}
