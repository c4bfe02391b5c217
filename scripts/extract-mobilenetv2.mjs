#!/usr/bin/env node
/**
 * Writes the Keras MobileNetV2 that the npm package nsfwjs ships (as base64 inside JS
 * modules) to plain TF.js Layers files the studio can load offline:
 *   public/models/mobilenetv2/model.json + weights.bin (+ LICENSE, nsfwjs's MIT licence).
 * The weights keep nsfwjs's uint8 quantisation in the manifest; tfjs dequantises on load,
 * so the file stays at ~2.6 MB instead of ~14 MB of float32.
 * Run by `npm install` (postinstall). Idempotent: files already up to date are not rewritten.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'public', 'models', 'mobilenetv2');
const EXPECTED_VERSION = '4.4.0';

function fail(message) {
  console.error(`extract-mobilenetv2: ${message}`);
  process.exit(1);
}

// nsfwjs's "exports" hide its package.json; find the package folder from the model's entry.
const ENTRY = 'nsfwjs/models/mobilenet_v2';
let entryUrl;
try {
  entryUrl = import.meta.resolve(ENTRY);
} catch {
  fail(
    'the package nsfwjs is not installed, so the pretrained MobileNetV2 cannot be written to public/models/mobilenetv2/. ' +
      `It is a devDependency: run \`npm install\` (not \`--omit=dev\`) so that nsfwjs@${EXPECTED_VERSION} is present, then \`node scripts/extract-mobilenetv2.mjs\`.`,
  );
}
let pkgDir = dirname(fileURLToPath(entryUrl));
while (!existsSync(join(pkgDir, 'package.json')) || JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).name !== 'nsfwjs') {
  if (dirname(pkgDir) === pkgDir) fail(`found ${ENTRY} at ${fileURLToPath(entryUrl)} but not the nsfwjs package folder above it.`);
  pkgDir = dirname(pkgDir);
}
const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
if (version !== EXPECTED_VERSION)
  fail(`found nsfwjs ${version}, but this script reads the model layout of nsfwjs ${EXPECTED_VERSION}: run \`npm install\` to get the pinned version.`);

// The package's own entry point for this model: { modelJson(), weightBundles: [() => import(shard)] }.
const { MobileNetV2Model } = await import(entryUrl);
const json = (await MobileNetV2Model.modelJson()).default;
const bundles = await Promise.all(MobileNetV2Model.weightBundles.map((load) => load()));
if (!json?.modelTopology?.model_config || !Array.isArray(json.weightsManifest))
  fail('nsfwjs/models/mobilenet_v2 did not give a TF.js Layers model.json (modelTopology.model_config and weightsManifest).');

// nsfwjs names its shards group1-shardNofM; concatenate them in manifest order.
const paths = json.weightsManifest.flatMap((g) => g.paths);
if (paths.length !== bundles.length) fail(`the manifest lists ${paths.length} weight shards, the package gives ${bundles.length}.`);
const weights = Buffer.concat(bundles.map((b) => Buffer.from(b.default, 'base64')));

const DTYPE_BYTES = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 };
const specs = json.weightsManifest.flatMap((g) => g.weights);
const want = specs.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[w.quantization?.dtype ?? w.dtype], 0);
if (want !== weights.length) fail(`the decoded weights hold ${weights.length} bytes but the manifest needs ${want}.`);

const modelJson = {
  format: 'layers-model',
  generatedBy: `nsfwjs@${version} dist/models/mobilenet_v2 (Keras ${json.modelTopology.keras_version ?? '?'}), extracted by scripts/extract-mobilenetv2.mjs`,
  convertedBy: null,
  modelTopology: json.modelTopology,
  weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
};

mkdirSync(outDir, { recursive: true });
const outputs = [
  ['model.json', Buffer.from(JSON.stringify(modelJson))],
  ['weights.bin', weights],
  ['LICENSE', readFileSync(join(pkgDir, 'LICENSE'))],
];
const written = [];
for (const [name, bytes] of outputs) {
  const file = join(outDir, name);
  if (existsSync(file) && readFileSync(file).equals(bytes)) continue;
  writeFileSync(file, bytes);
  written.push(`${name} (${(bytes.length / 1024).toFixed(0)} kB)`);
}
const where = relative(root, outDir);
console.log(written.length ? `extract-mobilenetv2: wrote ${where}/ ${written.join(', ')}` : `extract-mobilenetv2: ${where}/ is up to date`);
