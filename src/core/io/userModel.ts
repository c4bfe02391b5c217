/**
 * A pretrained TF.js Layers model the user brings (model.json + weight shards), checked to
 * be an IQA model: one batch of RGB images in, one score per image out.
 */
import type * as tf from '@tensorflow/tfjs';
import { strFromU8 } from 'fflate';
import { baseName } from '../data/cells';
import { checkJsonSize, LIMITS } from './fileChecks';
import { loadLayersModelFiles, ModelFileError } from './layersModelFiles';

export interface UserModel {
  model: tf.LayersModel;
  /** File name of its model.json. */
  name: string;
  /** The fixed [height, width] it takes, or null when it takes any size (the caller picks one). */
  inputSize: [number, number] | null;
}

function shapeText(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => d ?? 'N').join(', ')}]`;
}

/** What is wrong with the model as an IQA model ([N,H,W,3] → [N,1]), in words; null when nothing is. */
export function iqaShapeProblem(model: tf.LayersModel, name: string): string | null {
  if (model.inputs.length !== 1) return `${name} takes ${model.inputs.length} inputs; an IQA model takes one batch of images.`;
  if (model.outputs.length !== 1) return `${name} gives ${model.outputs.length} outputs; an IQA model gives one score per image.`;
  const inp = model.inputs[0]!.shape;
  const out = model.outputs[0]!.shape;
  if (inp.length !== 4)
    return `${name} takes input of shape ${shapeText(inp)}; an IQA model takes images [N, height, width, 3].`;
  if (inp[3] !== 3)
    return inp[1] === 3
      ? `${name} takes channels-first images ${shapeText(inp)}; the studio feeds channels-last RGB [N, height, width, 3]. Convert the model with channels last.`
      : `${name} takes images with ${inp[3]} channels ${shapeText(inp)}; the studio feeds RGB images [N, height, width, 3].`;
  if (out.length !== 2 || out[1] !== 1) {
    const many = out.length === 2 && typeof out[1] === 'number' ? ` It gives ${out[1]} numbers per image (a classifier?).` : '';
    return `${name} outputs shape ${shapeText(out)}; an IQA model outputs one score per image, [N, 1].${many}`;
  }
  return null;
}

/**
 * Load a model from its files: one model.json (any name ending in .json) and the weight
 * shards it lists, matched by path or, failing that, by file name. model.json is checked
 * against its schema and limits (loadLayersModelFiles) before a layer is built. Throws
 * ModelFileError naming the file and the problem.
 */
export async function loadUserModel(files: readonly { name: string; bytes: Uint8Array }[]): Promise<UserModel> {
  if (files.length > LIMITS.zipEntries) throw new ModelFileError(`${files.length} files were given: choose the model's model.json and its .bin weight files only.`);
  const total = files.reduce((s, f) => s + f.bytes.length, 0);
  if (total > LIMITS.zipTotalBytes)
    throw new ModelFileError(`The files given take ${Math.round(total / 2 ** 20)} MB, more than the studio takes for a model: choose the model's model.json and its .bin weight files only.`);
  const jsons = files.filter((f) => f.name.toLowerCase().endsWith('.json'));
  const main = jsons.length === 1 ? jsons[0] : jsons.find((f) => baseName(f.name).toLowerCase() === 'model.json');
  if (!main)
    throw new ModelFileError(
      jsons.length
        ? `Several .json files were given (${jsons.map((f) => f.name).join(', ')}) and none is called model.json: choose the model's model.json and its .bin weight files.`
        : 'No model.json among the files: choose the model.json of a TF.js Layers model together with its .bin weight files.',
    );
  const name = baseName(main.name);
  checkJsonSize(main.bytes, name);
  const dir = main.name.includes('/') ? main.name.slice(0, main.name.lastIndexOf('/') + 1) : '';
  const byPath = new Map(files.map((f) => [f.name, f.bytes]));
  const byBase = new Map(files.map((f) => [baseName(f.name).toLowerCase(), f.bytes]));
  const find = (p: string) => byPath.get(dir + p.replace(/^\.\//, '')) ?? byPath.get(p) ?? byBase.get(baseName(p).toLowerCase());
  const model = await loadLayersModelFiles(strFromU8(main.bytes), name, find);
  const problem = iqaShapeProblem(model, name);
  if (problem) {
    model.dispose();
    throw new ModelFileError(problem);
  }
  const [, h, w] = model.inputs[0]!.shape;
  return { model, name, inputSize: typeof h === 'number' && typeof w === 'number' ? [h, w] : null };
}
