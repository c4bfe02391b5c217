/**
 * A pretrained net cut in two at its first trainable layer, so the frozen part can run once
 * per image view and its output be cached: frozen(image) → features, trainable(features) → score.
 */
import * as tf from '@tensorflow/tfjs';
import { BackboneError } from './pretrained';

type Layer = tf.layers.Layer;

export interface PretrainedSplit {
  /** image → the boundary tensors (one output per entry of `boundary`). Never train or dispose it. */
  frozen: tf.LayersModel;
  /** boundary tensors (inputs in the same order) → score. Shares the net's trainable layers and variables. */
  trainable: tf.LayersModel;
  /** What crosses from the frozen to the trainable part: the producing layer and the shape. */
  boundary: { layer: string; shape: (number | null)[] }[];
  /**
   * Frees what the split added. Call it as well as net.dispose() (either order): the trainable
   * part holds a second reference to the net's trainable layers.
   */
  dispose(): void;
}

/**
 * Split a net built by buildPretrainedNet at its frozen/trainable boundary (the layers with
 * trainable = false, which must all come before the trainable ones). In inference mode
 * trainable(frozen(x)) equals net(x); frozen BatchNorm runs in inference mode in the net too,
 * so the same holds for the frozen part under training. With trainFrom 'head' the boundary is
 * the pooled feature vector. At a MobileNetV2 block boundary (the layer after a block's `add`,
 * or a block's expand conv without a residual) it is one 4-D tensor; elsewhere inside a
 * residual block, and for MLSP cuts below the trainable part, several tensors cross and
 * `boundary` lists them all.
 */
export function splitAtTrainFrom(net: tf.LayersModel): PretrainedSplit {
  if (net.inputs.length !== 1 || net.outputs.length !== 1) throw new BackboneError(`The net "${net.name}" is not a one-input, one-output IQA net.`);
  const nodes = new Map<Layer, Layer['inboundNodes'][number]>();
  const stack = [...net.outputs];
  while (stack.length) {
    const t = stack.pop()!;
    if (nodes.has(t.sourceLayer)) continue;
    const node = t.sourceLayer.inboundNodes[t.nodeIndex]!;
    nodes.set(t.sourceLayer, node);
    stack.push(...node.inputTensors);
  }
  const isInput = (l: Layer) => l.getClassName() === 'InputLayer';
  const order = net.layers.filter((l) => nodes.has(l));
  const frozen = new Set(order.filter((l) => isInput(l) || !l.trainable));
  for (const l of frozen)
    for (const t of nodes.get(l)!.inputTensors)
      if (!frozen.has(t.sourceLayer))
        throw new BackboneError(
          `The frozen layer "${l.name}" of "${net.name}" takes the output of the trainable layer "${t.sourceLayer.name}": freeze every layer before the first trainable one.`,
        );
  if (frozen.has(net.outputs[0]!.sourceLayer)) throw new BackboneError(`Every layer of "${net.name}" is frozen: there is nothing to train.`);
  // Tensors made by frozen layers and read by trainable ones, in the order they are first read.
  const boundary: tf.SymbolicTensor[] = [];
  for (const l of order)
    if (!frozen.has(l)) for (const t of nodes.get(l)!.inputTensors) if (frozen.has(t.sourceLayer) && !boundary.includes(t)) boundary.push(t);
  if (boundary.length === 1 && isInput(boundary[0]!.sourceLayer))
    throw new BackboneError(`Nothing of "${net.name}" is frozen (trainFrom 'all'): there is no frozen part to cache.`);

  const frozenModel = tf.model({ inputs: net.inputs, outputs: boundary, name: `${net.name}_frozen` });
  const inputs = boundary.map((t, i) => tf.input({ shape: t.shape.slice(1), name: `${net.name}_cached${i}_${t.sourceLayer.name}` }));
  const tensors = new Map<tf.SymbolicTensor, tf.SymbolicTensor>(boundary.map((t, i) => [t, inputs[i]!]));
  for (const l of order) {
    if (frozen.has(l)) continue;
    const node = nodes.get(l)!;
    const ins = node.inputTensors.map((t) => tensors.get(t)!);
    const out = l.apply(ins.length === 1 ? ins[0]! : ins) as tf.SymbolicTensor | tf.SymbolicTensor[];
    const outs = Array.isArray(out) ? out : [out];
    node.outputTensors.forEach((t, i) => tensors.set(t, outs[i]!));
  }
  const trainable = tf.model({ inputs, outputs: tensors.get(net.outputs[0]!)!, name: `${net.name}_trainable` });
  let disposed = false;
  return {
    frozen: frozenModel,
    trainable,
    boundary: boundary.map((t) => ({ layer: t.sourceLayer.name, shape: t.shape.slice() })),
    dispose() {
      if (disposed) return;
      disposed = true;
      trainable.dispose();
    },
  };
}
