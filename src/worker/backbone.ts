/**
 * A pretrained model's base network, in the worker: the built-in MobileNetV2 from the site's
 * models/ folder, a user's backbone from the files the page sent, or — for a stored run whose
 * every weight comes from its checkpoint — the architecture alone, from the model.json the run keeps.
 */
import * as tf from '@tensorflow/tfjs';
import { strFromU8 } from 'fflate';
import { baseFromModelJson, loadBackboneFiles } from '../core/io/backboneFiles';
import { MODEL_INFO } from '../core/models/info';
import type { TrainConfig } from '../core/train/config';
import { DataError } from './describeError';
import type { ModelFile } from './protocol';

/** Reads a file of the built-in models by its path under models/ (fetch in the browser, fs in tests). */
export type BuiltinModelReader = (path: string) => Promise<Uint8Array>;

export interface LoadedBase {
  base: tf.LayersModel;
  /** Its model.json text, kept with a stored run. */
  json: string;
}

/** The files of a user's backbone: its model.json (the one whose name ends in .json) and the weight files it names. */
export function fileReader(files: readonly ModelFile[]): { name: string; read: (p: string) => Promise<Uint8Array> } {
  const json = files.find((f) => f.name.toLowerCase().endsWith('.json'));
  if (!json) throw new DataError('The backbone files hold no model.json: pick the model.json together with its weight files (.bin).');
  const byName = new Map(files.map((f) => [f.name.split('/').pop()!, f.file]));
  return {
    name: json.name,
    read: async (p) => {
      const f = byName.get(p.split('/').pop()!);
      if (!f) throw new Error(`${p} was not among the files picked`);
      return new Uint8Array(await f.arrayBuffer());
    },
  };
}

/**
 * A base's weights need a started backend, and a training session picks its own only later
 * (timing the real nets needs the base): until then the plain-JS one holds them, and the
 * chosen backend takes them over when it starts.
 */
async function holdingBackend(): Promise<void> {
  if (!tf.engine().backendName) await tf.setBackend('cpu');
}

/** The base network a run of `config` needs to build its nets, or null for a from-scratch model. */
export async function loadRunBase(config: TrainConfig, files: readonly ModelFile[] | undefined, readBuiltin: BuiltinModelReader): Promise<LoadedBase | null> {
  if (!MODEL_INFO[config.model].pretrained) return null;
  let name: string;
  let read: (p: string) => Promise<Uint8Array>;
  if (config.model === 'mobilenetv2') {
    name = 'the built-in MobileNetV2 (models/mobilenetv2/model.json)';
    read = (p) => readBuiltin(`mobilenetv2/${p}`);
  } else {
    if (!files?.length) throw new DataError('This experiment trains your own backbone: pick its model.json and weight files in the experiment settings first.');
    ({ name, read } = fileReader(files));
  }
  const modelJsonPath = config.model === 'mobilenetv2' ? 'model.json' : name.split('/').pop()!;
  await holdingBackend();
  const json = strFromU8(await read(modelJsonPath));
  const base = await loadBackboneFiles(name, read, modelJsonPath);
  return { base, json };
}

/** A stored run's base network, architecture only (its checkpoint holds every weight). */
export async function storedRunBase(run: { name: string; config: TrainConfig; backboneJson?: string }): Promise<tf.LayersModel | undefined> {
  if (!MODEL_INFO[run.config.model].pretrained) return undefined;
  if (!run.backboneJson) throw new DataError(`"${run.name}" was trained on a pretrained body whose description was not kept, so its networks cannot be rebuilt.`);
  await holdingBackend();
  return baseFromModelJson(run.backboneJson, `the backbone of "${run.name}"`);
}
