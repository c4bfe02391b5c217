/**
 * The whole experiment as one plain JSON object: the training config, the backend, and any
 * column-mapping choices the user made for the score file. The same JSON and the same data
 * reproduce the same run; it travels as a file, on the clipboard, or in the URL hash.
 */
import type { ScoreFileLayout } from '../../core/data/scoreFile';
import type { InputMode } from '../../core/data/inputMode';
import { MODEL_INFO, isModelName } from '../../core/models/info';
import { QUICK_DEMO, type TrainConfig } from '../../core/train/config';
import type { BackendChoice } from '../../worker/protocol';

/** The user's column-mapping choices, JSON-safe: null means "this file has none". */
export interface ColumnChoices {
  delimiter?: string;
  hasHeader?: boolean;
  imageColumn?: number;
  scoreColumn?: number;
  refColumn?: number | null;
  splitColumn?: number | null;
  higherIsBetter?: boolean;
}

export interface StudioConfig extends TrainConfig {
  backend: BackendChoice;
  /** Only what the user changed from the detected layout. */
  columns?: ColumnChoices;
}

export const BACKENDS: BackendChoice[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];

export const DEFAULT_CONFIG: StudioConfig = { ...QUICK_DEMO, backend: 'auto' };

export function columnsToOverrides(c: ColumnChoices | undefined): Partial<ScoreFileLayout> {
  const o: Partial<ScoreFileLayout> = {};
  if (!c) return o;
  if (c.delimiter !== undefined) o.delimiter = c.delimiter;
  if (c.hasHeader !== undefined) o.hasHeader = c.hasHeader;
  if (c.imageColumn !== undefined) o.imageColumn = c.imageColumn;
  if (c.scoreColumn !== undefined) o.scoreColumn = c.scoreColumn;
  // parseScoreFile reads "key present with undefined" as "none".
  if (c.refColumn !== undefined) o.refColumn = c.refColumn ?? undefined;
  if (c.splitColumn !== undefined) o.splitColumn = c.splitColumn ?? undefined;
  if (c.higherIsBetter !== undefined) o.higherIsBetter = c.higherIsBetter;
  return o;
}

// ---- reading a config someone else wrote ----

export interface ParsedConfig {
  config: StudioConfig | null;
  /** Why it cannot be used. */
  problems: string[];
  /** Things worth knowing that did not stop it (missing fields filled in, unknown fields ignored). */
  notes: string[];
}

type Check = (v: unknown) => string | null;
const num: Check = (v) => (typeof v === 'number' && Number.isFinite(v) ? null : 'a number');
const bool: Check = (v) => (typeof v === 'boolean' ? null : 'true or false');
const oneOf =
  (...xs: string[]): Check =>
  (v) =>
    typeof v === 'string' && xs.includes(v) ? null : `one of ${xs.map((x) => `"${x}"`).join(', ')}`;

const FIELDS: Record<keyof TrainConfig | 'backend', Check> = {
  mode: oneOf('baseline', 'dml', 'both'),
  model: (v) => (typeof v === 'string' && isModelName(v) ? null : `one of ${Object.keys(MODEL_INFO).map((m) => `"${m}"`).join(', ')}`),
  width: num,
  input: checkInput,
  epochs: num,
  batchSize: num,
  lr: num,
  decayEvery: num,
  decayFactor: num,
  lambda: num,
  peers: num,
  flipAugment: bool,
  split: oneOf('random', 'ref', 'official'),
  testFrac: num,
  seed: num,
  backend: oneOf(...BACKENDS),
};
const OPTIONAL = new Set(['width', 'columns']);

function checkInput(v: unknown): string | null {
  const want = '{"kind": "resize", "width": W, "height": H} or {"kind": "crop", "size": S, "width": W, "height": H}';
  if (typeof v !== 'object' || v === null) return want;
  const m = v as Record<string, unknown>;
  const isNum = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
  if (m.kind === 'resize' && isNum(m.width) && isNum(m.height)) return null;
  if (m.kind === 'crop' && isNum(m.size) && isNum(m.width) && isNum(m.height)) return null;
  return want;
}

