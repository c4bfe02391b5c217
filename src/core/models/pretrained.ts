/**
 * Pretrained backbones: a loaded TF.js Layers model (an ImageNet-style CNN) becomes the body
 * of an IQA net. The body is copied up to one or more cut layers, pooled (GAP for one cut;
 * per-channel mean and standard deviation of every cut, concatenated, for several: MLSP,
 * Hosu et al. 2020) and given the paper's regression head.
 */
import * as tf from '@tensorflow/tfjs';
import { loadLayersModelFiles, ModelFileError } from '../io/layersModelFiles';
import { paperHead } from './head';
import { MOBILENETV2_LAYERS } from './info';
import { FreezableBatchNormalization, GlobalMeanStdPooling2D } from './pretrainedLayers';
import type { HeadInit, InputScaling } from './types';

export type { InputScaling } from './types';

/** A backbone the studio ships or knows, with what the trainer needs to feed it. */
export interface BackboneSpec {
  id: string;
  /** model.json, relative to the site root. */
  url: string;
  scaling: InputScaling;
  /** The input size it was trained at; it runs at others too. */
  nativeSize: [number, number];
  /** The single cut (GAP) and the levels pooled for MLSP. */
  defaultCut: string;
  mlspCuts: string[];
  describe: string;
}

export const MOBILENETV2_NSFWJS: BackboneSpec = {
  id: 'mobilenetv2',
  url: 'models/mobilenetv2/model.json',
  scaling: 'unit',
  nativeSize: MOBILENETV2_LAYERS.nativeSize,
  defaultCut: MOBILENETV2_LAYERS.defaultCut,
  mlspCuts: MOBILENETV2_LAYERS.mlspCuts,
  describe:
    'Keras MobileNetV2 (α 1.0, 224×224) from nsfwjs 4.4.0: ImageNet-initialised, then fine-tuned by the nsfwjs authors on a 5-class image set (not pure ImageNet weights). Input x/255.',
};

/** A backbone or a cut cannot be used; the message names the model or layer and the fix. */
export class BackboneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackboneError';
  }
}

type Layer = tf.layers.Layer;
type GraphNode = Layer['inboundNodes'][number];
type Dim = number | null;

/** The node of each layer inside `model` (a layer shared between models has one node per model). */
function modelNodes(model: tf.LayersModel, label: string): Map<Layer, GraphNode> {
  const nodes = new Map<Layer, GraphNode>();
  const stack = [...model.outputs];
  while (stack.length) {
    const t = stack.pop()!;
    const node = t.sourceLayer.inboundNodes[t.nodeIndex]!;
    const seen = nodes.get(t.sourceLayer);
    if (seen === node) continue;
    if (seen)
      throw new BackboneError(
        `${label} applies the layer "${t.sourceLayer.name}" more than once (a shared layer); only models in which each layer is applied once can be used as backbones.`,
      );
    nodes.set(t.sourceLayer, node);
    stack.push(...node.inputTensors);
  }
  return nodes;
}

const isInputLayer = (l: Layer) => l.getClassName() === 'InputLayer';
const POOLING = new Set(['AveragePooling2D', 'MaxPooling2D']);

export interface FeatureLayer {
  name: string;
  className: string;
  /** [null, H, W, C] for a feature map; several shapes for a layer with several outputs. */
  outputShape: Dim[] | Dim[][];
  /** A 4-D feature map [N, H, W, C] of one tensor: it can be a cut. */
  usableAsCut: boolean;
  params: number;
}

function layerOutputShape(nodes: Map<Layer, GraphNode>, layer: Layer): Dim[] | Dim[][] {
  const outs = nodes.get(layer)?.outputTensors ?? [];
  if (outs.length === 1) return outs[0]!.shape.slice();
  return outs.map((t) => t.shape.slice());
}

