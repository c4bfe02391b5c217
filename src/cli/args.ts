import { formatInputMode, parseInputMode } from '../core/data/inputMode';
import { isModelName, MODEL_INFO } from '../core/models/info';
import { PRETRAINED_QUICK, QUICK_DEMO, type RunMode, type TrainConfig } from '../core/train/config';
import type { SplitKind } from '../core/splits';
import { parseTrainSizes } from '../core/train/experiment';

export interface CliOptions {
  images?: string;
  scores?: string;
  out: string;
  backend: 'wasm' | 'cpu' | 'webgpu';
  /** The split kind when given; else chosen from the data (official > ref > random). */
  split?: SplitKind;
  config: TrainConfig;
  higherIsBetter?: boolean;
  /** A user's TF.js Layers backbone (model 'backbone'). */
  backbonePath?: string;
  /** The training-size sweep: fractions (≤ 1) of the training side or counts of images. */
  trainSizes?: number[];
  /** A second labelled dataset scored at every evaluation (the cross-dataset test). */
  crossImages?: string;
  crossScores?: string;
  /** --images-on-disk (true) or --images-in-memory (false); unset: on disk when the set is over half the machine's memory. */
  imagesOnDisk?: boolean;
}

export const USAGE = `Usage: npm run train -- [--images DIR --scores FILE] [options]

With no --images/--scores it trains on the built-in demo dataset (public/demo; its scores
are a formula, an MS-SSIM proxy, not human opinions).

  --mode baseline|dml|both   what to train (default ${QUICK_DEMO.mode})
  --model tiny|cnniqa|resnet18|mobilenetv2   (default ${QUICK_DEMO.model}); mobilenetv2 is pretrained (nsfwjs's
                             weights: ImageNet-initialised, then fine-tuned on a 5-class set; input x/255)
  --width W                  resnet18 width multiplier (default 0.25)
  --backbone PATH/model.json your own TF.js Layers CNN as the body (model "backbone")
  --cut LAYER[,LAYER…]       where the body is cut (default: the last layer before pooling); several = MLSP
  --train-from head|LAYER|all   how much of a pretrained net trains (default head: the body frozen, its output
                             cached once per image and mirror, every block's output pooled (MLSP) for mobilenetv2, and the
                             "Pretrained quick" schedule: 192×192, 8 epochs, lr 3e-4 ×0.5 every 3; all = the seed
                             code's full fine-tune from the proposed cut; flags given override each of these)
  --input-scale unit|imagenet   pixels your backbone takes: x/255 or ImageNet mean/std (default imagenet)
  --input resize:WxH|crop:S[@WxH]   (default ${formatInputMode(QUICK_DEMO.input)}; ${formatInputMode(PRETRAINED_QUICK.input)} for pretrained models)
  --epochs N  --batch B  --lr LR  --lambda L  --peers K
  --decay-every N  --decay-factor F   step decay (default ×${QUICK_DEMO.decayFactor} every ${QUICK_DEMO.decayEvery})
  --no-flip                  no random horizontal-flip augmentation
  --split ref|random|official   (default: official if the file has one, else ref if it has a reference column, else random)
  --test-frac F  --seed S
  --val-frac F               share carved from the training side for validation, which alone chooses the
                             reported epoch of each network (default ${QUICK_DEMO.valFrac}; 0 = none)
  --control                  also train the independent pair: the DML cohort with λ = 0 (same seeds, flips,
                             inits), so DML − control shows what mutual learning adds beyond ensembling
  --repeats N                N repeats, each its own seed and split, then mean ± sd per network and every
                             paired difference with its 95% t interval (--splits N is the same)
  --train-sizes S1,S2,…      the training-size sweep: each size (a fraction ≤ 1 of the training side, or a count
                             of images; whole references for a split by reference) on the same validation and test
                             sets, with the repeats at each size; prints DML − baseline and DML − control per size
                             and writes them beside --out as CSV (…-sweep.csv)
  --cross-images DIR --cross-scores FILE   a second labelled dataset (any layout), scored at every evaluation
                             beside the test set (e.g. trained on KonIQ-10k, tested on LIVE Challenge)
  --splits N                 (same as --repeats N) then mean, median and std of
                             SRCC/PLCC over them; results.json's split/history/final are the first split's
                             (with --train-sizes, the last size's first repeat's)
  --lower-is-better | --higher-is-better   override the score orientation guess
  --backend wasm|cpu|webgpu  (default wasm); webgpu (or node-webgpu) runs on a GPU through Dawn, the optional
                             npm package 'webgpu'; without a GPU, on a software adapter (SwiftShader) if one is found
  --images-on-disk | --images-in-memory   keep the decoded images in a temporary file, read through a 512 MB
                             cache, or all in memory (default: on disk when they take over half this machine's memory)
  --out FILE                 results JSON (default results.json)`;

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[]): CliOptions {
  const config: TrainConfig = { ...QUICK_DEMO };
  const o: CliOptions = { out: 'results.json', backend: 'wasm', config };
  let inputGiven = false;
  /** The config fields the flags set: a pretrained model takes the others from its preset. */
  const given = new Set<string>();
  const backbone = () => (config.backbone ??= { trainFrom: 'all' });
  const num = (flag: string, v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new UsageError(`${flag} needs a number (got ${v}).`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const val = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value.`);
      return v;
    };
    switch (flag) {
      case '--images': o.images = val(); break;
      case '--scores': o.scores = val(); break;
      case '--out': o.out = val(); break;
      case '--images-on-disk': o.imagesOnDisk = true; break;
      case '--images-in-memory': o.imagesOnDisk = false; break;
      case '--mode': {
        const m = val();
        if (!['baseline', 'dml', 'both'].includes(m)) throw new UsageError(`--mode must be baseline, dml or both (got ${m}).`);
        given.add('mode');
        config.mode = m as RunMode;
        break;
      }
      case '--model': {
        const m = val();
        if (!isModelName(m) || m === 'backbone') throw new UsageError(`--model must be tiny, cnniqa, resnet18 or mobilenetv2 (got ${m}); for your own network give --backbone PATH/model.json.`);
        given.add('model');
        config.model = m;
        break;
      }
      case '--backbone':
        o.backbonePath = val();
        given.add('model');
        config.model = 'backbone';
        break;
      case '--cut':
        backbone().cuts = val().split(',').map((s) => s.trim()).filter(Boolean);
        break;
      case '--train-from':
        backbone().trainFrom = val();
        break;
      case '--input-scale': {
        const s = val();
        if (s !== 'unit' && s !== 'imagenet') throw new UsageError(`--input-scale must be unit (x/255) or imagenet (mean/std) (got ${s}).`);
        backbone().scaling = s;
        break;
      }
      case '--width':
        given.add('width');
        config.width = num(flag, val());
        break;
      case '--input':
        inputGiven = true;
        try {
          config.input = parseInputMode(val());
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
        break;
      case '--epochs':
        given.add('epochs');
        config.epochs = num(flag, val());
        break;
      case '--batch':
        given.add('batchSize');
        config.batchSize = num(flag, val());
        break;
      case '--lr':
        given.add('lr');
        config.lr = num(flag, val());
        break;
      case '--lambda':
        given.add('lambda');
        config.lambda = num(flag, val());
        break;
      case '--peers':
        given.add('peers');
        config.peers = num(flag, val());
        break;
      case '--decay-every':
        given.add('decayEvery');
        config.decayEvery = num(flag, val());
        break;
      case '--decay-factor':
        given.add('decayFactor');
        config.decayFactor = num(flag, val());
        break;
      case '--no-flip':
        given.add('flipAugment');
        config.flipAugment = false;
        break;
      case '--split': {
        const s = val();
        if (!['ref', 'random', 'official'].includes(s)) throw new UsageError(`--split must be ref, random or official (got ${s}).`);
        o.split = s as SplitKind;
        break;
      }
      case '--test-frac':
        given.add('testFrac');
        config.testFrac = num(flag, val());
        break;
      case '--seed':
        given.add('seed');
        config.seed = num(flag, val());
        break;
      case '--splits':
      case '--repeats':
        given.add('repeats');
        config.repeats = num(flag, val());
        break;
      case '--val-frac':
        given.add('valFrac');
        config.valFrac = num(flag, val());
        break;
      case '--train-sizes': {
        const read = parseTrainSizes(val());
        if ('problem' in read) throw new UsageError(`--train-sizes: ${read.problem}`);
        o.trainSizes = read.sizes;
        break;
      }
      case '--cross-images': o.crossImages = val(); break;
      case '--cross-scores': o.crossScores = val(); break;
      case '--control':
        given.add('control');
        config.control = true;
        break;
      case '--lower-is-better': o.higherIsBetter = false; break;
      case '--higher-is-better': o.higherIsBetter = true; break;
      case '--backend': {
        const b = val();
        if (b !== 'wasm' && b !== 'cpu' && b !== 'webgpu' && b !== 'node-webgpu') throw new UsageError(`--backend must be wasm, cpu or webgpu in Node (got ${b}).`);
        o.backend = b === 'node-webgpu' ? 'webgpu' : b;
        break;
      }
      case '--node-webgpu': o.backend = 'webgpu'; break;
      case '--help':
      case '-h':
        throw new UsageError('');
      default:
        throw new UsageError(`Unknown option ${flag}.`);
    }
  }
  if (MODEL_INFO[config.model].pretrained) {
    // A frozen body (the default) trains on the "Pretrained quick" preset's schedule and MLSP
    // levels; fine-tuning more (--train-from all or a layer) starts from the proposed cut.
    const from = config.backbone?.trainFrom ?? 'head';
    config.backbone = { ...config.backbone, trainFrom: from };
    if (from === 'head' && !config.backbone.cuts && config.model === 'mobilenetv2') config.backbone.cuts = [...PRETRAINED_QUICK.backbone!.cuts!];
    for (const k of ['epochs', 'lr', 'decayEvery', 'decayFactor'] as const) if (!given.has(k)) config[k] = PRETRAINED_QUICK[k];
    if (!inputGiven) config.input = { ...PRETRAINED_QUICK.input };
  } else if (config.backbone) throw new UsageError('--cut, --train-from and --input-scale apply to pretrained models: add --model mobilenetv2 or --backbone PATH/model.json.');
  if (o.backbonePath) config.backbone!.name = o.backbonePath.split(/[\\/]/).pop();
  if (!Number.isInteger(config.repeats) || config.repeats < 1) throw new UsageError(`--repeats must be a whole number ≥ 1 (got ${config.repeats}).`);
  if (Boolean(o.crossImages) !== Boolean(o.crossScores)) throw new UsageError('Give both --cross-images DIR and --cross-scores FILE, or neither.');
  if (Boolean(o.images) !== Boolean(o.scores)) throw new UsageError('Give both --images DIR and --scores FILE, or neither (demo dataset).');
  return o;
}
