/** Its own file: the wasm memory must still be at its first size, so this image has to grow it. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compositeOnBlack, fitDecoded, resizeRgb } from './resample';
import { fitRgbaWasm } from './resampleWasm';

afterEach(() => vi.restoreAllMocks());

describe('the WebAssembly resize when its memory cannot grow', () => {
  it('gives way to the JavaScript resizer instead of failing the image', () => {
    const [w, h, ow, oh] = [1200, 900, 300, 200];
    const rgba = new Uint8Array(w * h * 4).map((_, i) => (i * 37) & 255);
    const grow = vi.spyOn(WebAssembly.Memory.prototype, 'grow').mockImplementation(() => {
      throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
    });
    expect(fitRgbaWasm(rgba, w, h, ow, oh)).toBeNull();
    expect(grow).toHaveBeenCalled();
    const img = fitDecoded(rgba, w, h, ow, oh);
    expect(img.data).toEqual(resizeRgb(compositeOnBlack(rgba, w, h), w, h, ow, oh));
  });
});