/** Every layer of the model (in its topological order) with its output shape, marking those usable as cuts. */
export function listFeatureLayers(model: tf.LayersModel, label = `the model "${model.name}"`): FeatureLayer[] {
  const nodes = modelNodes(model, label);
  return model.layers
    .filter((l) => nodes.has(l))
    .map((layer) => {
      const outputShape = layerOutputShape(nodes, layer);
      const single = outputShape.length > 0 && !Array.isArray(outputShape[0]);
      const usableAsCut = !isInputLayer(layer) && single && outputShape.length === 4;
      return { name: layer.name, className: layer.getClassName(), outputShape, usableAsCut, params: layer.countParams() };
    });
}

/**
 * The last 4-D feature map before the model leaves 4-D (global pooling, flatten, dense: the
 * classifier), skipping plain pooling layers right before it. For Keras MobileNetV2 this is
 * out_relu (7×7×1280 at 224). A headless model (all 4-D) gives its last 4-D layer.
 */
export function proposeCut(model: tf.LayersModel, label = `the model "${model.name}"`): string {
  const layers = listFeatureLayers(model, label);
  const firstFlat = layers.findIndex((l) => l.className !== 'InputLayer' && !l.usableAsCut);
  const before = firstFlat < 0 ? layers : layers.slice(0, firstFlat);
  const cut = [...before].reverse().find((l) => l.usableAsCut && !POOLING.has(l.className)) ?? [...before].reverse().find((l) => l.usableAsCut);
  if (!cut)
    throw new BackboneError(
      `${label} has no 4-D feature layer [N, H, W, C] before its classifier, so there is nothing to cut it at: a backbone must be a convolutional network taking images.`,
    );
  return cut.name;
}

function shapeText(shape: readonly Dim[] | readonly Dim[][]): string {
  return Array.isArray(shape[0]) ? (shape as Dim[][]).map(shapeText).join(' and ') : `[${(shape as Dim[]).map((d) => d ?? 'N').join(', ')}]`;
}

/** A few valid cut names for an error message. */
function someCuts(layers: FeatureLayer[]): string {
  const cuts = layers.filter((l) => l.usableAsCut).map((l) => l.name);
  const shown = cuts.length <= 6 ? cuts : [...cuts.slice(0, 3), '…', ...cuts.slice(-3)];
  return `${shown.join(', ')} (${cuts.length} in all)`;
}

export type TrainFrom = 'head' | 'all' | (string & {});

export interface PretrainedNetOptions {
  /** Layer names to cut the body at; default [proposeCut(base)]. Several = MLSP pooling. */
  cuts?: string[];
  headInit: HeadInit;
  headSeed: number;
  /** Prefix of every layer (and so every variable) name: several nets live in one tfjs engine. */
  prefix: string;
  /**
   * 'all' (the seed code: fine-tune everything, the default), 'head' (train the head only), or a
   * body layer's name: the layers before it in the model's topological order are frozen.
   */
  trainFrom?: TrainFrom;
  /** [H, W, 3] of the new net's input; default the base's. The body is fully convolutional. */
  inputShape?: [number, number, number];
  /** Hidden Dense sizes of the head; default the paper's MobileNet-V2 head [512, 256]. */
  hidden?: number[];
  /** Names the base model in error messages (e.g. its file name). */
  label?: string;
}

/** Which layers of the base are copied, and which of them are frozen. */
interface BodyPlan {
  nodes: Map<Layer, GraphNode>;
  copied: Layer[];
  frozen: Set<Layer>;
  cuts: Layer[];
}

