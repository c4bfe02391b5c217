/**
 * The whole experiment as one plain JSON object: the training config, the backend, and any
 * column-mapping choices the user made for the score file. The same JSON and the same data
 * reproduce the same run; it travels as a file, on the clipboard, or in the URL hash.
 */
import type { ScoreFileLayout } from '../../core/data/scoreFile';
import * as v from 'valibot';
import { QUICK_DEMO, type TrainConfig } from '../../core/train/config';
import { readConfig, TRAIN_CONFIG_ENTRIES, type ConfigRead } from '../../core/train/configSchema';
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

export type ParsedConfig = ConfigRead<StudioConfig>;

const column = v.pipe(v.number('a column number'), v.integer('a column number'), v.minValue(0, 'a column number ≥ 0'));
const ColumnsSchema = v.strictObject(
  {
    delimiter: v.optional(v.string()),
    hasHeader: v.optional(v.boolean()),
    imageColumn: v.optional(column),
    scoreColumn: v.optional(column),
    refColumn: v.optional(v.nullable(column)),
    splitColumn: v.optional(v.nullable(column)),
    higherIsBetter: v.optional(v.boolean()),
  },
  'an object of column choices such as {"scoreColumn": 2}',
);

/** The studio's experiment: the training config's schema plus the backend and the column choices. */
const StudioConfigSchema = v.object({
  ...TRAIN_CONFIG_ENTRIES,
  backend: v.picklist(BACKENDS, `one of ${BACKENDS.map((b) => `"${b}"`).join(', ')}`),
  columns: v.optional(ColumnsSchema),
});

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
  return readConfig(StudioConfigSchema, value, undefined, { values: DEFAULT_CONFIG, name: 'Quick-demo' });
}

/** Plain JSON with a stable key order (so the same config always gives the same text and link). */
export function configToJson(c: StudioConfig, indent = 2): string {
  const ordered: Record<string, unknown> = {};
  const fields = c as unknown as Record<string, unknown>;
  for (const k of Object.keys(StudioConfigSchema.entries)) if (k !== 'columns' && fields[k] !== undefined) ordered[k] = fields[k];
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
