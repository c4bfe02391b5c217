/**
 * What one network of a config costs in memory, without tfjs (the page uses it before Start):
 * for the from-scratch nets a table, checked against the built models by footprint.test.ts;
 * for a pretrained body its layer list (the backbone inspection the page already holds).
 */
import type { BudgetInput, NetFootprint } from '../data/memoryBudget';
import { cachePlan, runsOf, type TrainConfig } from '../train/config';
import { MOBILENETV2_LAYERS, MODEL_INFO } from './info';
import type { FeatureLayer } from './pretrained';

/**
 * Bytes a training step takes per input pixel and network (the wasm heap's peak during a
 * step over what was held before, less the weights' part), and the weights, measured on the
 * built models: footprint.test.ts measures them again and fails when they drift. resnet18 at width 0.25: its step scales with the
 * width, its weights with the width squared.
 */
export const SCRATCH_FOOTPRINT = {
  tiny: { stepBytesPerPixel: 280, params: 132_465 },
  cnniqa: { stepBytesPerPixel: 2440, params: 729_801 },
  resnet18: { stepBytesPerPixel: 1080, params: 738_801 },
} as const;

/**
 * A step's bytes per element of every layer's output summed: the backward pass keeps the
 * outputs (4 bytes each) and BatchNorm's and the activations' intermediates and the gradients
 * in flight. Measured on MobileNetV2 by footprint.test.ts.
 */
export const STEP_BYTES_PER_LAYER_OUTPUT = 4 * 4;

/** The built-in MobileNetV2 when its layer list is not at hand: 2.26 M weights, out_relu's 1280 channels. */
export const MOBILENETV2_FOOTPRINT = { stepBytesPerPixel: 7000, params: 2_257_984, channels: 1280 };

/** What the page knows of a pretrained body: its input, its layers (shapes at that input) and weights. */
export interface BodyLayers {
  inputShape: (number | null)[];
  layers: FeatureLayer[];
  params: number;
  /** Where the body is cut when the config names no cut. */
  proposedCut?: string;
}

/** The paper's MobileNet head on F features: Dense 512 → Dense 256 → BN → Dense 1. */
function headParams(features: number): number {
  return features * 512 + 512 + 512 * 256 + 256 + 4 * 256 + 257;
}

const isShape = (s: unknown): s is (number | null)[] => Array.isArray(s) && s.every((d) => d === null || typeof d === 'number');

/** Output elements of a layer per image, all its outputs (null dims unknown: 0). */
function elements(l: FeatureLayer): number {
  const shapes = isShape(l.outputShape) ? [l.outputShape] : (l.outputShape as (number | null)[][]);
  return shapes.reduce((s, shape) => s + shape.slice(1).reduce<number>((p, d) => p * (d ?? 0), 1), 0);
}

function channelsOf(l: FeatureLayer | undefined): number {
  const s = l && isShape(l.outputShape) ? l.outputShape : undefined;
  return (s?.[s.length - 1] as number | undefined) ?? MOBILENETV2_FOOTPRINT.channels;
}

export function modelFootprint(config: Pick<TrainConfig, 'model' | 'width' | 'backbone' | 'input'>, body?: BodyLayers | null): NetFootprint {
  const m = config.model;
  if (m === 'tiny' || m === 'cnniqa') return { ...SCRATCH_FOOTPRINT[m] };
  if (m === 'resnet18') {
    const k = (config.width ?? 0.25) / 0.25;
    return { stepBytesPerPixel: SCRATCH_FOOTPRINT.resnet18.stepBytesPerPixel * k, params: Math.round(SCRATCH_FOOTPRINT.resnet18.params * k * k) };
  }
  const trainFrom = config.backbone?.trainFrom ?? 'all';
  const cuts = config.backbone?.cuts;
  const all = body?.layers ?? [];
  const defaultCut = body?.proposedCut ?? (m === 'mobilenetv2' ? MOBILENETV2_LAYERS.defaultCut : all.at(-1)?.name ?? '');
  const cutNames = cuts?.length ? cuts : [defaultCut];
  // Only the body up to its last cut is built; what a backbone has after it (its own classifier) is not.
  const last = Math.max(...cutNames.map((n) => all.findIndex((l) => l.name === n)));
  const layers = last >= 0 ? all.slice(0, last + 1) : all;
  const h = body?.inputShape[1];
  const w = body?.inputShape[2];
  const known = typeof h === 'number' && typeof w === 'number' && layers.length > 0;
  const byName = new Map(layers.map((l, i) => [l.name, i]));
  const perPixel = (from: number) =>
    known ? (layers.slice(from).reduce((s, l) => s + elements(l), 0) / (h * w)) * STEP_BYTES_PER_LAYER_OUTPUT : MOBILENETV2_FOOTPRINT.stepBytesPerPixel;
  const cutLayers = cutNames.map((n) => layers[byName.get(n) ?? -1]);
  // One cut is average-pooled (C features); several are mean-and-SD pooled (2C each, MLSP).
  const features = cutLayers.length === 1 ? channelsOf(cutLayers[0]) : cutLayers.reduce((s, l) => s + 2 * channelsOf(l), 0);
  const bodyParams = known ? layers.reduce((s, l) => s + l.params, 0) : MOBILENETV2_FOOTPRINT.params;
  const params = bodyParams + headParams(features);
  const fp: NetFootprint = { stepBytesPerPixel: perPixel(0), params };
  if (!cachePlan({ model: m, backbone: config.backbone, input: config.input }).cache) return fp;
  if (trainFrom === 'head') return { ...fp, cachedFloats: features, trainedStepBytesPerPixel: 0, trainedParams: headParams(features) };
  // Cached at a layer: its input map is what crosses (the previous layer's output), and the rest trains.
  const at = byName.get(trainFrom);
  if (at === undefined || !known) return fp;
  const crossing = elements(layers[at - 1] ?? layers[at]!);
  const scale = (config.input.width * config.input.height) / (h * w);
  // MLSP levels below the trained layers are cached as their pooled mean and SD (2C floats each).
  const pooledBelow = cutLayers.length > 1 ? cutNames.filter((n) => (byName.get(n) ?? Infinity) < at).reduce((s, n) => s + 2 * channelsOf(layers[byName.get(n)!]), 0) : 0;
  const trainedParams = layers.slice(at).reduce((s, l) => s + l.params, 0) + headParams(features);
  return { ...fp, cachedFloats: crossing * scale + pooledBelow, trainedStepBytesPerPixel: perPixel(at), trainedParams };
}

/** The budget's input for a config and a dataset: what a step takes, how many networks are held and step together. */
export function budgetInput(config: TrainConfig, count: number, net: NetFootprint, fileBytes?: number): BudgetInput {
  const patch = MODEL_INFO[config.model].patchSize;
  const side = patch ?? (config.input.kind === 'crop' ? config.input.size : undefined);
  const samplePixels = side ? side * side : config.input.width * config.input.height;
  const sizes = runsOf(config).map((r) => (r === 'baseline' ? 1 : config.peers));
  return {
    count,
    width: config.input.width,
    height: config.input.height,
    samplePixels,
    batchSize: config.batchSize,
    networks: sizes.reduce((s, k) => s + k, 0),
    stepping: Math.max(...sizes),
    net,
    fileBytes,
  };
}