function planBody(base: tf.LayersModel, opts: PretrainedNetOptions, label: string): BodyPlan {
  if (base.inputs.length !== 1)
    throw new BackboneError(`${label} takes ${base.inputs.length} inputs; a backbone takes one batch of images [N, H, W, 3].`);
  const inShape = base.inputs[0]!.shape;
  if (inShape.length !== 4 || inShape[3] !== 3)
    throw new BackboneError(`${label} takes input of shape ${shapeText(inShape)}; a backbone takes RGB images, channels last, [N, H, W, 3].`);
  const layers = listFeatureLayers(base, label);
  if (!layers.some((l) => l.usableAsCut))
    throw new BackboneError(`${label} has no 4-D feature layer [N, H, W, C], so there is nothing to cut it at: a backbone must be a convolutional network taking images.`);
  const nodes = modelNodes(base, label);
  const cutNames = opts.cuts ?? [proposeCut(base, label)];
  if (cutNames.length === 0) throw new BackboneError(`No cut layer given for ${label}: name at least one, e.g. ${proposeCut(base, label)}.`);
  if (new Set(cutNames).size !== cutNames.length) throw new BackboneError(`The cuts ${cutNames.join(', ')} name a layer twice: give each layer once.`);
  const cuts = cutNames.map((name) => {
    const info = layers.find((l) => l.name === name);
    if (!info) throw new BackboneError(`${label} has no layer "${name}". Layers usable as cuts: ${someCuts(layers)}.`);
    if (!info.usableAsCut)
      throw new BackboneError(
        `The layer "${name}" of ${label} outputs ${shapeText(info.outputShape)}, not one 4-D feature map [N, H, W, C]: cut at a convolutional layer instead, e.g. ${proposeCut(base, label)}.`,
      );
    return base.getLayer(name);
  });
  // The cuts' ancestors, in the base's topological order.
  const needed = new Set<Layer>();
  const stack = [...cuts];
  while (stack.length) {
    const l = stack.pop()!;
    if (needed.has(l)) continue;
    needed.add(l);
    stack.push(...nodes.get(l)!.inputTensors.map((t) => t.sourceLayer));
  }
  const copied = base.layers.filter((l) => needed.has(l) && !isInputLayer(l));
  const trainFrom = opts.trainFrom ?? 'all';
  let firstTrainable: number;
  if (trainFrom === 'all') firstTrainable = 0;
  else if (trainFrom === 'head') firstTrainable = copied.length;
  else {
    firstTrainable = copied.findIndex((l) => l.name === trainFrom);
    if (firstTrainable < 0) {
      const inBase = base.layers.some((l) => l.name === trainFrom);
      const first = copied[0]?.name ?? '';
      const last = copied[copied.length - 1]?.name ?? '';
      throw new BackboneError(
        inBase
          ? `trainFrom "${trainFrom}" is a layer of ${label} that the cut body does not contain (it comes after the cuts ${cutNames.join(', ')}): name a layer from ${first} to ${last}, or 'head' or 'all'.`
          : `trainFrom "${trainFrom}" is not a layer of ${label}: name a body layer (from ${first} to ${last}), or 'head' (train the head only) or 'all'.`,
      );
    }
  }
  return { nodes, copied, frozen: new Set(copied.slice(0, firstTrainable)), cuts };
}

/** A Keras ReLU layer that is exactly relu6: max value 6, no negative slope, threshold 0. */
function isPlainRelu6(config: tf.serialization.ConfigDict, layer: Layer): boolean {
  return layer.getClassName() === 'ReLU' && config.maxValue === 6 && !config.negativeSlope && !config.threshold;
}

/**
 * A new IQA net: the base's body up to the cut(s), copied with the prefix (own variables,
 * starting from the base's values), pooled, then the paper's head. Frozen BatchNorm layers
 * run in inference mode even under training = true.
 */
