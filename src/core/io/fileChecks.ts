/**
 * Checks for files that come from outside (a model zip, a user's model.json and weights), made
 * before anything is built from them: path names, sizes, and the shape of model.json against a
 * schema with limits, so a hostile or broken file is refused in words instead of reading
 * outside its folder, filling memory or building a giant network.
 */
import * as v from 'valibot';
import { ModelFileError } from './layersModelFiles';

export const LIMITS = {
  /** Entries in a model zip. */
  zipEntries: 2000,
  /** Uncompressed bytes of one zip entry, and of the whole zip. */
  zipEntryBytes: 1024 * 1024 * 1024,
  zipTotalBytes: 2 * 1024 * 1024 * 1024,
  /** A JSON file (model.json, run.json, metrics.json, backbone.json). */
  jsonBytes: 64 * 1024 * 1024,
  /** Characters of a path, and its folder depth. */
  pathLength: 255,
  pathDepth: 16,
  /** Weight tensors of one model, each one's rank and element count, and all of them together (1 GiB as float32). */
  tensors: 20_000,
  rank: 8,
  modelElements: 2 ** 28,
  /** Layers of one model; any size or count in a layer's config (units, filters, kernel, input dims). */
  layers: 5000,
  layerSize: 65_536,
  nesting: 64,
} as const;

const MB = (n: number) => `${Math.round(n / 2 ** 20)} MB`;

/** What is wrong with a relative path from an untrusted file, or null: no "..", nothing absolute, no backslashes, bounded. */
export function pathProblem(path: string): string | null {
  if (path === '') return 'is empty';
  if (path.length > LIMITS.pathLength) return `is ${path.length} characters long (at most ${LIMITS.pathLength})`;
  if (path.includes('\\')) return 'contains a backslash (zip paths use "/")';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'contains control characters';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'is absolute';
  const parts = path.replace(/\/$/, '').split('/');
  if (parts.includes('..')) return 'climbs out of its folder ("..")';
  if (parts.includes('__proto__')) return 'is not a file name ("__proto__")';
  if (parts.length > LIMITS.pathDepth) return `is ${parts.length} folders deep (at most ${LIMITS.pathDepth})`;
  return null;
}

export function checkPath(path: string, label: string): void {
  const problem = pathProblem(path);
  if (problem) throw new ModelFileError(`${label} names the path ${JSON.stringify(path.slice(0, 80))}, which ${problem}: refused. Use a file exported by the studio or made by tensorflowjs_converter.`);
}

/** For fflate's unzipSync: refuses bad entry names and sizes from the zip's directory, before anything is inflated. */
export function zipEntryFilter(label: string): (file: { name: string; originalSize: number }) => boolean {
  let entries = 0;
  let total = 0;
  return (file) => {
    if (++entries > LIMITS.zipEntries) throw new ModelFileError(`${label} holds more than ${LIMITS.zipEntries} files: it is not a model zip exported by the studio.`);
    checkPath(file.name, label);
    total += file.originalSize;
    if (file.originalSize > LIMITS.zipEntryBytes)
      throw new ModelFileError(`${file.name} in ${label} unpacks to ${MB(file.originalSize)}, more than the ${MB(LIMITS.zipEntryBytes)} the studio takes for one file: refused.`);
    if (total > LIMITS.zipTotalBytes)
      throw new ModelFileError(`${label} unpacks to more than ${MB(LIMITS.zipTotalBytes)}: refused (a model zip of the studio is far smaller).`);
    return true;
  };
}

export function checkJsonSize(bytes: Uint8Array, label: string): void {
  if (bytes.length > LIMITS.jsonBytes) throw new ModelFileError(`${label} is ${MB(bytes.length)}, more than the ${MB(LIMITS.jsonBytes)} a model description may take: refused.`);
}

const int = (min: number, max: number, what: string) => v.pipe(v.number(what), v.integer(what), v.minValue(min, what), v.maxValue(max, what));
const SafePath = v.pipe(
  v.string('a file path'),
  v.check((p) => pathProblem(p) === null, (issue) => `a relative path inside the model's folder (${JSON.stringify(String(issue.input).slice(0, 80))} ${pathProblem(String(issue.input))})`),
);

