/**
 * The one schema of an experiment's config, checked wherever a config enters: a JSON file, the
 * URL hash, CLI flags, a model zip, a stored run. valibot (not zod): its schemas are plain
 * functions that tree-shake, so the page carries only the few validators used here (a few kB,
 * not zod's tens), and its output types are inferred, so the schema and TrainConfig cannot drift
 * apart unnoticed (the check below fails to compile if they do).
 *
 * The schema checks shape and type; configProblems (config.ts) checks ranges and combinations
 * (epochs ≥ 1, the input size against the model), in words for a form.
 */
import * as v from 'valibot';
import { MODEL_NAMES } from '../models/info';
import type { TrainConfig } from './config';

const finite = (what = 'a number') => v.pipe(v.number(what), v.finite(what));

const INPUT_WORDS = '{"kind": "resize", "width": W, "height": H} or {"kind": "crop", "size": S, "width": W, "height": H}';

export const InputModeSchema = v.variant(
  'kind',
  [
    v.object({ kind: v.literal('resize'), width: finite(INPUT_WORDS), height: finite(INPUT_WORDS) }),
    v.object({ kind: v.literal('crop'), size: finite(INPUT_WORDS), width: finite(INPUT_WORDS), height: finite(INPUT_WORDS) }),
  ],
  INPUT_WORDS,
);

const oneOf = <const T extends readonly string[]>(options: T) => v.picklist(options, `one of ${options.map((o) => `"${o}"`).join(', ')}`);

export const TRAIN_CONFIG_ENTRIES = {
  mode: oneOf(['baseline', 'dml', 'both']),
  model: oneOf(MODEL_NAMES),
  width: v.optional(finite()),
  backbone: v.optional(
    v.object({
      cuts: v.optional(v.array(v.string(), 'a list of layer names')),
      trainFrom: v.string('"head", "all" or a layer name'),
      scaling: v.optional(oneOf(['unit', 'imagenet'])),
      name: v.optional(v.string()),
    }, '{"trainFrom": "head" | "all" | LAYER, "cuts": [LAYER, …], "scaling": "unit" | "imagenet"}'),
  ),
  input: InputModeSchema,
  epochs: finite(),
  batchSize: finite(),
  lr: finite(),
  decayEvery: finite(),
  decayFactor: finite(),
  lambda: finite(),
  peers: finite(),
  flipAugment: v.boolean('true or false'),
  split: oneOf(['random', 'ref', 'official']),
  testFrac: finite(),
  valFrac: finite(),
  control: v.boolean('true or false'),
  repeats: finite(),
  trainSizes: v.optional(v.array(finite(), 'a list of training sizes such as [0.25, 0.5, 1]')),
  seed: finite(),
  heatmapImage: v.optional(finite()),
};

export const TrainConfigSchema = v.object(TRAIN_CONFIG_ENTRIES);

// Compile-time: the schema's output is exactly TrainConfig, field for field.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const schemaMatchesType: Same<v.InferOutput<typeof TrainConfigSchema>, TrainConfig> = true;
void schemaMatchesType;

export interface ConfigRead<T> {
  /** null when it cannot be used. */
  config: T | null;
  /** Why it cannot be used, one sentence per field. */
  problems: string[];
  /** Worth knowing but not in the way: fields filled in from the defaults, unknown fields ignored. */
  notes: string[];
}

/** The words a field's schema carries for what it wants ("a number", "one of …"). */
function wanted(entry: unknown): string | undefined {
  const e = entry as { message?: unknown; pipe?: unknown[]; wrapped?: unknown } | undefined;
  if (typeof e?.message === 'string') return e.message;
  if (e?.pipe) return wanted(e.pipe[0]);
  if (e?.wrapped) return wanted(e.wrapped);
  return undefined;
}

/** One sentence per wrong top-level field, in the field's own words, after `where` (the source) when given. */
function issueWords(issue: v.BaseIssue<unknown>, raw: Record<string, unknown>, entries: v.ObjectEntries, where?: string): string {
  const key = issue.path?.[0]?.key;
  const value = key === undefined ? undefined : raw[String(key)];
  const words = key === undefined ? issue.message : (wanted(entries[String(key)]) ?? issue.message);
  const what = key === undefined ? `${where ?? 'The config'} must be ${words}.` : `"${String(key)}" must be ${words} (got ${value === undefined ? 'nothing' : JSON.stringify(value)}).`;
  return where && key !== undefined ? `${where}: ${what}` : what;
}

/**
 * Read a config against `schema`. With `defaults`, missing fields take their values (said in
 * the notes); without, a missing field is a problem. Unknown fields are dropped, with a note.
 * `where` names the source in each problem (a form that shows its own heading leaves it out).
 */
export function readConfig<TEntries extends v.ObjectEntries>(
  schema: v.ObjectSchema<TEntries, undefined>,
  value: unknown,
  where?: string,
  defaults?: { values: v.InferOutput<v.ObjectSchema<TEntries, undefined>>; name: string },
): ConfigRead<v.InferOutput<v.ObjectSchema<TEntries, undefined>>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { config: null, problems: [`${where ?? 'The config'} must be a JSON object such as {"mode": "both", "epochs": 12, …}.`], notes: [] };
  const raw = value as Record<string, unknown>;
  const keys = Object.keys(schema.entries);
  const notes: string[] = [];
  const given = defaults?.values as Record<string, unknown> | undefined;
  const missing = keys.filter((k) => !(k in raw) && given?.[k] !== undefined);
  const unknown = Object.keys(raw).filter((k) => !keys.includes(k));
  if (missing.length) notes.push(`Not in ${where ?? 'the config'}, ${defaults!.name} values used: ${missing.join(', ')}.`);
  if (unknown.length) notes.push(`Ignored unknown fields: ${unknown.join(', ')}.`);
  const r = v.safeParse(schema, given ? { ...given, ...raw } : raw);
  if (!r.success) return { config: null, problems: [...new Set(r.issues.map((i) => issueWords(i, raw, schema.entries, where)))], notes };
  return { config: r.output, problems: [], notes };
}

/** What a config written before these fields existed meant: no validation set, no control pair, one repeat. */
const ADDED_LATER = { valFrac: 0, control: false, repeats: 1 };

/** A training config from any source (a stored run or zip of an older studio included); throws nothing: problems come back in words. */
export function readTrainConfig(value: unknown, where: string): ConfigRead<TrainConfig> {
  const older = typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...ADDED_LATER, ...value } : value;
  return readConfig(TrainConfigSchema, older, where);
}
