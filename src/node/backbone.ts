/** Pretrained backbones in Node: the built-in MobileNetV2 from public/, or a user's model.json on disk. */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tf from '@tensorflow/tfjs';
import { loadBackboneFiles } from '../core/io/backboneFiles';

const PUBLIC = resolve(fileURLToPath(import.meta.url), '../../../public');

/** The built-in MobileNetV2's model.json (written by `npm install` from the nsfwjs package). */
export const BUILTIN_MOBILENETV2 = join(PUBLIC, 'models', 'mobilenetv2', 'model.json');

export function loadBackboneFile(modelJson: string): Promise<tf.LayersModel> {
  const dir = dirname(modelJson);
  return loadBackboneFiles(modelJson, async (p) => new Uint8Array(await readFile(join(dir, p))), basename(modelJson));
}
