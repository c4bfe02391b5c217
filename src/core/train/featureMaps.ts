/**
 * Feature heatmaps (the seed code's features_dis): for one test image, each peer's last
 * convolutional feature map as the mean over channels after ReLU. A flipped peer is fed the
 * mirrored image, as it sees it in training and at test, so its map is of the mirror.
 *
 * The whole stored image goes through the convolutional body (every body here is fully
 * convolutional up to its pooling), so the map covers the image even when the net trains on
 * crops or patches. A frozen, cached body is the same layers as in the whole net, so the map
 * is read off the whole net either way.
 */
import { heatmapTestPosition } from './heatmapChoice';
import * as tf from '@tensorflow/tfjs';
import type { InputScaling } from '../models/types';
import { inputScalingOf, type TrainConfig } from './config';
import type { FeatureHeatmap } from './history';
import { makeBatch } from './inputs';
import type { ExperimentData } from './loop';

/** The images, as the batch maker reads them. */
type Images = Parameters<typeof makeBatch>[0];

/** A map larger than this on a side (cnniqa's valid 7×7 conv keeps nearly every pixel) is averaged down to it. */
export const MAX_HEATMAP_SIDE = 32;

type Layer = tf.layers.Layer;
type GraphNode = Layer['inboundNodes'][number];

const is4d = (t: tf.SymbolicTensor) => t.shape.length === 4;

/**
 * The net's last 4-D feature map: of the 4-D tensors read by a layer whose output is no longer
 * 4-D (global pooling, flatten: where the head begins), the one made deepest in the net. For
 * several MLSP levels that is the deepest level (out_relu for MobileNetV2).
 */
export function lastFeatureTensor(net: tf.LayersModel): tf.SymbolicTensor {
  // Each layer's node in this net: a layer shared with a split of the net has a second one.
  const nodes = new Map<Layer, GraphNode>();
  const stack = [...net.outputs];
  while (stack.length) {
    const t = stack.pop()!;
    if (nodes.has(t.sourceLayer)) continue;
    const node = t.sourceLayer.inboundNodes[t.nodeIndex]!;
    nodes.set(t.sourceLayer, node);
    stack.push(...node.inputTensors);
  }
  const depth = new Map(net.layers.map((l, i) => [l, i]));
  let best: tf.SymbolicTensor | undefined;
  for (const node of nodes.values()) {
    if (node.outputTensors.every(is4d)) continue;
    for (const t of node.inputTensors)
      if (is4d(t) && t.sourceLayer.getClassName() !== 'InputLayer' && (!best || depth.get(t.sourceLayer)! > depth.get(best.sourceLayer)!)) best = t;
  }
  if (!best) throw new Error(`The net "${net.name}" has no 4-D feature map before its head, so it has no feature heatmap.`);
  return best;
}

/**
 * The net from its input to its last feature map, sharing its layers and weights. Kept per net
 * and never disposed: disposing it would dispose the shared layers.
 */
const bodies = new WeakMap<tf.LayersModel, tf.LayersModel>();
function bodyOf(net: tf.LayersModel): tf.LayersModel {
  let body = bodies.get(net);
  if (!body) {
    body = tf.model({ inputs: net.inputs, outputs: lastFeatureTensor(net), name: `${net.name}_features` });
    bodies.set(net, body);
  }
  return body;
}

/** Average an h×w map (row-major) down to at most `maxSide` on its longer side; smaller maps come back as they are. */
export function shrinkMap(values: ArrayLike<number>, h: number, w: number, maxSide = MAX_HEATMAP_SIDE): { values: number[]; height: number; width: number } {
  const long = Math.max(h, w);
  if (long <= maxSide) return { values: Array.from(values), height: h, width: w };
  const oh = Math.max(1, Math.round((h * maxSide) / long));
  const ow = Math.max(1, Math.round((w * maxSide) / long));
  const out: number[] = [];
  // Each output cell is the mean of the input cells whose centres fall in it.
  const span = (i: number, n: number, on: number) => [Math.floor((i * n) / on), Math.max(Math.floor((i * n) / on) + 1, Math.floor(((i + 1) * n) / on))] as const;
  for (let i = 0; i < oh; i++) {
    const [y0, y1] = span(i, h, oh);
    for (let j = 0; j < ow; j++) {
      const [x0, x1] = span(j, w, ow);
      let s = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) s += values[y * w + x]!;
      out.push(s / ((y1 - y0) * (x1 - x0)));
    }
  }
  return { values: out, height: oh, width: ow };
}

