/**
 * A TF.js Layers model as its standard files (model.json + binary weights) and back, with
 * errors that name the file and say what is wrong. Shared by the model zip and by
 * pretrained models the user brings.
 */
import * as tf from '@tensorflow/tfjs';
// Register the custom layers, so cnniqa's and a pretrained net's (MLSP pooling) model.json can be read back.
import '../models/globalMinPooling';
import '../models/pretrainedLayers';
import { checkModelJson, LIMITS } from './fileChecks';

/** A model file is unusable; the message names it and says why. */
export class ModelFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFileError';
  }
}

export interface LayersModelFiles {
  /** model.json text, in the format tf.loadLayersModel reads. */
  modelJson: string;
  /** The one weights file model.json names. */
  weights: Uint8Array;
}

/** Save a model to model.json + one weights file called `weightsName`. */
export async function layersModelFiles(model: tf.LayersModel, weightsName = 'weights.bin'): Promise<LayersModelFiles> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  const a = saved!;
  const json: tf.io.ModelJSON = {
    modelTopology: a.modelTopology as {},
    format: a.format ?? 'layers-model',
    generatedBy: a.generatedBy,
    convertedBy: a.convertedBy ?? null,
    weightsManifest: [{ paths: [weightsName], weights: a.weightSpecs ?? [] }],
  };
  if (a.trainingConfig) json.trainingConfig = a.trainingConfig;
  if (a.userDefinedMetadata) json.userDefinedMetadata = a.userDefinedMetadata;
  const data = a.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(a.weightData);
  return { modelJson: JSON.stringify(json), weights: new Uint8Array(data) };
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/** Bytes the manifest's weights take, or null when it cannot be known (string tensors). */
function expectedBytes(specs: readonly tf.io.WeightsManifestEntry[]): number | null {
  let total = 0;
  for (const s of specs) {
    const per = DTYPE_BYTES[s.quantization?.dtype ?? s.dtype];
    if (per === undefined) return null;
    total += s.shape.reduce((a, b) => a * b, 1) * per;
  }
  return total;
}

function parseModelJson(text: string, label: string): tf.io.ModelJSON {
  if (text.length > LIMITS.jsonBytes)
    throw new ModelFileError(`${label} is ${Math.round(text.length / 2 ** 20)} MB, more than a model description may take: refused.`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelFileError(
      `${label} is not valid JSON (${(err as Error).message}): the file is damaged or cut short. Export or download the model again.`,
    );
  }
  const j = json as Partial<tf.io.ModelJSON> & { format?: string };
  if (!j || typeof j !== 'object' || Array.isArray(j)) throw new ModelFileError(`${label} does not hold a TF.js model description (expected a JSON object).`);
  const topology = j.modelTopology as { node?: unknown; model_config?: unknown; class_name?: unknown } | undefined;
  if (j.format === 'graph-model' || topology?.node)
    throw new ModelFileError(
      `${label} is a TF.js graph model (converted from a TensorFlow SavedModel). The studio needs a Layers model: ` +
        'convert a Keras model with tensorflowjs_converter --input_format keras (or keras_saved_model).',
    );
  if (!topology || typeof topology !== 'object')
    throw new ModelFileError(`${label} has no "modelTopology": it is not a TF.js Layers model file (model.json from tf.LayersModel.save or tensorflowjs_converter).`);
  if (!Array.isArray(j.weightsManifest))
    throw new ModelFileError(`${label} has no "weightsManifest", so its weights cannot be found: the file is incomplete. Export or convert the model again.`);
  // Paths, dtypes, shapes and the topology's sizes, bounded, before a layer is built.
  checkModelJson(j, label);
  return j as tf.io.ModelJSON;
}

/**
 * Load a Layers model from its model.json text; `file(path)` returns the bytes of a weights
 * file named in the manifest (a path relative to model.json), or undefined when it is missing.
 */
export async function loadLayersModelFiles(
  modelJsonText: string,
  label: string,
  file: (path: string) => Uint8Array | undefined,
): Promise<tf.LayersModel> {
  const json = parseModelJson(modelJsonText, label);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  const paths: string[] = [];
  for (const group of json.weightsManifest) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group?.weights))
      throw new ModelFileError(`${label}: its "weightsManifest" is malformed (each entry needs "paths" and "weights").`);
    for (const p of group.paths) {
      const bytes = file(p);
      if (!bytes) throw new ModelFileError(`${label} needs the weights file "${p}", which is missing. Supply it together with model.json.`);
      parts.push(bytes);
      paths.push(p);
    }
    specs.push(...group.weights);
  }
  const total = parts.reduce((s, p) => s + p.byteLength, 0);
  const want = expectedBytes(specs);
  if (want !== null && want !== total)
    throw new ModelFileError(
      `The weights of ${label} (${paths.join(', ')}) hold ${total} bytes but the model needs ${want}: ` +
        'a weights file is damaged, cut short or belongs to another model.',
    );
  const weightData = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    weightData.set(p, at);
    at += p.byteLength;
  }
  try {
    return await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        trainingConfig: json.trainingConfig,
        weightSpecs: specs,
        weightData: weightData.buffer,
      }),
    );
  } catch (err) {
    const msg = (err as Error).message ?? String(err);
    const unknown = /Unknown layer: (\w+)/.exec(msg);
    if (unknown)
      throw new ModelFileError(
        `${label} uses a layer type TF.js does not know (${unknown[1]}): a custom layer of the program that made it. Use a model built from standard Keras layers.`,
      );
    throw new ModelFileError(`${label} could not be turned into a model: ${msg}`);
  }
}
