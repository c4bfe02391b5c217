/**
 * A pretrained backbone from wherever its files live: the built-in MobileNetV2 under the site's
 * models/ (fetched in the browser, read from public/ in Node), or a user's model.json and weight
 * files. `read` gets a file by its path relative to model.json; the weight files are the ones
 * model.json's manifest names.
 */
import * as tf from '@tensorflow/tfjs';
import { strFromU8 } from 'fflate';
import { loadBackbone } from '../models/pretrained';
import { checkPath, checkTopology } from './fileChecks';
import { ModelFileError } from './layersModelFiles';

export async function loadBackboneFiles(label: string, read: (path: string) => Promise<Uint8Array>, modelJsonPath = 'model.json'): Promise<tf.LayersModel> {
  let text: string;
  try {
    text = strFromU8(await read(modelJsonPath));
  } catch (err) {
    throw new ModelFileError(`${label} could not be read (${(err as Error).message}): check the path, or pick the model.json again.`);
  }
  const paths = new Set<string>();
  try {
    const manifest = (JSON.parse(text) as { weightsManifest?: { paths?: unknown[] }[] }).weightsManifest ?? [];
    for (const group of manifest) for (const p of group.paths ?? []) if (typeof p === 'string') paths.add(p);
  } catch {
    // Not JSON: loadBackbone words the error.
  }
  const files = new Map<string, Uint8Array>();
  // `read` may be the file system: a manifest path must stay inside model.json's folder.
  for (const p of paths) checkPath(p, label);
  for (const p of paths) {
    try {
      files.set(p, await read(p));
    } catch {
      // A missing shard: loadBackbone names it.
    }
  }
  return loadBackbone(text, label, (p) => files.get(p));
}

/**
 * A pretrained base network's architecture alone, from its model.json text: for networks whose
 * every weight then comes from a checkpoint (continuing, exporting or scoring a stored run), so
 * the pretrained weights themselves are not needed again.
 */
export async function baseFromModelJson(text: string, label: string): Promise<tf.LayersModel> {
  let topology: unknown;
  try {
    topology = (JSON.parse(text) as { modelTopology?: unknown }).modelTopology;
  } catch (err) {
    throw new ModelFileError(`${label} is not valid JSON (${(err as Error).message}).`);
  }
  if (!topology || typeof topology !== 'object') throw new ModelFileError(`${label} has no modelTopology: it is not a TF.js Layers model.json.`);
  checkTopology(topology, label);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: topology as tf.io.ModelJSON['modelTopology'] }));
}
