/**
 * BMP decoding in core, for Node and the browser alike: sharp's libvips has no BMP loader, and
 * one decoder for both gives the same pixels (TID2013, LIVE and CSIQ-era datasets are BMP).
 * Handles the headers of Windows 2.x–5 (12, 40, 52, 56, 108, 124 bytes), 1/4/8-bit palettes,
 * 16/24/32-bit pixels (BI_RGB, BI_BITFIELDS), RLE8 and RLE4, bottom-up and top-down rows.
 */
import { ImageFileError } from './imageHeader';

const damaged = (why: string) => new ImageFileError(`the BMP file is damaged (${why})`, 'Re-save it as PNG or BMP, or remove its row.');

/** Full-size straight RGBA of a BMP file (call checkImageBytes first: it bounds the size). */
export function decodeBmp(b: Uint8Array): { width: number; height: number; rgba: Uint8Array } {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 26) throw damaged('too short');
  const dataOffset = dv.getUint32(10, true);
  const dib = dv.getUint32(14, true);
  const core = dib === 12;
  if (!core && (dib < 40 || b.length < 14 + 40)) throw damaged(`unknown header size ${dib}`);
  const width = core ? dv.getUint16(18, true) : dv.getInt32(18, true);
  const rawHeight = core ? dv.getInt16(20, true) : dv.getInt32(22, true);
  const bits = core ? dv.getUint16(24, true) : dv.getUint16(28, true);
  const compression = core ? 0 : dv.getUint32(30, true);
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  if (width <= 0 || height === 0) throw damaged(`size ${width}×${rawHeight}`);

  // Channel masks: BI_BITFIELDS gives them after the 40-byte header (or inside a V4/V5 header).
  let masks: [number, number, number, number] | null = null;
  if (compression === 3 || compression === 6) {
    const at = 14 + 40;
    if (b.length < at + 12) throw damaged('no colour masks');
    const alpha = compression === 6 || dib >= 56 ? dv.getUint32(at + 12, true) : 0;
    masks = [dv.getUint32(at, true), dv.getUint32(at + 4, true), dv.getUint32(at + 8, true), alpha];
  } else if (bits === 16) masks = [0x7c00, 0x03e0, 0x001f, 0];
  else if (bits === 32) masks = [0xff0000, 0xff00, 0xff, 0]; // BI_RGB: the fourth byte is padding, not alpha

  let palette: Uint8Array | null = null;
  if (bits <= 8) {
    const entry = core ? 3 : 4;
    const used = core ? 0 : dv.getUint32(46, true);
    const at = 14 + dib;
    // Files that leave the count at 0 yet store a short palette: the pixel data's offset says where it ends.
    const room = dataOffset > at ? Math.floor((dataOffset - at) / entry) : 1 << bits;
    const n = Math.min(used || 1 << bits, room);
    if (at + n * entry > b.length) throw damaged('the palette is cut short');
    palette = new Uint8Array(256 * 3);
    for (let i = 0; i < Math.min(n, 256); i++) {
      palette[i * 3] = b[at + i * entry + 2]!;
      palette[i * 3 + 1] = b[at + i * entry + 1]!;
      palette[i * 3 + 2] = b[at + i * entry]!;
    }
  }

  const rgba = new Uint8Array(width * height * 4);
  const rowOf = (y: number) => (topDown ? y : height - 1 - y);
  const put = (x: number, fileRow: number, idx: number) => {
    const o = (rowOf(fileRow) * width + x) * 4;
    rgba[o] = palette![idx * 3]!;
    rgba[o + 1] = palette![idx * 3 + 1]!;
    rgba[o + 2] = palette![idx * 3 + 2]!;
    rgba[o + 3] = 255;
  };

  if (compression === 1 || compression === 2) {
    if (!palette || topDown) throw damaged('run-length data without a palette, or stored top-down');
    // RLE: pixels not written by the runs stay transparent black, as in browsers.
    const four = compression === 2;
    let p = dataOffset;
    let x = 0;
    let y = 0;
    while (p + 1 < b.length && y < height) {
      const count = b[p]!;
      const value = b[p + 1]!;
      p += 2;
      if (count > 0) {
        for (let k = 0; k < count && x < width; k++, x++) put(x, y, four ? (k % 2 ? value & 15 : value >> 4) : value);
      } else if (value === 0) {
        x = 0;
        y++;
      } else if (value === 1) break;
      else if (value === 2) {
        if (p + 1 >= b.length) break;
        x += b[p]!;
        y += b[p + 1]!;
        p += 2;
      } else {
        const n = value;
        for (let k = 0; k < n; k++, x++) {
          const byte = b[p + (four ? k >> 1 : k)];
          if (byte === undefined) throw damaged('the pixel data is cut short');
          if (x < width) put(x, y, four ? (k % 2 ? byte & 15 : byte >> 4) : byte);
        }
        const used = four ? Math.ceil(n / 2) : n;
        p += used + (used % 2); // runs are padded to 16 bits
      }
    }
    return { width, height, rgba };
  }
  if (compression !== 0 && compression !== 3 && compression !== 6) throw damaged(`compression type ${compression} is not supported`);
  if (![1, 4, 8, 16, 24, 32].includes(bits)) throw damaged(`${bits} bits per pixel`);

  const stride = Math.ceil((width * bits) / 32) * 4;
  if (dataOffset + stride * height > b.length) throw damaged('the pixel data is cut short');
  const channel = (v: number, mask: number) => {
    if (!mask) return 255;
    const shift = 31 - Math.clz32(mask & -mask);
    const max = mask >>> shift;
    return Math.round((((v & mask) >>> shift) * 255) / max);
  };
  for (let y = 0; y < height; y++) {
    const row = dataOffset + y * stride;
    for (let x = 0; x < width; x++) {
      if (bits <= 8) {
        const bitAt = x * bits;
        const byte = b[row + (bitAt >> 3)]!;
        put(x, y, (byte >> (8 - bits - (bitAt & 7))) & ((1 << bits) - 1));
        continue;
      }
      const o = (rowOf(y) * width + x) * 4;
      if (bits === 24) {
        const p = row + x * 3;
        rgba[o] = b[p + 2]!;
        rgba[o + 1] = b[p + 1]!;
        rgba[o + 2] = b[p]!;
        rgba[o + 3] = 255;
        continue;
      }
      const v = bits === 16 ? dv.getUint16(row + x * 2, true) : dv.getUint32(row + x * 4, true);
      const [r, g, bl, a] = masks!;
      rgba[o] = channel(v, r);
      rgba[o + 1] = channel(v, g);
      rgba[o + 2] = channel(v, bl);
      rgba[o + 3] = channel(v, a);
    }
  }
  return { width, height, rgba };
}