/** What the heatmaps need of a cohort: its nets and which of them see the mirror. */
export interface HeatmapCohort {
  nets: readonly tf.LayersModel[];
  args: { peers: readonly { flipped: boolean }[] };
}

type Map2d = { values: number[]; height: number; width: number };

/** A frozen body's maps never change (a head-only run): kept per body, store, image and orientation, so each is computed once. */
const frozenMaps = new WeakMap<tf.LayersModel, { store: Images; maps: Map<string, Map2d> }>();

/**
 * Each peer's heatmap of stored image `image` (scaled as the model wants): the channel mean
 * after ReLU of its last feature map, in inference mode, averaged down to MAX_HEATMAP_SIDE.
 * `test` is the image's position in the test set, recorded with it.
 */
export async function featureHeatmaps(cohort: HeatmapCohort, store: Images, image: number, scaling: InputScaling, test = 0): Promise<FeatureHeatmap> {
  const mirrored = cohort.args.peers.map((p) => p.flipped);
  const nets = cohort.nets.map(bodyOf);
  const keyOf = (k: number) => `${image}:${mirrored[k] ? 'mirrored' : 'plain'}`;
  const known: (Map2d | undefined)[] = nets.map((b, k) => {
    const kept = frozenMaps.get(b);
    return kept?.store === store ? kept.maps.get(keyOf(k)) : undefined;
  });
  const todo = known.flatMap((m, k) => (m ? [] : [k]));
  if (todo.length) {
    const whole = { x: 0, y: 0, w: store.width, h: store.height };
    // The image and its mirror, through the same pixel path as training and evaluation.
    const host = makeBatch(store, [image, image], [whole, whole], [false, true], scaling);
    const maps = tf.tidy(() => {
      const x = tf.tensor4d(host.x, host.shape);
      return todo.map((k) => {
        const f = nets[k]!.apply(tf.slice(x, [mirrored[k] ? 1 : 0], [1]), { training: false }) as tf.Tensor4D;
        return tf.mean(tf.relu(f), 3).squeeze([0]) as tf.Tensor2D;
      });
    });
    let values: tf.TypedArray[];
    try {
      values = await Promise.all(maps.map((m) => m.data()));
    } finally {
      tf.dispose(maps);
    }
    todo.forEach((k, i) => {
      const [h, w] = maps[i]!.shape;
      const m = shrinkMap(values[i]!, h, w);
      // Five significant digits: the maps are kept for every epoch of the run.
      m.values = m.values.map((v) => Number(v.toPrecision(5)));
      known[k] = m;
      const body = nets[k]!;
      if (body.trainableWeights.length > 0) return;
      let kept = frozenMaps.get(body);
      if (kept?.store !== store) frozenMaps.set(body, (kept = { store, maps: new Map() }));
      kept.maps.set(keyOf(k), m);
    });
  }
  const first = known[0]!;
  return { test, image, height: first.height, width: first.width, peers: known.map((m) => m!.values), mirrored };
}

/** The epoch's heatmaps of a run's networks, of the config's test image (none without a test set). */
export async function epochHeatmaps(
  cohort: HeatmapCohort,
  config: Pick<TrainConfig, 'model' | 'backbone' | 'heatmapImage'>,
  data: Pick<ExperimentData, 'store' | 'test'>,
): Promise<FeatureHeatmap | undefined> {
  if (!data.test.length) return undefined;
  const test = heatmapTestPosition(data.test.length, config.heatmapImage);
  return featureHeatmaps(cohort, data.store, data.test[test]!, inputScalingOf(config), test);
}
