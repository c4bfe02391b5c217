/**
 * "Outgrow the browser": the exact experiment as a PyTorch project folder. Pure functions
 * (no DOM, no tfjs): the config, the split(s) as image names, the scores and optionally the
 * studio's initial weights in, the project's files out.
 */
import Papa from 'papaparse';
import { formatInputMode } from '../../data/inputMode';
import { configProblems, type TrainConfig } from '../../train/config';
import type { ExportFile } from './files';
import { TRAIN_PY } from './trainPy.generated';
import { backboneFiles, weightFiles, withoutBackbone, type InitialWeights, type NetTensor } from './weights';

export type { ExportFile } from './files';
export type { InitialWeights, NetTensor } from './weights';
export { backboneTensors, initialWeightsOf, netTensors } from './weights';

/** The models train.py builds. */
export const PYTORCH_MODELS = ['tiny', 'cnniqa', 'resnet18', 'mobilenetv2'] as const;
/** Those whose body starts from pretrained weights, which go along as backbone/<model>.json + .bin. */
const PRETRAINED_MODELS: readonly string[] = ['mobilenetv2'];

/** A pretrained model's body as the export needs it. */
export interface PytorchBackbone {
  /** The weights of the base network's feature layers (its layer names, TF.js layout) as TF.js loaded them (backboneTensors). */
  tensors: NetTensor[];
  /** The base network's layer names in its order, up to its last feature map: what cuts and trainFrom may name; the last is the default cut. */
  layers: string[];
  /** Where the weights come from and what pixels they take, in words, for the README and the weight file. */
  source: string;
  /** The weights' licence, written as backbone/LICENSE. */
  license?: string;
}

/** One repeat of the experiment: its training seed and its split as image names (the studio's paths). */
export interface PytorchRepeat {
  /** Seed of the initialisation, batch order, crops and flips. */
  seed: number;
  /** The seed the split was drawn with, for the record. */
  splitSeed?: number;
  /** In the studio's order (ascending store index): the seeded shuffle of each epoch permutes this list. */
  train: readonly string[];
  /** May be empty: then only the test set is scored. */
  val?: readonly string[];
  test: readonly string[];
}

export interface PytorchExportInput {
  config: TrainConfig;
  repeats: readonly PytorchRepeat[];
  /** MOS per image name, oriented higher-is-better as the studio stores it. */
  scores: ReadonlyMap<string, number>;
  /** Also train the control cohort: the DML cohort with λ = 0 (same seeds, flips and inits). */
  control?: boolean;
  /** The studio's initial networks, one entry per training seed; seeds without one start from PyTorch's draws. */
  initialWeights?: readonly InitialWeights[];
  /** Where the data came from, for the README. */
  source?: { scores?: string; proxyScores?: boolean };
  /** A pretrained model's body weights (needed for mobilenetv2). */
  backbone?: PytorchBackbone;
}

export class PytorchExportError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'PytorchExportError';
  }
}

/** Every reason the experiment cannot be exported, in words; empty when it can. */
export function pytorchExportProblems(input: PytorchExportInput): string[] {
  const { config, repeats, scores } = input;
  const p = configProblems(config);
  if (!(PYTORCH_MODELS as readonly string[]).includes(config.model))
    p.push(`The model "${config.model}" is not in the PyTorch export yet: it covers ${PYTORCH_MODELS.join(', ')}.`);
  if (PRETRAINED_MODELS.includes(config.model)) p.push(...backboneProblems(config, input.backbone));
  if (!repeats.length) p.push('There is no split to export.');
  repeats.forEach((r, i) => {
    const at = repeats.length > 1 ? ` in repeat ${i + 1}` : '';
    if (!Number.isInteger(r.seed)) p.push(`The seed${at} must be a whole number (got ${r.seed}).`);
    if (r.train.length < 2) p.push(`The training set${at} has ${r.train.length} image(s): at least 2 are needed.`);
    if (!r.test.length) p.push(`The test set${at} is empty.`);
    const side = new Map<string, string>();
    for (const [label, names] of [['train', r.train], ['val', r.val ?? []], ['test', r.test]] as const)
      for (const n of names) {
        const seen = side.get(n);
        if (seen) p.push(`"${n}" is listed twice${at} (${seen} and ${label}).`);
        else side.set(n, label);
        if (!Number.isFinite(scores.get(n))) p.push(`"${n}"${at} has no score.`);
      }
  });
  for (const w of input.initialWeights ?? []) {
    const need = config.mode === 'baseline' ? 1 : config.peers;
    if (w.peers.length < need) p.push(`The initial weights of seed ${w.seed} hold ${w.peers.length} network(s); ${need} are needed.`);
    if (!repeats.some((r) => r.seed === w.seed)) p.push(`Initial weights are given for seed ${w.seed}, which no repeat uses.`);
  }
  return p.slice(0, 20);
}

