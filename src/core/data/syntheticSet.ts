import { makeRng } from '../rng';
import { ImageStore } from './imageStore';

/**
 * A generated dataset for tests and benchmarks. Its scores are a FORMULA, not human opinions:
 * each image is a random smooth colour pattern ("content", one per ref) plus white noise of a
 * random strength s ∈ [0, 1], and its score is mos = 5 − 4·s.
 */
export interface SyntheticSet {
  store: ImageStore;
  mos: Float64Array;
  refs: string[];
}

export function makeSyntheticSet(count: number, size: number, seed: number, contents = 8): SyntheticSet {
  const rng = makeRng(seed);
  const store = new ImageStore(count, size, size);
  const mos = new Float64Array(count);
  const refs: string[] = [];
  const patterns = Array.from({ length: contents }, () =>
    Array.from({ length: 3 }, () => ({ fx: 1 + rng.next() * 3, fy: 1 + rng.next() * 3, ph: rng.next() * 6.28, base: 60 + rng.next() * 120 })),
  );
  for (let i = 0; i < count; i++) {
    const c = i % contents;
    const s = rng.next();
    const data = new Uint8Array(size * size * 3);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        for (let ch = 0; ch < 3; ch++) {
          const p = patterns[c]![ch]!;
          const clean = p.base + 50 * Math.sin((p.fx * x) / size * 6.28 + p.ph) * Math.cos((p.fy * y) / size * 6.28);
          const noise = (rng.next() - 0.5) * 2 * 90 * s;
          data[(y * size + x) * 3 + ch] = Math.max(0, Math.min(255, Math.round(clean + noise)));
        }
    store.add({ width: size, height: size, data });
    mos[i] = 5 - 4 * s;
    refs.push(`content${c}`);
  }
  return { store, mos, refs };
}
