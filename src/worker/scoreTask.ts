/**
 * "Score images" in the worker: decode a folder of new images at the model's input size and
 * predict them with a stored run's networks (each network and the DML ensemble) or with a
 * TF.js model the user brought.
 */
import { isBrowserImagePath } from '../core/data/cells';
import type { InputMode } from '../core/data/inputMode';
import { loadImages, type ImageDecoder } from '../core/data/loadImages';
import { cohortsFromStates } from '../core/io/restoreCohorts';
import { storedRunBase } from './backbone';
import { netsPredictor, scoreImages, scoreRuns, scoresCsv, type ScoreColumn } from '../core/io/scoreImages';
import { loadUserModel, type UserModel } from '../core/io/userModel';
import { inputScalingOf } from '../core/train/config';
import { MODEL_INFO } from '../core/models/info';
import { disposeCohorts, runCheckpoint } from './modelTasks';
import type { DatasetFile, ModelFile, ScoreModel, ScoreTable } from './protocol';
import type { RunStore } from '../storage/runStore';

export interface ScorePlatform {
  store(): Promise<RunStore>;
  decoder(files: ReadonlyMap<string, Blob>): ImageDecoder;
}

async function readUserModel(files: readonly ModelFile[]): Promise<UserModel> {
  return loadUserModel(await Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.file.arrayBuffer()) }))));
}

/** Load the model to check it (then free it): its name and the input size it insists on, if any. */
export async function checkUserModel(files: readonly ModelFile[]): Promise<{ name: string; inputSize: [number, number] | null }> {
  const m = await readUserModel(files);
  m.model.dispose();
  return { name: m.name, inputSize: m.inputSize };
}

export async function scoreFolder(p: ScorePlatform, model: ScoreModel, images: readonly DatasetFile[]): Promise<ScoreTable> {
  const picked = images.filter((f) => isBrowserImagePath(f.path));
  const problems: string[] = [];
  const others = images.length - picked.length;
  if (others) problems.push(`${others} file${others === 1 ? ' is' : 's are'} not JPEG, PNG, BMP or WebP and ${others === 1 ? 'was' : 'were'} left out.`);
  if (!picked.length) throw new Error('None of the chosen files is an image (JPEG, PNG, BMP or WebP): choose the folder that holds the images to score.');

  const decode = async (input: InputMode) => {
    const { width, height } = input;
    const items = picked.map((f, i) => ({ file: f.path, mos: 0, line: i + 1 }));
    const loaded = await loadImages(items, width, height, p.decoder(new Map(picked.map((f) => [f.path, f.file]))));
    for (const bad of loaded.problems) problems.push(`${bad.file} could not be read as an image, so it is not in the table.`);
    if (!loaded.items.length) throw new Error(`None of the ${picked.length} images could be read: re-save them as PNG or JPEG.`);
    return loaded;
  };

  let loaded: Awaited<ReturnType<typeof decode>>;
  let columns: ScoreColumn[];
  if (model.kind === 'run') {
    const { run, checkpoint } = await runCheckpoint(await p.store(), model.runId, model.slot);
    const { input, model: name } = run.config;
    loaded = await decode(input);
    const base = await storedRunBase(run);
    const cohorts = await cohortsFromStates(run.config, checkpoint.states, base).finally(() => base?.dispose());
    try {
      columns = await scoreRuns(cohorts, loaded.store, { input, patchSize: MODEL_INFO[name].patchSize, scaling: inputScalingOf(run.config) });
    } finally {
      disposeCohorts(cohorts);
    }
  } else {
    const user = await readUserModel(model.files);
    try {
      const size = user.inputSize ?? (model.size ? [model.size.height, model.size.width] : null);
      if (!size) throw new Error(`${user.name} takes images of any size: give the width and height to resize them to.`);
      const input: InputMode = { kind: 'resize', width: size[1], height: size[0] };
      loaded = await decode(input);
      // A user's IQA model says nothing of its pixels: ImageNet mean/std, as the studio's own nets take them.
      const pred = await scoreImages(netsPredictor([{ model: user.model, flipped: false }]), loaded.store, { input, scaling: 'imagenet' });
      columns = [{ name: user.name, values: pred.peers[0]! }];
    } finally {
      user.model.dispose();
    }
  }
  const files = loaded.items.map((it) => it.file);
  return { files, columns: columns.map((c) => ({ name: c.name, values: Array.from(c.values) })), csv: scoresCsv(files, columns), problems };
}
