import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../rng';
import { buildModel } from '../models/zoo';
import { splitAtTrainFrom, type PretrainedSplit } from '../models/pretrainedSplit';
import type { HeadInit, ModelOptions } from '../models/types';
import { netInputSize } from '../data/inputMode';
import { MODEL_INFO } from '../models/info';
import type { TrainConfig } from './config';
import type { CohortInput } from './inputs';
import type { RunKind, StepLosses } from './history';

/** Filled in by Cohort.step when asked: per peer, its training-mode predictions on the batch and its gradient's L2 norm. */
export interface StepDetail {
  preds?: number[][];
  gradNorm?: number[];
}

/** What makes one network of a cohort distinct: peers alternate flipped input and head init. */
export interface PeerSpec {
  headInit: HeadInit;
  /** This peer sees the horizontally flipped batch, in training and at test. */
  flipped: boolean;
  /** Index used to derive the head's seed. */
  index: number;
}

/**
 * sg(x): the value of x, with no gradient flowing back through it. TF.js has no
 * stopGradient op; a customGrad whose gradient is zero is exactly one.
 */
export const stopGradient = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
  value: (args[0] as tf.Tensor).clone(),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as (x: tf.Tensor) => tf.Tensor;

export function mse(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.mean(tf.squaredDifference(a, b));
}

/**
 * The DML losses of a cohort, given each peer's predictions on the batch:
 * L_k = MSE(p_k, y) + λ · mean_{j≠k} MSE(p_k, sg(p_j)). With one peer it is the baseline MSE.
 * Returns per peer [supervised, mimicry, total] as a K×3 tensor, and their sum, whose
 * gradient w.r.t. peer k's weights is exactly ∂L_k/∂θ_k because of the stop-gradient.
 */
export function cohortLosses(preds: tf.Tensor[], y: tf.Tensor, lambda: number): { rows: tf.Tensor2D; total: tf.Scalar } {
  const targets = preds.map((p) => stopGradient(p));
  const rows: tf.Tensor1D[] = [];
  let total: tf.Scalar = tf.scalar(0);
  preds.forEach((p, k) => {
    const sup = mse(p, y);
    const others = targets.filter((_, j) => j !== k);
    const mim: tf.Scalar = others.length ? tf.mean(tf.stack(others.map((t) => mse(p, t)))) : tf.scalar(0);
    const lk = tf.add(sup, tf.mul(lambda, mim)) as tf.Scalar;
    rows.push(tf.stack([sup, mim, lk]) as tf.Tensor1D);
    total = tf.add(total, lk);
  });
  return { rows: tf.stack(rows) as tf.Tensor2D, total };
}

/** A bare tensor is a batch of images. */
function asInput(input: CohortInput | tf.Tensor4D): CohortInput {
  return input instanceof tf.Tensor ? { kind: 'images', x: input } : input;
}

/** The batch as a flipped network sees it: mirrored left-right (NHWC, axis 2 is width). */
function flipInput(x: tf.Tensor4D, flipped: boolean): tf.Tensor4D {
  return flipped ? tf.reverse(x, 2) : x;
}

/**
 * One network's predictions in inference mode (BatchNorm uses its moving statistics), one
 * value per image; a flipped network sees flip(x), as it did in training.
 */
export function predictNet(model: tf.LayersModel, flipped: boolean, x: tf.Tensor4D): tf.Tensor1D {
  return tf.tidy(() => tf.reshape(model.apply(flipInput(x, flipped), { training: false }) as tf.Tensor, [-1]) as tf.Tensor1D);
}

/** Peer k of a DML cohort: even peers unflipped with Kaiming heads, odd peers flipped with Xavier heads. */
export function peerSpec(k: number): PeerSpec {
  return { index: k, headInit: k % 2 === 0 ? 'he' : 'xavier', flipped: k % 2 === 1 };
}

export interface CohortArgs {
  model: ModelOptions;
  inputShape: [number, number, number];
  peers: PeerSpec[];
  lambda: number;
  lr: number;
  seed: number;
  /** Distinguishes the baseline's layer names from the DML peers' in one engine. */
  tag: string;
  /**
   * Initial bias of the output unit, e.g. the training set's mean MOS. With Adam at 1e-3 a
   * zero bias needs thousands of steps to climb to a 1–5 or 0–100 scale; starting at the
   * mean lets the early steps go into ranking images instead.
   */
  outputBias?: number;
}

