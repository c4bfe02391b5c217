/**
 * Which of the built-in MobileNetV2's levels predict a dataset's scores, frozen? A linear probe
 * per MLSP level, on the splits `npm run train -- --splits N` trains on (same seed, same policy):
 * each image's per-channel mean and SD of the level (the studio's MLSP pooling), z-scored on the
 * training side, fitted by ridge regression whose strength validation SRCC chooses; the test
 * SRCC of that fit is printed per split. The test side chooses nothing. A diagnostic of how far
 * frozen features can go on a dataset before a head is trained on them.
 *
 *   npm run bench:probe -- [--size 192] [--splits 5] [--images DIR --scores FILE]
 *
 * Without --images it probes the demo set, whose scores are a formula (an MS-SSIM proxy), not
 * human opinions.
 */
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { importDataset } from '../src/core/data/importDataset';
import { writeViewOf } from '../src/core/data/imageStore';
import { spearman } from '../src/core/metrics/correlation';
import { buildPretrainedNet, MOBILENETV2_NSFWJS } from '../src/core/models/pretrained';
import { GlobalMeanStdPooling2D } from '../src/core/models/pretrainedLayers';
import { chooseSplits } from '../src/core/splitPolicy';
import { defaultSplitKind } from '../src/core/splits';
import { QUICK_DEMO, splitOptionsOf } from '../src/core/train/config';
import { BUILTIN_MOBILENETV2, loadBackboneFile } from '../src/node/backbone';
import { decodeFile } from '../src/node/decodeImages';
import { listFilesRecursive } from '../src/node/files';
import { initNodeBackend } from '../src/node/tfNode';

const ALPHAS = [0.1, 1, 10, 100, 1000, 10000];

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

/** Solves (K + αI)·a = r for symmetric positive definite K (n×n, row-major) by Cholesky. */
function ridgeDual(K: Float64Array, n: number, alpha: number, r: Float64Array): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = K[i * n + j]! + (i === j ? alpha : 0);
      for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
      L[i * n + j] = i === j ? Math.sqrt(s) : s / L[j * n + j]!;
    }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = r[i]!;
    for (let k = 0; k < i; k++) s -= L[i * n + k]! * z[k]!;
    z[i] = s / L[i * n + i]!;
  }
  const a = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * a[k]!;
    a[i] = s / L[i * n + i]!;
  }
  return a;
}

/** Ridge on features X (one row per image, d wide), trained on `train`, α chosen by validation SRCC; test SRCC. */
function probe(X: Float64Array[], mos: number[], train: number[], val: number[], test: number[]): number {
  const d = X[0]!.length;
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  for (const i of train) for (let j = 0; j < d; j++) mean[j]! += X[i]![j]! / train.length;
  for (const i of train) for (let j = 0; j < d; j++) sd[j]! += (X[i]![j]! - mean[j]!) ** 2 / train.length;
  const z = (i: number) => X[i]!.map((v, j) => (v - mean[j]!) / (Math.sqrt(sd[j]!) + 1e-6));
  const Ztr = train.map(z);
  const Zval = val.map(z);
  const Ztest = test.map(z);
  const n = train.length;
  const K = new Float64Array(n * n);
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) K[a * n + b] = Ztr[a]!.reduce((s, v, j) => s + v * Ztr[b]![j]!, 0);
  const yMean = train.reduce((s, i) => s + mos[i]!, 0) / n;
  const r = Float64Array.from(train, (i) => mos[i]! - yMean);
  // The primal weights w = Zᵀa; a prediction is z(x)·w (the mean score is added to none: SRCC ignores it).
  const predict = (w: Float64Array, rows: Float64Array[]) => rows.map((zi) => zi.reduce((s, v, j) => s + v * w[j]!, 0));
  const yVal = val.map((i) => mos[i]!);
  const yTest = test.map((i) => mos[i]!);
  let best = { val: -Infinity, test: NaN };
  for (const alpha of ALPHAS) {
    const coef = ridgeDual(K, n, alpha, r);
    const w = new Float64Array(d);
    Ztr.forEach((zt, a) => zt.forEach((v, j) => (w[j]! += coef[a]! * v)));
    const v = spearman(predict(w, Zval), yVal);
    if (v > best.val) best = { val: v, test: spearman(predict(w, Ztest), yTest) };
  }
  return best.test;
}

