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

interface TensorEntry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

/** Lists of tensors as one float32 little-endian buffer and, per list, where each tensor lies in it. */
function packTensors(lists: readonly (readonly NetTensor[])[]): { entries: TensorEntry[][]; bin: Uint8Array } {
  let offset = 0;
  const entries = lists.map((tensors) =>
    tensors.map((t) => {
      const entry = { name: t.name, shape: t.shape, offset, length: t.values.length };
      offset += t.values.length;
      return entry;
    }),
  );
  const bin = new Uint8Array(offset * 4);
  const view = new DataView(bin.buffer);
  let at = 0;
  for (const tensors of lists) for (const t of tensors) for (const v of t.values) view.setFloat32(4 * at++, v, true);
  return { entries, bin };
}

/** weights/seed-<seed>.json (names, shapes, offsets) and weights/seed-<seed>.bin (float32, little-endian). */
export function weightFiles(w: InitialWeights): ExportFile[] {
  const { entries, bin } = packTensors(w.peers);
  const stem = `seed-${w.seed}`;
  const meta = { format: 'dml-iqa-studio-weights/1', layout: 'tfjs', seed: w.seed, bin: `${stem}.bin`, peers: entries.map((tensors, peer) => ({ peer, tensors })) };
  return [
    { path: `weights/${stem}.json`, contents: JSON.stringify(meta, null, 1) },
    { path: `weights/${stem}.bin`, contents: bin },
  ];
}

/**
 * A pretrained base network's feature weights: every weight of its layers up to and including
 * `lastLayer` (its last feature map; the classifier after it is left out), under the base's own
 * layer names ("Conv1/kernel"), read back as TF.js holds them: quantised weights are already
 * dequantised to float32 on load, so these are the numbers the studio's bodies start from.
 */
export async function backboneTensors(base: tf.LayersModel, lastLayer: string): Promise<NetTensor[]> {
  const end = base.layers.findIndex((l) => l.name === lastLayer);
  if (end < 0) throw new Error(`The backbone ${base.name} has no layer ${lastLayer}.`);
  const weights = base.layers.slice(0, end + 1).flatMap((l) => l.weights);
  return Promise.all(
    weights.map(async (w) => ({ name: w.originalName, shape: [...w.shape] as number[], values: Float32Array.from((await w.read().data()) as Float32Array) })),
  );
}

/** backbone/<model>.json (names, shapes, offsets, where the weights come from) and backbone/<model>.bin (float32, little-endian). */
export function backboneFiles(model: string, tensors: readonly NetTensor[], source: string): ExportFile[] {
  const { entries, bin } = packTensors([tensors]);
  const meta = { format: 'dml-iqa-studio-backbone/1', layout: 'tfjs', model, source, bin: `${model}.bin`, tensors: entries[0]! };
  return [
    { path: `backbone/${model}.json`, contents: JSON.stringify(meta, null, 1) },
    { path: `backbone/${model}.bin`, contents: bin },
  ];
}

function sameValues(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/**
 * The initial weights less every tensor that equals the backbone's (a pretrained body starts from
 * it): train.py takes those from backbone/, so each peer's entry keeps its head, and any body
 * tensor that differs from the backbone.
 */
export function withoutBackbone(w: InitialWeights, backbone: readonly NetTensor[]): InitialWeights {
  const byName = new Map(backbone.map((t) => [t.name, t.values]));
  return {
    seed: w.seed,
    peers: w.peers.map((tensors) =>
      tensors.filter((t) => {
        const b = byName.get(t.name);
        return !(b && sameValues(b, t.values));
      }),
    ),
  };
}
