/**
 * What the experiment panel offers for a pretrained model, from its layer list (the worker's
 * inspection; the page never loads tfjs): cut choices, where training can start, and what in
 * the config does not fit the model.
 */
import type { InputMode } from '../../core/data/inputMode';
import { MOBILENETV2_LAYERS, MODEL_INFO } from '../../core/models/info';
import type { ModelName } from '../../core/models/types';
import { cachePlan, type BackboneConfig, type TrainConfig } from '../../core/train/config';
import type { BackboneInspection } from '../../worker/protocol';

type Layer = BackboneInspection['layers'][number];

/** The size a pretrained model is suggested at: its own fixed input size, else 224×224 (MobileNetV2's). */
export function nativeSize(model: ModelName, inspection: BackboneInspection | null): [number, number] {
  const [, h, w] = inspection?.inputShape ?? [];
  if (model === 'backbone' && h && w) return [h, w];
  return MOBILENETV2_LAYERS.nativeSize;
}

/** The config's cuts, or the proposed one when it names none. */
export function cutsOf(b: BackboneConfig | undefined, inspection: BackboneInspection | null, model: ModelName): string[] {
  if (b?.cuts?.length) return b.cuts;
  if (inspection) return [inspection.proposedCut];
  return model === 'mobilenetv2' ? [MOBILENETV2_LAYERS.defaultCut] : [];
}

export type CutChoice = 'proposed' | 'mlsp' | 'custom';