export function buildPretrainedNet(base: tf.LayersModel, opts: PretrainedNetOptions): tf.LayersModel {
  const label = opts.label ?? `the model "${base.name}"`;
  const plan = planBody(base, opts, label);
  const { prefix } = opts;
  const baseShape = base.inputs[0]!.shape;
  const inputShape = opts.inputShape ?? (baseShape.slice(1) as Dim[]);
  const input = tf.input({ shape: inputShape, name: `${prefix}input` });
  const tensors = new Map<tf.SymbolicTensor, tf.SymbolicTensor>();
  tensors.set(base.inputs[0]!, input);
  const copies = new Map<Layer, Layer>();
  const created: Layer[] = [];
  try {
    for (const layer of plan.copied) {
      const node = plan.nodes.get(layer)!;
      const config: tf.serialization.ConfigDict = { ...layer.getConfig(), name: prefix + layer.name, trainable: !plan.frozen.has(layer) };
      // The input shape belongs to the new input layer.
      delete config.batchInputShape;
      delete config.inputShape;
      const copy: Layer =
        layer.getClassName() === 'BatchNormalization'
          ? new FreezableBatchNormalization(config)
          : isPlainRelu6(config, layer)
            ? // Same values, a fused kernel: Keras's ReLU(max_value=6) backpropagates through slow element-wise selects on wasm.
              tf.layers.activation({ activation: 'relu6', name: config.name as string, trainable: config.trainable as boolean })
            : new (layer.constructor as new (c: tf.serialization.ConfigDict) => Layer)(config);
      created.push(copy);
      const ins = node.inputTensors.map((t) => tensors.get(t)!);
      let out: tf.SymbolicTensor | tf.SymbolicTensor[];
      try {
        out = copy.apply(ins.length === 1 ? ins[0]! : ins) as tf.SymbolicTensor | tf.SymbolicTensor[];
      } catch (err) {
        throw new BackboneError(
          `The layer "${layer.name}" of ${label} cannot take the input ${shapeText(ins.map((t) => t.shape))} that ${shapeText(inputShape)} images give it (${(err as Error).message}): use a larger input size.`,
        );
      }
      const outs = Array.isArray(out) ? out : [out];
      node.outputTensors.forEach((t, i) => tensors.set(t, outs[i]!));
      // Shares the base's (immutable) data until the first update replaces it.
      copy.setWeights(layer.getWeights());
      copies.set(layer, copy);
    }
    const cutOutputs = plan.cuts.map((l) => tensors.get(plan.nodes.get(l)!.outputTensors[0]!)!);
    for (const [i, t] of cutOutputs.entries()) {
      const [, h, w] = t.shape;
      if (h === 0 || w === 0)
        throw new BackboneError(`At ${shapeText(inputShape)} the cut "${plan.cuts[i]!.name}" of ${label} has no pixels left (${shapeText(t.shape)}): use a larger input size.`);
    }
    // Pooling of frozen cuts is frozen too, so the split before the head caches pooled vectors.
    const frozenCut = (i: number) => plan.frozen.has(plan.cuts[i]!);
    let pooled: tf.SymbolicTensor;
    if (cutOutputs.length === 1) {
      pooled = tf.layers.globalAveragePooling2d({ name: `${prefix}gap`, trainable: !frozenCut(0) }).apply(cutOutputs[0]!) as tf.SymbolicTensor;
    } else {
      const parts = cutOutputs.map(
        (t, i) => new GlobalMeanStdPooling2D({ name: `${prefix}mlsp_${plan.cuts[i]!.name}`, trainable: !frozenCut(i) }).apply(t) as tf.SymbolicTensor,
      );
      pooled = tf.layers
        .concatenate({ name: `${prefix}mlsp_concat`, trainable: !cutOutputs.every((_, i) => frozenCut(i)) })
        .apply(parts) as tf.SymbolicTensor;
    }
    const out = paperHead(pooled, opts.headInit, opts.headSeed, prefix, opts.hidden ?? [512, 256], 'last');
    return tf.model({ inputs: input, outputs: out, name: `${prefix}pretrained` });
  } catch (err) {
    for (const l of created) if (l.built) l.dispose();
    throw err;
  }
}

export interface PretrainedNetInfo {
  /** Numbers the optimizer updates. */
  trainableParams: number;
  /** Weights of frozen layers, their BatchNorm statistics included. */
  frozenParams: number;
  /** Moving mean and variance of the trainable BatchNorm layers: updated by batches, not by gradients. */
  statisticsParams: number;
  /** Layers with trainable = false, parameterless ones (ReLU, padding, pooling of frozen cuts) included. */
  frozenLayers: number;
}

const size = (v: tf.LayerVariable) => v.shape.reduce((a: number, b) => a * (b ?? 1), 1);

