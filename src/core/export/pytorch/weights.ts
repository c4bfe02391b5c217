/**
 * A studio network's weights for the PyTorch export: every weight (BatchNorm's moving
 * statistics included) by its name without the network prefix ("stage1/kernel",
 * "head_bn1/moving_mean"), in TF.js layout (conv HWIO, dense [in, out]). train.py converts
 * the layouts and loads them by name.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ExportFile } from './files';

export interface NetTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** The networks a run starts from, for one training seed: peer k of the DML cohort (peer 0 is also the baseline's start). */
export interface InitialWeights {
  seed: number;
  peers: NetTensor[][];
}

/** The prefix of a studio network's layer names ("peer0_"), read off its input layer ("peer0_input"). */
function layerPrefix(model: tf.LayersModel): string {
  const input = model.layers[0]?.name ?? '';
  if (!input.endsWith('input')) throw new Error(`Network ${model.name} does not start with an input layer named <prefix>input.`);
  return input.slice(0, -'input'.length);
}

/** Every weight of a network, read back from the backend. */
export async function netTensors(model: tf.LayersModel): Promise<NetTensor[]> {
  const prefix = layerPrefix(model);
  return Promise.all(
    model.weights.map(async (w) => {
      if (!w.originalName.startsWith(prefix)) throw new Error(`Weight ${w.originalName} is not under the prefix ${prefix}.`);
      const values = (await w.read().data()) as Float32Array;
      return { name: w.originalName.slice(prefix.length), shape: [...w.shape] as number[], values: Float32Array.from(values) };
    }),
  );
}

/** Initial weights of a fresh cohort's networks (read before any training step). */
export async function initialWeightsOf(seed: number, nets: readonly tf.LayersModel[]): Promise<InitialWeights> {
  return { seed, peers: await Promise.all(nets.map(netTensors)) };
}

/** weights/seed-<seed>.json (names, shapes, offsets) and weights/seed-<seed>.bin (float32, little-endian). */
export function weightFiles(w: InitialWeights): ExportFile[] {
  let offset = 0;
  const peers = w.peers.map((tensors, k) => ({
    peer: k,
    tensors: tensors.map((t) => {
      const entry = { name: t.name, shape: t.shape, offset, length: t.values.length };
      offset += t.values.length;
      return entry;
    }),
  }));
  const bin = new Uint8Array(offset * 4);
  const view = new DataView(bin.buffer);
  let at = 0;
  for (const tensors of w.peers)
    for (const t of tensors) for (const v of t.values) view.setFloat32(4 * at++, v, true);
  const stem = `seed-${w.seed}`;
  const meta = { format: 'dml-iqa-studio-weights/1', layout: 'tfjs', seed: w.seed, bin: `${stem}.bin`, peers };
  return [
    { path: `weights/${stem}.json`, contents: JSON.stringify(meta, null, 1) },
    { path: `weights/${stem}.bin`, contents: bin },
  ];
}