async function main(): Promise<void> {
  const size = Number(flag('--size', '192'));
  const repeats = Number(flag('--splits', '5'));
  const demo = resolve(fileURLToPath(import.meta.url), '../../public/demo');
  const dir = resolve(flag('--images', demo));
  const scores = resolve(flag('--scores', join(demo, 'mos.csv')));
  const imported = importDataset({ scoreFileName: basename(scores), scoreText: await readFile(scores, 'utf8'), files: await listFilesRecursive(dir) });
  const items = imported.items;
  // The split npm run train makes: its default kind for these rows, the defaults' fractions and seed.
  const splits = chooseSplits(items, splitOptionsOf({ ...QUICK_DEMO, split: defaultSplitKind(items) }), repeats).map((c) => c.split);
  if (dir === demo) console.log('Demo dataset: its scores are a formula (an MS-SSIM proxy), not human opinions.');
  if (imported.problems.length) console.log(`${imported.problems.length} rows or files of ${basename(scores)} are not used (npm run train lists each).`);
  const scaling = MOBILENETV2_NSFWJS.scaling;
  console.log(`${items.length} images at ${size}×${size}, pixels ${scaling}; ${repeats} splits as npm run train -- --splits ${repeats} draws them (${splits[0]!.reason}).`);

  await initNodeBackend('wasm');
  const base = await loadBackboneFile(BUILTIN_MOBILENETV2);
  const levels = MOBILENETV2_NSFWJS.mlspCuts;
  const net = buildPretrainedNet(base, { headInit: 'he', headSeed: 1, prefix: 'p_', inputShape: [size, size, 3], cuts: levels, trainFrom: 'head' });
  const body = tf.model({ inputs: net.inputs, outputs: levels.map((l) => net.getLayer(`p_${l}`).output as tf.SymbolicTensor) });
  const pool = new GlobalMeanStdPooling2D({});
  const feats: Float64Array[][] = levels.map(() => []);
  for (const [k, it] of items.entries()) {
    const img = await decodeFile(join(dir, it.file), size, size);
    const pixels = new Float32Array(size * size * 3);
    writeViewOf(img.data, 0, size, { x: 0, y: 0, w: size, h: size }, false, pixels, 0, scaling);
    const pooled = tf.tidy(() => {
      const x = tf.tensor4d(pixels, [1, size, size, 3]);
      return (body.predict(x) as tf.Tensor[]).map((m) => (pool.apply(m) as tf.Tensor).dataSync());
    });
    pooled.forEach((p, l) => feats[l]!.push(Float64Array.from(p)));
    if ((k + 1) % 50 === 0) process.stdout.write(`\rFeatures ${k + 1}/${items.length}`);
  }
  process.stdout.write('\n');
  net.dispose();
  base.dispose();

  const mos = items.map((it) => it.mos);
  const rows: [string, Float64Array[]][] = levels.map((l, i) => [l, feats[i]!]);
  rows.push([`all ${levels.length} levels (MLSP)`, items.map((_, k) => Float64Array.from(feats.flatMap((f) => [...f[k]!])))]);
  console.log(`level                          dims   test SRCC mean ± sd   per split (ridge, α by validation SRCC)`);
  for (const [name, X] of rows) {
    const per = splits.map((s) => probe(X, mos, s.train, s.val, s.test));
    const m = per.reduce((a, b) => a + b, 0) / per.length;
    const sd = Math.sqrt(per.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, per.length - 1));
    console.log(`${name.padEnd(30)} ${String(X[0]!.length).padStart(5)}   ${m.toFixed(3)} ± ${sd.toFixed(3)}        ${per.map((v) => v.toFixed(3)).join(' ')}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
