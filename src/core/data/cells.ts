/** What one cell of a score file looks like: an image path, a score, a split label. Shared by detection and matching. */

const IMAGE_EXTENSION = /\.(jpe?g|png|bmp|webp|tiff?)$/i;

/** Extensions the importer treats as images (lower case, with the dot). */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.bmp', '.webp', '.tif', '.tiff'] as const;

export function isImagePath(cell: string): boolean {
  return IMAGE_EXTENSION.test(cell.trim());
}

const BROWSER_IMAGE_EXTENSION = /\.(jpe?g|png|bmp|webp)$/i;

/** Image files a browser can decode (createImageBitmap): isImagePath's list without TIFF. */
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

/** Forward slashes, no leading "./" or "/", no surrounding blanks: the form paths are compared in. */
export function normalizePath(path: string): string {
  let p = path.trim().replace(/\\/g, '/').replace(/\/{2,}/g, '/');
  while (p.startsWith('./')) p = p.slice(2);
  return p.replace(/^\/+/, '');
}

/** Path segments, lower-cased: names are matched ignoring case (TID2013 lists i01_01_1.bmp for I01_01_1.BMP). */
export function pathKey(path: string): string[] {
  return normalizePath(path).toLowerCase().split('/').filter((s) => s !== '' && s !== '.');
}

export function baseName(path: string): string {
  const p = normalizePath(path);
  return p.slice(p.lastIndexOf('/') + 1);
}
