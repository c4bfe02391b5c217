/**
 * What an image file is, from its bytes alone (never its extension): the format and the
 * width × height its header claims, read before any decoder runs. Both decoders (sharp in
 * Node, createImageBitmap in the browser) call checkImageBytes first, so a file is accepted
 * or refused the same way in both, and a decompression bomb (a small file claiming a huge
 * size) is refused before a single pixel is allocated.
 */

export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'bmp' | 'webp';

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
}

/** Largest image decoded: 8192 × 8192. A full-size RGBA copy of it is 256 MiB. */
export const MAX_IMAGE_PIXELS = 8192 * 8192;
/** Longest side decoded: Chromium's canvas limit. */
export const MAX_IMAGE_SIDE = 32767;

/** A file the studio will not decode, with what to do about it. */
export class ImageFileError extends Error {
  /** The fix, in words, for the import report. */
  readonly fix: string;
  constructor(message: string, fix: string) {
    super(message);
    this.name = 'ImageFileError';
    this.fix = fix;
  }
}

const RESAVE = 'Re-save it as PNG or JPEG, or remove its row.';
const COPY_AGAIN = 'Copy or download it again (or re-save it as PNG or JPEG), or remove its row.';

const u16be = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!;
const u16le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8);
const u24le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
const u32be = (b: Uint8Array, i: number) => b[i]! * 0x1000000 + ((b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!);
const u32le = (b: Uint8Array, i: number) => b[i + 3]! * 0x1000000 + ((b[i + 2]! << 16) | (b[i + 1]! << 8) | b[i]!);
const i32le = (b: Uint8Array, i: number) => u32le(b, i) | 0;
const ascii = (b: Uint8Array, i: number, n: number) => String.fromCharCode(...b.subarray(i, i + n));
const startsWith = (b: Uint8Array, sig: readonly number[], at = 0) => sig.every((v, k) => b[at + k] === v);

const truncated = (what: string) => new ImageFileError(`the ${what} file is cut short (its data ends early)`, COPY_AGAIN);
const unsupported = (what: string, why: string) =>
  new ImageFileError(`it is ${what}, which the studio does not read (${why})`, 'Convert it to PNG or JPEG, or remove its row.');

function png(b: Uint8Array): ImageHeader {
  if (b.length < 33 || ascii(b, 12, 4) !== 'IHDR') throw truncated('PNG');
  const header: ImageHeader = { format: 'png', width: u32be(b, 16), height: u32be(b, 20) };
  // Walk the chunks: a file that stops before IEND decodes half grey in a browser and fails in sharp.
  let at = 8;
  for (;;) {
    if (at + 12 > b.length) throw truncated('PNG');
    const len = u32be(b, at);
    const type = ascii(b, at + 4, 4);
    at += 12 + len;
    if (at > b.length) throw truncated('PNG');
    if (type === 'IEND') return header;
  }
}

const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function jpeg(b: Uint8Array): ImageHeader {
  let at = 2;
  let header: ImageHeader | null = null;
  for (;;) {
    while (at < b.length && b[at] !== 0xff) at++; // stray bytes between segments
    while (at < b.length && b[at] === 0xff) at++; // fill bytes
    if (at >= b.length) throw truncated('JPEG');
    const marker = b[at++]!;
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // no length
    if (marker === 0xd9) throw new ImageFileError('the JPEG file ends before its image data', COPY_AGAIN);
    if (at + 2 > b.length) throw truncated('JPEG');
    const len = u16be(b, at);
    if (isSof(marker)) {
      if (at + 7 > b.length) throw truncated('JPEG');
      header = { format: 'jpeg', height: u16be(b, at + 3), width: u16be(b, at + 5) };
    }
    if (marker === 0xda) break; // start of scan: entropy-coded data follows
    at += len;
  }
  if (!header) throw new ImageFileError('the JPEG file has no frame header (its size is not given before the image data)', RESAVE);
  // The end marker: FF D9 cannot occur inside entropy-coded data (an FF there is followed by 00 or a restart marker).
  for (let i = b.length - 2; i >= at; i--) if (b[i] === 0xff && b[i + 1] === 0xd9) return header;
  throw truncated('JPEG');
}

function gif(b: Uint8Array): ImageHeader {
  if (b.length < 14) throw truncated('GIF');
  return { format: 'gif', width: u16le(b, 6), height: u16le(b, 8) };
}

function bmp(b: Uint8Array): ImageHeader {
  if (b.length < 26) throw truncated('BMP');
  const dib = u32le(b, 14);
  const core = dib === 12;
  const width = core ? u16le(b, 18) : i32le(b, 18);
  const height = Math.abs(core ? u16le(b, 20) : i32le(b, 22)); // negative height: stored top-down
  const header: ImageHeader = { format: 'bmp', width, height };
  if (!core && b.length >= 34) {
    const bits = u16le(b, 28);
    const compression = u32le(b, 30);
    // Uncompressed rows (BI_RGB, BI_BITFIELDS) have a known size: the pixel data must all be there.
    if ((compression === 0 || compression === 3) && width > 0 && bits > 0) {
      const stride = Math.ceil((width * bits) / 32) * 4;
      if (u32le(b, 10) + stride * height > b.length) throw truncated('BMP');
    }
  }
  return header;
}

function webp(b: Uint8Array): ImageHeader {
  if (b.length < 30) throw truncated('WebP');
  if (u32le(b, 4) + 8 > b.length) throw truncated('WebP');
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8 ') {
    if (!startsWith(b, [0x9d, 0x01, 0x2a], 23)) throw new ImageFileError('the WebP file is damaged (bad VP8 frame header)', RESAVE);
    return { format: 'webp', width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  }
  if (chunk === 'VP8L') {
    if (b[20] !== 0x2f) throw new ImageFileError('the WebP file is damaged (bad lossless header)', RESAVE);
    const bits = u32le(b, 21);
    return { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') return { format: 'webp', width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  throw new ImageFileError(`the WebP file holds an unknown kind of image ("${chunk}")`, RESAVE);
}

const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']);
const AVIF_BRANDS = new Set(['avif', 'avis']);

/** The format and claimed size of an image file; throws ImageFileError naming what it is when the studio cannot read it. */
export function sniffImage(b: Uint8Array): ImageHeader {
  if (b.length === 0) throw new ImageFileError('the file is empty (0 bytes)', COPY_AGAIN);
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return png(b);
  if (startsWith(b, [0xff, 0xd8, 0xff])) return jpeg(b);
  if (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a') return gif(b);
  if (ascii(b, 0, 2) === 'BM') return bmp(b);
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return webp(b);
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a]))
    throw unsupported('a TIFF image', 'browsers cannot decode TIFF');
  if (b.length >= 12 && ascii(b, 4, 4) === 'ftyp') {
    const brand = ascii(b, 8, 4);
    if (HEIF_BRANDS.has(brand)) throw unsupported('a HEIC/HEIF image (an iPhone photo?)', 'most browsers cannot decode HEIC');
    if (AVIF_BRANDS.has(brand)) throw unsupported('an AVIF image', 'its size cannot be checked before decoding');
  }
  if (startsWith(b, [0xff, 0x0a]) || startsWith(b, [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20]))
    throw unsupported('a JPEG XL image', 'browsers cannot decode JPEG XL');
  if (ascii(b, 0, 4) === '%PDF') throw unsupported('a PDF document', 'it is not an image');
  if (ascii(b, 0, 4) === '8BPS') throw unsupported('a Photoshop document', 'it is not a plain image');
  throw new ImageFileError('its bytes are not a JPEG, PNG, BMP, WebP or GIF image (whatever its name says)', RESAVE);
}

const megapixels = (n: number) => `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} megapixels`;

/** sniffImage, then the size limits. Call before decoding. */
export function checkImageBytes(b: Uint8Array): ImageHeader {
  const h = sniffImage(b);
  const name = h.format === 'jpeg' ? 'JPEG' : h.format === 'webp' ? 'WebP' : h.format.toUpperCase();
  if (h.width === 0 || h.height === 0) throw new ImageFileError(`the ${name} header says the image is ${h.width}×${h.height} pixels`, RESAVE);
  const pixels = h.width * h.height;
  if (pixels > MAX_IMAGE_PIXELS || h.width > MAX_IMAGE_SIDE || h.height > MAX_IMAGE_SIDE)
    throw new ImageFileError(
      `the ${name} header says it is ${h.width}×${h.height} pixels (${megapixels(pixels)}), more than the studio decodes ` +
        `(${megapixels(MAX_IMAGE_PIXELS)}, e.g. 8192×8192, and at most ${MAX_IMAGE_SIDE} pixels a side)`,
      'Downscale it (the studio stores images far smaller anyway), or remove its row.',
    );
  return h;
}