export function cutChoiceOf(model: ModelName, cuts: string[] | undefined): CutChoice {
  if (!cuts?.length) return 'proposed';
  if (model === 'mobilenetv2' && sameList(cuts, MOBILENETV2_LAYERS.mlspCuts)) return 'mlsp';
  if (model === 'mobilenetv2' && sameList(cuts, [MOBILENETV2_LAYERS.defaultCut])) return 'proposed';
  return 'custom';
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The layers the cut body holds: those up to the last cut, in the model's order (the input layer left out). */
export function bodyLayers(inspection: BackboneInspection, cuts: string[]): Layer[] {
  const last = Math.max(...cuts.map((c) => inspection.layers.findIndex((l) => l.name === c)));
  return inspection.layers.slice(0, last + 1).filter((l) => l.className !== 'InputLayer');
}

/** The "Train from" options: head, all, the model's suggested block starts inside the body, then every body layer. */
export function trainFromOptions(
  model: ModelName,
  inspection: BackboneInspection | null,
  cuts: string[],
  current: string,
): { suggested: [string, string][]; layers: [string, string][] } {
  const body = inspection && cuts.length ? bodyLayers(inspection, cuts) : null;
  const inBody = (name: string) => !body || body.some((l) => l.name === name);
  const suggested: [string, string][] = [
    ['head', 'head only (body frozen)'],
    ['all', 'all layers (fine-tune everything, as the seed code)'],
  ];
  if (model === 'mobilenetv2')
    for (const [name, words] of MOBILENETV2_LAYERS.trainFromPoints) if (inBody(name)) suggested.push([name, `${name}: ${words}`]);
  const taken = new Set(suggested.map(([v]) => v));
  const layers: [string, string][] = (body ?? []).filter((l) => !taken.has(l.name)).map((l) => [l.name, `${l.name} (${l.className} ${shapeText(l.outputShape)})`]);
  // A value from a link or a loaded config that the list does not hold yet stays selectable.
  if (!taken.has(current) && !layers.some(([v]) => v === current)) layers.unshift([current, current]);
  return { suggested, layers };
}

export function shapeText(shape: Layer['outputShape']): string {
  if (Array.isArray(shape[0])) return (shape as (number | null)[][]).map(shapeText).join(' and ');
  return `${(shape as (number | null)[]).slice(1).map((d) => d ?? '?').join('×')}`;
}

/** What in the backbone settings does not fit the model's layers, in words (empty when all fits). */
export function backboneProblems(b: BackboneConfig | undefined, inspection: BackboneInspection, model: ModelName): string[] {
  const p: string[] = [];
  const cuts = cutsOf(b, inspection, model);
  const byName = new Map(inspection.layers.map((l) => [l.name, l]));
  for (const c of cuts) {
    const l = byName.get(c);
    if (!l) p.push(`${inspection.name} has no layer "${c}" to cut at: tick a layer in the layer list, or choose the proposed cut (${inspection.proposedCut}).`);
    else if (!l.usableAsCut)
      p.push(`The layer "${c}" outputs ${shapeText(l.outputShape)}, not one 4-D feature map: cut at a convolutional layer instead, e.g. ${inspection.proposedCut}.`);
  }
  const from = b?.trainFrom ?? 'all';
  if (p.length === 0 && from !== 'head' && from !== 'all' && !bodyLayers(inspection, cuts).some((l) => l.name === from))
    p.push(
      byName.has(from)
        ? `Train from "${from}": that layer comes after the last cut (${cuts.at(-1)}), so the cut body does not hold it: choose a layer before the cut, or head or all.`
        : `Train from "${from}": ${inspection.name} has no such layer: choose head, all or a layer of the list.`,
    );
  return p;
}

/** The backbone settings kept when another model of the same kind is loaded: cuts and trainFrom that it lacks go back to the defaults. */
export function fitBackbone(b: BackboneConfig | undefined, inspection: BackboneInspection, model: ModelName): BackboneConfig {
  const names = new Set(inspection.layers.map((l) => l.name));
  const cuts = b?.cuts?.every((c) => names.has(c)) ? b.cuts : undefined;
  const from = b?.trainFrom ?? 'head';
  const next: BackboneConfig = { ...b, trainFrom: from === 'head' || from === 'all' || names.has(from) ? from : 'head' };
  if (cuts) next.cuts = cuts;
  else delete next.cuts;
  if (model === 'backbone') next.name = inspection.name;
  return next;
}

/** A from-scratch default input: the kind of input a user has not chosen, which a pretrained model may replace with its native size. */
export function sameInput(a: InputMode, b: InputMode): boolean {
  return a.kind === b.kind && a.width === b.width && a.height === b.height && (a.kind !== 'crop' || (b.kind === 'crop' && a.size === b.size));
}

/** The body whose layer list a pretrained config's memory budget reads (the built-in one or the user's, once inspected); null for a from-scratch net or one not read yet. */
export function budgetBody(c: Pick<TrainConfig, 'model'>, s: { builtin: BackboneInspection | null; user: { inspection: BackboneInspection } | null }): BackboneInspection | null {
  if (!MODEL_INFO[c.model].pretrained) return null;
  return c.model === 'backbone' ? (s.user?.inspection ?? null) : s.builtin;
}

/** Why a pretrained config cannot start yet, in words (null: it can; the worker checks again). */
export function backboneBlock(c: Pick<TrainConfig, 'model' | 'backbone'>, s: { builtin: BackboneInspection | null; user: { inspection: BackboneInspection } | null }): string | null {
  if (!MODEL_INFO[c.model].pretrained) return null;
  const inspection = c.model === 'backbone' ? s.user?.inspection : s.builtin;
  if (c.model === 'backbone' && !inspection) return 'Pick your backbone’s model.json and weight files, or give its URL';
  const p = inspection ? backboneProblems(c.backbone, inspection, c.model) : [];
  return p.length ? `Fix the backbone settings first: ${p[0]}` : null;
}

/**
 * cachePlan, made exact with the layer list: MLSP levels before the first trainable layer are
 * cached too, as their pooled mean and SD, beside the map the first trainable layer reads.
 */
export function cacheLine(c: Pick<TrainConfig, 'model' | 'backbone' | 'input'>, inspection: BackboneInspection | null): { cache: boolean; why: string } {
  const plan = cachePlan(c);
  const from = c.backbone?.trainFrom ?? 'all';
  if (!plan.cache || !inspection || from === 'head') return plan;
  const cuts = cutsOf(c.backbone, inspection, c.model);
  const at = (name: string) => inspection.layers.findIndex((l) => l.name === name);
  const before = cuts.length > 1 ? cuts.filter((cut) => at(cut) < at(from)) : [];
  if (!before.length) return plan;
  const one = before.length === 1;
  return {
    cache: true,
    why: `the body up to "${from}" is frozen: its output, and the MLSP level${one ? '' : 's'} ${before.join(', ')} below it pooled to mean and SD, ${one ? 'is' : 'are'} computed once per image and mirror, and each step runs only the rest`,
  };
}