/**
 * K networks trained together (K = 1 is the baseline). One forward per peer, one backward
 * through the summed losses — the stop-gradient makes each peer's gradient that of its own loss —
 * then each peer's own Adam applies its own gradients.
 */
export class Cohort {
  readonly nets: tf.LayersModel[];
  readonly optimizers: tf.AdamOptimizer[];
  /** Per peer, its trainable variables' names, in the order its Adam keeps its moments. */
  private readonly varNames: string[][];
  private readonly trainable: tf.Variable[];
  /** Per peer, its net cut at the frozen body (useFeatures): what trains on cached features. */
  private parts: PretrainedSplit[] | null = null;

  constructor(readonly args: CohortArgs) {
    const bodySeed = deriveSeed(args.seed, 'body');
    this.nets = args.peers.map((p) =>
      buildModel(
        {
          inputShape: args.inputShape,
          headInit: p.headInit,
          bodySeed,
          headSeed: deriveSeed(args.seed, `head-${p.index}`),
          prefix: `${args.tag}${p.index}_`,
        },
        args.model,
      ),
    );
    if (args.outputBias !== undefined) for (const net of this.nets) setOutputBias(net, args.outputBias);
    this.optimizers = args.peers.map(() => tf.train.adam(args.lr, 0.9, 0.999, 1e-8));
    this.trainable = this.nets.flatMap((n) => n.trainableWeights.map((w) => w.read() as tf.Variable));
    this.varNames = this.nets.map((n) => n.trainableWeights.map((w) => (w.read() as tf.Variable).name));
  }

  get size(): number {
    return this.nets.length;
  }

  /** The batch as peer k sees it: flip(x) for flipped peers (for features, the mirror's: one tensor per input of the trainable part). */
  peerInput(k: number, batch: CohortInput | tf.Tensor4D): tf.Tensor | tf.Tensor[] {
    const input = asInput(batch);
    const flipped = this.args.peers[k]!.flipped;
    if (input.kind === 'images') return flipInput(input.x, flipped);
    const features = flipped ? input.mirrored : input.plain;
    return features.length === 1 ? features[0]! : features;
  }

  /** What peer k applies to its input: the whole net to images, the part after the frozen body to features. */
  private peerNet(k: number, input: CohortInput): tf.LayersModel {
    if (input.kind === 'images') return this.nets[k]!;
    if (!this.parts) throw new Error('This cohort was not set up for cached features (useFeatures).');
    return this.parts[k]!.trainable;
  }

  /**
   * Train on the frozen body's cached output from now on: each peer's net is cut where its
   * frozen layers end. Returns peer 0's frozen part (the same function for every peer: the
   * peers start from one pretrained body and it never trains), to fill the cache with.
   */
  useFeatures(): tf.LayersModel {
    this.parts ??= this.nets.map((n) => splitAtTrainFrom(n));
    return this.parts[0]!.frozen;
  }

  setLearningRate(lr: number): void {
    // Adam reads this field on every applyGradients; tfjs types mark it protected.
    for (const o of this.optimizers) (o as unknown as { learningRate: number }).learningRate = lr;
  }

