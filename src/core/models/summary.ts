/**
 * A network's summary, layer by layer: output shape, parameters, whether it trains; and the
 * totals that matter for a pretrained body with a frozen part (trainable, frozen, statistics).
 */
import type * as tf from '@tensorflow/tfjs';
import { listFeatureLayers, pretrainedNetInfo } from './pretrained';

export interface LayerSummary {
  /** The layer's name without the network's prefix (the same in every network of a run). */
  name: string;
  className: string;
  /** [null, H, W, C], [null, units], …: null is the batch; several shapes for a layer with several outputs. */
  outputShape: (number | null)[] | (number | null)[][];
  /** Every weight of the layer, BatchNorm moving statistics included (Keras's count). */
  params: number;
  /** False for a frozen layer: its weights never change in training. */
  trainable: boolean;
}

export interface NetworkSummary {
  /** "Baseline", "DML peer A", … */
  network: string;
  inputShape: (number | null)[];
  layers: LayerSummary[];
  /** Numbers the optimizer updates. */
  trainableParams: number;
  /** Weights of frozen layers (their BatchNorm statistics included). */
  frozenParams: number;
  /** Moving mean and variance of trainable BatchNorm layers: updated by batches, not by gradients. */
  statisticsParams: number;
  totalParams: number;
}

/** What every layer name of `net` starts with, up to an underscore ("peer1_"): the network's prefix in a cohort. */
export function layerPrefix(net: tf.LayersModel): string {
  const names = net.layers.map((l) => l.name);
  let p = names[0] ?? '';
  for (const n of names) while (!n.startsWith(p)) p = p.slice(0, -1);
  return p.slice(0, p.lastIndexOf('_') + 1);
}

/** The summary of `net`; its layer-name prefix (layerPrefix by default) is taken off the layer names. */
export function summarizeNetwork(net: tf.LayersModel, network: string, prefix = layerPrefix(net)): NetworkSummary {
  const strip = (name: string) => (prefix && name.startsWith(prefix) ? name.slice(prefix.length) : name);
  const layers = listFeatureLayers(net, `the network ${network}`).map((l) => ({
    name: strip(l.name),
    className: l.className,
    outputShape: l.outputShape,
    params: l.params,
    trainable: net.getLayer(l.name).trainable,
  }));
  const info = pretrainedNetInfo(net);
  return {
    network,
    inputShape: net.inputs[0]!.shape.slice(),
    layers,
    trainableParams: info.trainableParams,
    frozenParams: info.frozenParams,
    statisticsParams: info.statisticsParams,
    totalParams: info.trainableParams + info.frozenParams + info.statisticsParams,
  };
}
