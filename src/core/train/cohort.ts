import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../rng';
import { buildModel } from '../models/zoo';
import type { HeadInit, ModelOptions } from '../models/types';
import { cohortLosses } from './losses';

/** What makes one network of a cohort distinct (SPEC §1: peers alternate flip and head init). */
export interface PeerSpec {
  headInit: HeadInit;
  /** This peer sees the horizontally flipped batch, in training and at test. */
  flipped: boolean;
  /** Index used to derive the head's seed. */
  index: number;
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

export interface StepLosses {
  /** Per peer: supervised MSE, mimicry MSE (0 for a lone network), total. */
  supervised: number[];
  mimicry: number[];
  total: number[];
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

  /** The batch as peer k sees it: flip(x) for flipped peers. */
  peerInput(k: number, x: tf.Tensor4D): tf.Tensor4D {
    return flipInput(x, this.args.peers[k]!.flipped);
  }

  setLearningRate(lr: number): void {
    // Adam reads this field on every applyGradients; tfjs types mark it protected.
    for (const o of this.optimizers) (o as unknown as { learningRate: number }).learningRate = lr;
  }

  /** One training step on a batch; BatchNorm runs in training mode. Returns the losses. */
  async step(x: tf.Tensor4D, y: tf.Tensor1D): Promise<StepLosses> {
    // The loss rows leave the tidy as its result; the gradients are freed when it ends.
    const r = tf.tidy(() => {
      let rows: tf.Tensor2D | undefined;
      const { grads } = tf.variableGrads(() => {
        const preds = this.nets.map((net, k) => tf.reshape(net.apply(this.peerInput(k, x), { training: true }) as tf.Tensor, [-1]));
        const out = cohortLosses(preds, y, this.args.lambda);
        // Kept: variableGrads frees whatever its function makes except the loss it returns.
        rows = tf.keep(out.rows);
        return out.total;
      }, this.trainable);
      this.optimizers.forEach((opt, k) => {
        const mine: Record<string, tf.Tensor> = {};
        for (const name of this.varNames[k]!) mine[name] = grads[name]!;
        // Adam types its argument as variables but only reads the gradient tensors.
        opt.applyGradients(mine as unknown as Parameters<tf.AdamOptimizer["applyGradients"]>[0]);
      });
      return rows!;
    });
    let values: number[][];
    try {
      values = (await r.array()) as number[][];
    } finally {
      r.dispose();
    }
    return {
      supervised: values.map((v) => v[0]!),
      mimicry: values.map((v) => v[1]!),
      total: values.map((v) => v[2]!),
    };
  }

  /** Peer k's predictions in inference mode. */
  predict(k: number, x: tf.Tensor4D): tf.Tensor1D {
    return predictNet(this.nets[k]!, this.args.peers[k]!.flipped, x);
  }

  dispose(): void {
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