export function pretrainedNetInfo(net: tf.LayersModel): PretrainedNetInfo {
  let frozenParams = 0;
  let statisticsParams = 0;
  let frozenLayers = 0;
  for (const l of net.layers) {
    if (isInputLayer(l)) continue;
    if (!l.trainable) {
      frozenLayers++;
      frozenParams += l.weights.reduce((s, v) => s + size(v), 0);
    } else statisticsParams += l.nonTrainableWeights.reduce((s, v) => s + size(v), 0);
  }
  return { trainableParams: net.trainableWeights.reduce((s, v) => s + size(v), 0), frozenParams, statisticsParams, frozenLayers };
}

/** Above this a backbone's weights (as float32) are refused: a browser tab would run out of memory training it. */
export const MAX_BACKBONE_BYTES = 200 * 1024 * 1024;

/**
 * Load a backbone from its files (model.json text and the weight files it names, see
 * loadLayersModelFiles), checked to be a Layers CNN taking images. Throws ModelFileError
 * for file problems, BackboneError for a model that cannot be a backbone.
 */
export async function loadBackbone(
  modelJsonText: string,
  label: string,
  file: (path: string) => Uint8Array | undefined,
  maxBytes = MAX_BACKBONE_BYTES,
): Promise<tf.LayersModel> {
  type Topology = { model_config?: Topology; class_name?: unknown; node?: unknown };
  let json: { format?: unknown; modelTopology?: Topology; weightsManifest?: { weights?: { shape?: number[] }[] }[] } | undefined;
  try {
    json = JSON.parse(modelJsonText);
  } catch {
    json = undefined; // loadLayersModelFiles words the parse error.
  }
  // Keras converters nest the model in modelTopology.model_config; tfjs's own save puts it at the top.
  const topology = json?.modelTopology;
  if (topology && typeof topology === 'object' && json?.format !== 'graph-model' && !topology.node && typeof (topology.model_config ?? topology).class_name !== 'string')
    throw new ModelFileError(
      `${label} has no model configuration ("modelTopology.model_config" or "modelTopology.class_name"): it is not a Keras / TF.js Layers model. Convert the network with tensorflowjs_converter --input_format keras (or keras_saved_model) to get a Layers model.json.`,
    );
  if (json && Array.isArray(json.weightsManifest)) {
    const count = json.weightsManifest.flatMap((g) => g.weights ?? []).reduce((s, w) => s + (w.shape ?? []).reduce((a, b) => a * b, 1), 0);
    if (count * 4 > maxBytes)
      throw new ModelFileError(
        `${label} has ${(count / 1e6).toFixed(1)} M weights (${((count * 4) / 2 ** 20).toFixed(0)} MB as float32), over the ${(maxBytes / 2 ** 20).toFixed(0)} MB the studio takes: choose a smaller network.`,
      );
  }
  let model: tf.LayersModel;
  try {
    model = await loadLayersModelFiles(modelJsonText, label, file);
  } catch (err) {
    throw explainLoadError(err, label);
  }
  try {
    planBody(model, { headInit: 'he', headSeed: 0, prefix: '', trainFrom: 'all' }, label);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}

/** tfjs's words for weights that do not fit the model, in the user's terms. */
function explainLoadError(err: unknown, label: string): unknown {
  const msg = (err as Error)?.message ?? String(err);
  const notSet = /(\d+) of (\d+) weights are not set: (.*)$/.exec(msg);
  if (notSet)
    return new ModelFileError(
      `The weights of ${label} lack ${notSet[1]!} of the ${notSet[2]!} tensors the model needs (${notSet[3]!.split(',').slice(0, 3).join(',')}…): the weights file belongs to another model or is incomplete.`,
    );
  const extra = /no target variable: (.*)$/.exec(msg);
  if (extra) return new ModelFileError(`The weights of ${label} hold a tensor the model does not have (${extra[1]!}): the weights belong to another model.`);
  const shape = /Shape mismatch: \[([\d,]*)\] vs\. \[([\d,]*)\]/.exec(msg);
  if (shape)
    return new ModelFileError(
      `A weight of ${label} has shape [${shape[2]!}] where the model needs [${shape[1]!}]: the weights belong to another model (or another width) than model.json describes.`,
    );
  return err;
}
