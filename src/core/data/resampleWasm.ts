/**
 * fitDecoded's resize in WebAssembly SIMD (wasm/resample.c): the same bytes as the
 * JavaScript in resample.ts, about ten times faster, which is what lets ingest keep up with
 * KonIQ-sized images. Where the module cannot run (no wasm SIMD), callers use the JavaScript.
 */
import { RESAMPLE_WASM_BASE64 } from './resampleWasm.generated';
import { taps } from './resample';

interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (d: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}
type Fit = (...args: number[]) => void;

const PAGE = 65536;
/** Past this much scratch the JavaScript resizes instead (a huge image would otherwise keep the memory grown). */
const MAX_BYTES = 1 << 30;

let state: { memory: WasmMemory; fit: Fit; base: number } | null | undefined;

function decodeBase64(s: string): Uint8Array {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const clean = s.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let n = 0;
  let o = 0;
  for (const ch of clean) {
    bits = (bits << 6) | abc.indexOf(ch);
    n += 6;
    if (n >= 8) {
      n -= 8;
      out[o++] = (bits >> n) & 255;
    }
  }
  return out;
}

function instance(): typeof state {
  if (state !== undefined) return state;
  try {
    const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    if (!WA) return (state = null);
    const memory = new WA.Memory({ initial: 64 });
    const inst = new WA.Instance(new WA.Module(decodeBase64(RESAMPLE_WASM_BASE64)), { env: { memory } });
    state = { memory, fit: inst.exports.fit as Fit, base: (inst.exports.__heap_base as { value: number }).value };
  } catch {
    state = null;
  }
  return state;
}

const align = (n: number) => (n + 7) & ~7;

/** RGBA (straight alpha) inW×inH → RGB outW×outH, composited onto black and Lanczos-3 resized; null where wasm cannot run. */
export function fitRgbaWasm(rgba: ArrayLike<number>, inW: number, inH: number, outW: number, outH: number): Uint8Array | null {
  const w = instance();
  if (!w) return null;
  const h = taps(inW, outW);
  const v = taps(inH, outH);
  let at = align(w.base);
  const take = (bytes: number) => {
    const p = at;
    at = align(at + bytes);
    return p;
  };
  const pRgba = take(inW * inH * 4);
  const pRgb = take(inW * inH * 3);
  const pMid = take(outW * inH * 3 * 8);
  const pPair = take(inW * 3 * 2 * 8);
  const pOut = take(outW * outH * 3);
  const pHs = take(outW * 4);
  const pHc = take(outW * 4);
  const pHw = take(h.weights.length * 8);
  const pVs = take(outH * 4);
  const pVc = take(outH * 4);
  const pVw = take(v.weights.length * 8);
  if (at > MAX_BYTES) return null;
  if (at > w.memory.buffer.byteLength) {
    try {
      w.memory.grow(Math.ceil((at - w.memory.buffer.byteLength) / PAGE));
    } catch {
      // No memory to grow into (a RangeError): the JavaScript resizes this image instead.
      return null;
    }
  }
  const buf = w.memory.buffer;
  new Uint8Array(buf, pRgba, inW * inH * 4).set(rgba);
  new Int32Array(buf, pHs, outW).set(h.start);
  new Int32Array(buf, pHc, outW).set(h.count);
  // The float32 weights as doubles: exact, and what the JavaScript multiplies with.
  new Float64Array(buf, pHw, h.weights.length).set(h.weights);
  new Int32Array(buf, pVs, outH).set(v.start);
  new Int32Array(buf, pVc, outH).set(v.count);
  new Float64Array(buf, pVw, v.weights.length).set(v.weights);
  w.fit(pRgba, pRgb, pMid, pPair, pOut, inW, inH, outW, outH, pHs, pHc, pHw, h.maxTaps, pVs, pVc, pVw, v.maxTaps);
  return new Uint8Array(buf, pOut, outW * outH * 3).slice();
}