/** What is wrong with a pretrained model's body: its weights missing, or cuts or trainFrom naming no layer of it (as the studio words it). */
function backboneProblems(config: TrainConfig, backbone: PytorchBackbone | undefined): string[] {
  if (!backbone) return [`The ${config.model} model starts from pretrained weights, and none are given to export with it.`];
  const { layers } = backbone;
  const span = `from ${layers[0]} to ${layers[layers.length - 1]}`;
  const cuts = config.backbone?.cuts ?? [layers[layers.length - 1]!];
  const p: string[] = [];
  if (!cuts.length) p.push(`No cut layer is given: name at least one, e.g. ${layers[layers.length - 1]}.`);
  for (const c of cuts) if (!layers.includes(c)) p.push(`The ${config.model} body has no layer "${c}" to cut at: name one ${span}.`);
  const from = config.backbone?.trainFrom ?? 'all';
  if (from !== 'all' && from !== 'head') {
    const at = layers.indexOf(from);
    if (at < 0) p.push(`trainFrom "${from}" is not a layer of the ${config.model} body: name one ${span}, or 'head' (train the head only) or 'all'.`);
    else if (cuts.every((c) => layers.indexOf(c) < at))
      p.push(`trainFrom "${from}" comes after the cuts ${cuts.join(', ')}: name a layer before them, or 'head' or 'all'.`);
  }
  return p;
}

/** The config as train.py reads it: a pretrained model's cuts and trainFrom written out, defaults included. */
function exportedConfig(config: TrainConfig, backbone: PytorchBackbone | undefined): TrainConfig {
  if (!PRETRAINED_MODELS.includes(config.model) || !backbone) return config;
  const b = config.backbone;
  return { ...config, backbone: { ...b, trainFrom: b?.trainFrom ?? 'all', cuts: b?.cuts ?? [backbone.layers[backbone.layers.length - 1]!] } };
}

/** The project folder's files. Throws PytorchExportError with every problem when it cannot be exported. */
export function exportPytorchProject(input: PytorchExportInput): ExportFile[] {
  const problems = pytorchExportProblems(input);
  if (problems.length) throw new PytorchExportError(problems);
  const { repeats } = input;
  const config = exportedConfig(input.config, input.backbone);
  const pretrained = PRETRAINED_MODELS.includes(config.model) ? input.backbone : undefined;
  const control = Boolean(input.control) && config.mode !== 'baseline';
  const names = [...new Set(repeats.flatMap((r) => [...r.train, ...(r.val ?? []), ...r.test]))].sort();
  const json = (v: unknown) => `${JSON.stringify(v, null, 1)}\n`;
  const files: ExportFile[] = [
    { path: 'train.py', contents: TRAIN_PY },
    {
      path: 'config.json',
      contents: json({
        config,
        control,
        repeats: repeats.map((r) => ({ seed: r.seed, ...(r.splitSeed === undefined ? {} : { splitSeed: r.splitSeed }) })),
      }),
    },
    {
      path: 'split.json',
      contents: json({
        note: 'Image names as the studio read them. The train lists keep the studio order: each epoch shuffles it with the seeded stream.',
        repeats: repeats.map((r) => ({ seed: r.seed, train: r.train, val: r.val ?? [], test: r.test })),
      }),
    },
    { path: 'scores.csv', contents: `${Papa.unparse({ fields: ['image', 'mos'], data: names.map((n) => [n, input.scores.get(n)!]) }, { newline: '\n' })}\n` },
    ...(input.initialWeights ?? []).flatMap((w) => weightFiles(pretrained ? withoutBackbone(w, pretrained.tensors) : w)),
    ...(pretrained ? backboneFiles(config.model, pretrained.tensors, pretrained.source) : []),
    ...(pretrained?.license ? [{ path: 'backbone/LICENSE', contents: pretrained.license }] : []),
    { path: 'requirements.txt', contents: REQUIREMENTS },
    { path: 'README.md', contents: readme({ ...input, config }, control, names.length) },
  ];
  return files;
}