function checkColumns(v: unknown): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'an object such as {"scoreColumn": 2}';
  for (const [k, x] of Object.entries(v)) {
    const ok =
      k === 'delimiter' ? typeof x === 'string'
      : k === 'hasHeader' || k === 'higherIsBetter' ? typeof x === 'boolean'
      : k === 'imageColumn' || k === 'scoreColumn' ? Number.isInteger(x) && (x as number) >= 0
      : k === 'refColumn' || k === 'splitColumn' ? x === null || (Number.isInteger(x) && (x as number) >= 0)
      : false;
    if (!ok) return `valid column choices ("${k}" is not)`;
  }
  return null;
}

function pickInput(m: Record<string, number | string>): InputMode {
  return m.kind === 'crop'
    ? { kind: 'crop', size: m.size as number, width: m.width as number, height: m.height as number }
    : { kind: 'resize', width: m.width as number, height: m.height as number };
}

/** Read a config from JSON text or an already-parsed value. Missing fields take the Quick-demo values (and say so). */
export function parseStudioConfig(input: string | unknown): ParsedConfig {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      return { config: null, problems: [`The config is not valid JSON (${(e as Error).message}). Check it was copied whole.`], notes: [] };
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { config: null, problems: ['The config must be a JSON object such as {"mode": "both", "epochs": 12, …}.'], notes: [] };
  const raw = value as Record<string, unknown>;
  const problems: string[] = [];
  const notes: string[] = [];
  const out: Record<string, unknown> = { ...DEFAULT_CONFIG };
  const missing: string[] = [];
  for (const [key, check] of Object.entries(FIELDS)) {
    if (!(key in raw)) {
      if (!OPTIONAL.has(key)) missing.push(key);
      continue;
    }
    const why = check(raw[key]);
    if (why) problems.push(`"${key}" must be ${why} (got ${JSON.stringify(raw[key])}).`);
    else out[key] = key === 'input' ? pickInput(raw[key] as Record<string, number | string>) : raw[key];
  }
  if ('columns' in raw && raw.columns !== undefined) {
    const why = checkColumns(raw.columns);
    if (why) problems.push(`"columns" must be ${why}.`);
    else out.columns = raw.columns;
  }
  const unknown = Object.keys(raw).filter((k) => !(k in FIELDS) && k !== 'columns');
  if (missing.length) notes.push(`Not in the config, Quick-demo values used: ${missing.join(', ')}.`);
  if (unknown.length) notes.push(`Ignored unknown fields: ${unknown.join(', ')}.`);
  if (problems.length) return { config: null, problems, notes };
  return { config: out as unknown as StudioConfig, problems: [], notes };
}

/** Plain JSON with a stable key order (so the same config always gives the same text and link). */
export function configToJson(c: StudioConfig, indent = 2): string {
  const ordered: Record<string, unknown> = {};
  for (const k of Object.keys(FIELDS)) if ((c as unknown as Record<string, unknown>)[k] !== undefined) ordered[k] = (c as unknown as Record<string, unknown>)[k];
  if (c.columns && Object.keys(c.columns).length) ordered.columns = c.columns;
  return JSON.stringify(ordered, null, indent);
}

// ---- the URL hash: #config=<base64url of the JSON> ----

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(s: string): string {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

export function configToHash(c: StudioConfig): string {
  return `#config=${toBase64Url(configToJson(c, 0))}`;
}

/** null when the hash holds no config; otherwise the parse result (which may carry problems). */
export function configFromHash(hash: string): ParsedConfig | null {
  const m = /(?:^#|&)config=([A-Za-z0-9_-]*)/.exec(hash);
  if (!m) return null;
  let text: string;
  try {
    text = fromBase64Url(m[1]!);
  } catch {
    return { config: null, problems: ['The link\'s config could not be decoded: it was probably cut off when copied. Copy the whole link again.'], notes: [] };
  }
  return parseStudioConfig(text);
}