  /**
   * One training step on a batch (images, or cached features); BatchNorm runs in training mode. Returns the losses.
   * With `detail`, also fills in each peer's predictions and gradient norm (read back with the losses, in one transfer).
   */
  async step(input: CohortInput | tf.Tensor4D, y: tf.Tensor1D, detail?: StepDetail): Promise<StepLosses> {
    const x = asInput(input);
    // The loss rows leave the tidy as its result; the gradients are freed when it ends.
    const r = tf.tidy(() => {
      let rows: tf.Tensor2D | undefined;
      let predRows: tf.Tensor2D | undefined;
      const { grads } = tf.variableGrads(() => {
        const preds = this.nets.map((_, k) => tf.reshape(this.peerNet(k, x).apply(this.peerInput(k, x), { training: true }) as tf.Tensor, [-1]));
        const out = cohortLosses(preds, y, this.args.lambda);
        // Kept: variableGrads frees whatever its function makes except the loss it returns.
        rows = tf.keep(out.rows);
        if (detail) predRows = tf.keep(tf.stack(preds) as tf.Tensor2D);
        return out.total;
      }, this.trainable);
      let result: tf.Tensor2D = rows!;
      if (detail) {
        // Per peer: [supervised, mimicry, total, ‖∇θ_k L_k‖, p_k(x_1..x_B)].
        const norms = this.varNames.map((names) => tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n]!))))));
        result = tf.concat([rows!, tf.reshape(tf.stack(norms), [-1, 1]), predRows!], 1);
        // Kept tensors outlive the tidy unless freed here.
        rows!.dispose();
        predRows!.dispose();
      }
      this.optimizers.forEach((opt, k) => {
        const mine: Record<string, tf.Tensor> = {};
        for (const name of this.varNames[k]!) mine[name] = grads[name]!;
        // Adam types its argument as variables but only reads the gradient tensors.
        opt.applyGradients(mine as unknown as Parameters<tf.AdamOptimizer["applyGradients"]>[0]);
      });
      return result;
    });
    let values: number[][];
    try {
      values = (await r.array()) as number[][];
    } finally {
      r.dispose();
    }
    if (detail) {
      detail.gradNorm = values.map((v) => v[3]!);
      detail.preds = values.map((v) => v.slice(4));
    }
    return {
      supervised: values.map((v) => v[0]!),
      mimicry: values.map((v) => v[1]!),
      total: values.map((v) => v[2]!),
    };
  }

  /** Peer k's predictions in inference mode. */
  predict(k: number, input: CohortInput | tf.Tensor4D): tf.Tensor1D {
    const x = asInput(input);
    return tf.tidy(() => tf.reshape(this.peerNet(k, x).apply(this.peerInput(k, x), { training: false }) as tf.Tensor, [-1]) as tf.Tensor1D);
  }

  dispose(): void {
    for (const p of this.parts ?? []) p.dispose();
    for (const n of this.nets) n.dispose();
    for (const o of this.optimizers) o.dispose();
  }
}

function setOutputBias(net: tf.LayersModel, bias: number): void {
  const out = net.layers[net.layers.length - 1]!;
  const b = out.weights.find((w) => w.originalName.endsWith('/bias'))!;
  tf.tidy(() => {
    b.write(tf.fill(b.shape as number[], bias));
  });
}

/**
 * The networks of one run: the baseline is peer 0's spec alone, so λ = 0 DML peer A ≡ baseline;
 * the control is the DML cohort's peers (same seeds, flips and head inits) trained with λ = 0.
 */
export function runPeers(run: RunKind, config: TrainConfig): PeerSpec[] {
  return run === 'baseline' ? [peerSpec(0)] : Array.from({ length: config.peers }, (_, k) => peerSpec(k));
}

/** Distinguishes each run's layer (and variable) names in one engine. */
const RUN_TAGS: Record<RunKind, string> = { baseline: 'base', dml: 'peer', control: 'ctrl' };

/**
 * The networks of one run kind. A pretrained model's body is copied from `backbone` (the loaded
 * base network), cut and frozen as config.backbone says.
 */
export function createCohort(run: RunKind, config: TrainConfig, outputBias?: number, backbone?: tf.LayersModel): Cohort {
  const [h, w] = netInputSize(config.input, MODEL_INFO[config.model].patchSize);
  const pretrained = backbone && { base: backbone, cuts: config.backbone?.cuts, trainFrom: config.backbone?.trainFrom ?? 'all' };
  return new Cohort({
    model: { name: config.model, width: config.width, pretrained },
    inputShape: [h, w, 3],
    peers: runPeers(run, config),
    lambda: run === 'dml' ? config.lambda : 0,
    lr: config.lr,
    seed: config.seed,
    tag: RUN_TAGS[run],
    outputBias,
  });
}

/** Fresh cohorts for `runs`, output bias at `outputBias` (the training MOS mean); all or none. */
export function createRunCohorts(config: TrainConfig, runs: readonly RunKind[], outputBias: number, backbone?: tf.LayersModel): Record<RunKind, Cohort> {
  const cohorts: Partial<Record<RunKind, Cohort>> = {};
  try {
    for (const r of runs) cohorts[r] = createCohort(r, config, outputBias, backbone);
  } catch (err) {
    for (const c of Object.values(cohorts)) c.dispose();
    throw err;
  }
  return cohorts as Record<RunKind, Cohort>;
}
