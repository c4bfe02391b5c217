/**
 * The image resize's speed, WebAssembly SIMD against the JavaScript reference, on a
 * KonIQ-sized image (1024×768, opaque RGBA of seeded random noise):
 *   npm run bench:resize -- [--runs 15]
 * Prints the median ms per resize of each and their ratio. A figure, not a test: the
 * unit tests prove the two give the same bytes; how much faster depends on the machine.
 */
import { makeRng } from '../src/core/rng';
import { compositeOnBlack, resizeRgb } from '../src/core/data/resample';
import { fitRgbaWasm } from '../src/core/data/resampleWasm';

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 15;
if (!(runs >= 1)) throw new Error('--runs must be a positive number. Usage: npm run bench:resize -- [--runs 15]');

const [w, h] = [1024, 768];
const rng = makeRng(9);
// Noise is enough: the Lanczos filter's cost is the same for any content; opaque, as most photos are.
const rgba = Uint8Array.from({ length: w * h * 4 }, (_, i) => (i % 4 === 3 ? 255 : Math.floor(rng.next() * 256)));

function median(f: () => unknown): number {
  f(); // warm-up: compiles the wasm and the JIT paths
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    ms.push(performance.now() - t0);
  }
  return ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)]!;
}

for (const [ow, oh] of [
  [512, 384],
  [224, 224],
]) {
  if (!fitRgbaWasm(rgba, w, h, ow!, oh!)) throw new Error('This Node has no WebAssembly SIMD: only the JavaScript resize would run.');
  const wasm = median(() => fitRgbaWasm(rgba, w, h, ow!, oh!));
  const js = median(() => resizeRgb(compositeOnBlack(rgba, w, h), w, h, ow!, oh!));
  console.log(`${w}×${h} → ${ow}×${oh}: wasm ${wasm.toFixed(1)} ms, JavaScript ${js.toFixed(1)} ms (median of ${runs}), ${(js / wasm).toFixed(1)}× faster`);
}