const WeightSpecSchema = v.object({
  name: v.pipe(v.string('a weight name'), v.maxLength(512, 'a weight name of at most 512 characters')),
  shape: v.pipe(v.array(int(0, LIMITS.modelElements, `whole dimensions up to ${LIMITS.modelElements}`)), v.maxLength(LIMITS.rank, `at most ${LIMITS.rank} dimensions`)),
  dtype: v.picklist(['float32', 'int32', 'bool', 'complex64'], 'one of "float32", "int32", "bool", "complex64"'),
  quantization: v.optional(
    v.object({
      dtype: v.picklist(['uint8', 'uint16', 'float16'], 'one of "uint8", "uint16", "float16"'),
      scale: v.optional(v.pipe(v.number(), v.finite())),
      min: v.optional(v.pipe(v.number(), v.finite())),
    }),
  ),
});

/** model.json of a TF.js Layers model: what loadLayersModelFiles reads from it, bounded. */
export const ModelJsonSchema = v.object({
  modelTopology: v.record(v.string(), v.unknown(), 'an object (the Keras model configuration)'),
  format: v.optional(v.string()),
  generatedBy: v.optional(v.nullable(v.string())),
  convertedBy: v.optional(v.nullable(v.string())),
  weightsManifest: v.pipe(
    v.array(
      v.object({
        paths: v.pipe(v.array(SafePath), v.maxLength(1000, 'at most 1000 weight files')),
        weights: v.pipe(v.array(WeightSpecSchema), v.maxLength(LIMITS.tensors, `at most ${LIMITS.tensors} tensors`)),
      }),
      'a list of {"paths": [...], "weights": [...]} groups',
    ),
    v.maxLength(1000, 'at most 1000 groups'),
  ),
});

function issuePath(issue: v.BaseIssue<unknown>): string {
  return (issue.path ?? []).map((p) => (typeof p.key === 'number' ? `[${p.key}]` : `.${String(p.key)}`)).join('');
}

/** model.json, parsed, checked against the schema and the limits; throws ModelFileError naming the field. */
export function checkModelJson(json: unknown, label: string): v.InferOutput<typeof ModelJsonSchema> {
  const r = v.safeParse(ModelJsonSchema, json);
  if (!r.success) {
    const issue = r.issues[0];
    const where = issuePath(issue).replace(/^\./, '') || 'the file';
    const what = issue.message.startsWith('Invalid') ? `"${where}": ${issue.message}` : `"${where}" must be ${issue.message}`;
    throw new ModelFileError(`${label}: ${what}. Refused: the file is damaged or not a TF.js Layers model.`);
  }
  const specs = r.output.weightsManifest.flatMap((g) => g.weights);
  if (specs.length > LIMITS.tensors) throw new ModelFileError(`${label} lists ${specs.length} weight tensors, more than the ${LIMITS.tensors} the studio takes: refused.`);
  let elements = 0;
  for (const s of specs) elements += s.shape.reduce((a, b) => a * b, 1);
  if (elements > LIMITS.modelElements)
    throw new ModelFileError(
      `${label} has ${(elements / 1e6).toFixed(0)} M weights, more than the ${(LIMITS.modelElements / 1e6).toFixed(0)} M (1 GB as float32) the studio takes: refused.`,
    );
  checkTopology(r.output.modelTopology, label);
  return r.output;
}

/** Config keys whose numbers size a layer's weights or outputs. */
const SIZE_KEYS = new Set(['units', 'filters', 'kernel_size', 'pool_size', 'strides', 'dilation_rate', 'input_dim', 'output_dim', 'depth_multiplier', 'n', 'size', 'target_shape', 'batch_input_shape', 'batch_shape', 'input_shape', 'cropping', 'padding']);

/**
 * Building a layer allocates its weights before any are read, so the topology's sizes are
 * bounded too: a small model.json could otherwise ask for Dense(10⁹).
 */
export function checkTopology(topology: unknown, label: string): void {
  let layers = 0;
  const walk = (node: unknown, key: string, depth: number): void => {
    if (depth > LIMITS.nesting) throw new ModelFileError(`${label}: its model configuration is nested more than ${LIMITS.nesting} levels deep: refused.`);
    if (Array.isArray(node)) {
      if (key === 'layers') layers += node.length;
      if (layers > LIMITS.layers) throw new ModelFileError(`${label} has more than ${LIMITS.layers} layers: refused.`);
      for (const x of node) walk(x, key, depth + 1);
      return;
    }
    if (typeof node === 'number') {
      if (SIZE_KEYS.has(key) && !(Number.isFinite(node) && Math.abs(node) <= LIMITS.layerSize))
        throw new ModelFileError(`${label}: a layer's "${key}" is ${node}, more than the ${LIMITS.layerSize} the studio takes: refused.`);
      return;
    }
    if (node && typeof node === 'object') for (const [k, x] of Object.entries(node)) walk(x, SIZE_KEYS.has(key) ? key : k, depth + 1);
  };
  walk(topology, '', 0);
}