/**
 * What train.py was tested with: Debian 12's python3-torch 1.13.0a0, python3-numpy 1.24.2,
 * python3-pil 9.4.0, Python 3.11. pip has no 1.13.0a0; 1.13.1 is the release of that line.
 */
const REQUIREMENTS = `# Tested with Debian 12's python3-torch 1.13.0a0, python3-numpy 1.24.2, python3-pil 9.4.0 (Python 3.11).
# PyPI's torch 1.13.1 is that release line (wheels for Python 3.7-3.10); train.py also runs on torch 2.x.
torch==1.13.1
numpy==1.24.2
Pillow==9.4.0
`;

function readme(input: PytorchExportInput, control: boolean, images: number): string {
  const c = input.config;
  const runs = [...(c.mode === 'dml' ? [] : ['the baseline (peer A alone)']), ...(c.mode === 'baseline' ? [] : [`the DML cohort of ${c.peers} peers (λ ${c.lambda})`])];
  if (control) runs.push('the control cohort (the same peers with λ = 0)');
  const seeds = new Set((input.initialWeights ?? []).map((w) => w.seed));
  const allWeights = input.repeats.every((r) => seeds.has(r.seed));
  const pretrained = PRETRAINED_MODELS.includes(c.model) ? input.backbone : undefined;
  return `# DML-IQA experiment, exported from DML-IQA Studio

One PyTorch file, \`train.py\`, that runs this experiment as the studio does:

- ${runs.join('; ')}
- model ${c.model}${c.model === 'resnet18' ? ` (width ${c.width ?? 0.25})` : ''}${pretrained ? ` (${pretrainedSummary(c)})` : ''}, input ${formatInputMode(c.input)}, ${c.epochs} epochs, batch ${c.batchSize}, Adam lr ${c.lr}${c.decayEvery ? ` ×${c.decayFactor} every ${c.decayEvery} epochs` : ''}${c.flipAugment ? ', random horizontal flips' : ''}
- seed${input.repeats.length > 1 ? 's' : ''} ${[...new Set(input.repeats.map((r) => r.seed))].join(', ')}; ${input.repeats.length} repeat${input.repeats.length > 1 ? 's' : ''} over ${images} images${input.source?.proxyScores ? '\n\n**The scores are a formula (a proxy), not human opinions.**' : ''}

## Run it

\`\`\`sh
pip install -r requirements.txt        # or Debian/Ubuntu: apt-get install python3-torch python3-numpy python3-pil
python train.py --images /path/to/images                         # one process: the CPU, or one GPU
torchrun --nproc_per_node=4 train.py --images /path/to/images    # 4 processes (DistributedDataParallel)
\`\`\`

On Python 3.11 with torch 1.13 (Debian 12's packages) torchrun stops at start with
\`'NoneType' object has no attribute 'get'\` (a bug of torch before 2.0): add \`--redirects 1 --tee 1\`
after \`torchrun\`.

\`--images\` is the folder that holds the images named in \`split.json\`; names are matched as the
studio matches them (relative path, else base name, ignoring case). Missing images are listed and
nothing is trained. \`results.json\` (\`--out\` to change) has the studio's format: import it in the
studio's runs list to compare it with runs trained there. \`python train.py --help\` lists the options.

## Files

| file | what |
|---|---|
| \`train.py\` | data, models, the method, metrics, the training loop: read it top to bottom |
| \`config.json\` | the studio's experiment config, the control flag and each repeat's seeds |
| \`split.json\` | per repeat, the train / val / test image names |
| \`scores.csv\` | the MOS of every image (higher is better, as the studio stores it) |
| \`weights/\` | ${seeds.size ? `the studio's initial networks${allWeights ? '' : ' (for some seeds; the others start from PyTorch draws)'}, so both start from the same weights${pretrained ? ' (the heads; the bodies start from \`backbone/\`)' : ''}` : `absent: every network${pretrained ? '\'s head' : ''} starts from PyTorch draws of the studio's initialisers`} |
${pretrained ? `| \`backbone/\` | the pretrained body's weights (\`${c.model}.json\` + \`.bin\`, float32 in TF.js layout, by Keras layer name)${pretrained.license ? ' and their licence' : ''} |\n` : ''}
${pretrained ? pretrainedSection(c, pretrained) : ''}## How close to the studio

Same: split, batch order, crops and flips (the studio's seeded random streams, ported), models
(TF's 'same' padding, BatchNorm ε 1e-3 and momentum 0.9 with the biased moving variance${pretrained ? '; the pretrained body keeps its Keras BatchNorm momentum 0.999' : ''}),
${seeds.size ? 'initial weights (from \`weights/\`), ' : 'initialisers (PyTorch draws the numbers), '}losses, Adam, step decay, evaluation views and metrics.
Different: images are resized with Pillow's Lanczos rather than the studio's decoder (identical
when the images already have the stored size), and float32 arithmetic differs in the last bits. One
step agrees to about 1e-6; then runs drift apart: slowly for tiny (on the demo set the first epoch's
metrics agree to 3 decimals), faster for deeper nets, where a ReLU input within rounding of zero, or a
gradient below float32's resolution (Adam's first steps turn it into a full ±lr step), sends the two
down different paths. Compare runs over seeds, not digit by digit. With N processes each takes a share of every batch; BatchNorm uses the
whole batch's statistics, so N processes train what one does.
`;
}

function pretrainedSummary(c: TrainConfig): string {
  const cuts = c.backbone?.cuts ?? [];
  const from = c.backbone?.trainFrom ?? 'all';
  const trains = from === 'all' ? 'all of it trains' : from === 'head' ? 'the body frozen, the head trains' : `trains from ${from} on, the layers before it frozen`;
  return `pretrained body cut at ${cuts.join(' + ')}, ${cuts.length > 1 ? 'mean and SD pooled per level (MLSP)' : 'global average pooling'}, Dense 512 → Dense 256 → BN → Dense 1; ${trains}`;
}

function pretrainedSection(c: TrainConfig, b: PytorchBackbone): string {
  return `## The pretrained body

${b.source}

train.py builds Keras's MobileNetV2 layer for layer (its ZeroPadding2D before each stride-2 conv,
ReLU6, BatchNorm ε 1e-3 and momentum 0.999) up to the cut${(c.backbone?.cuts?.length ?? 1) > 1 ? 's' : ''}, and loads \`backbone/${c.model}.json\`:
the weights as TF.js dequantises nsfwjs's uint8 file (q × scale + min, per tensor), in float32.
Pixels go in as x/255, without mean/std normalisation, as the network was trained. Layers
before \`trainFrom\` are frozen: no gradient, and their BatchNorm uses its moving statistics
even in training. Every peer starts from the same body; the heads differ (He or Xavier).
One step with the body frozen agrees with the studio's to about 1e-5 of each gradient; with the
body training, only as closely as float32 allows through its 52 BatchNorm layers over a small
batch: about 1e-3, as far as PyTorch's own float32 step is from its float64 one.

`;
}
