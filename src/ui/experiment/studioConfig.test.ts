import { describe, expect, it } from 'vitest';
import { configProblems, PAPER } from '../../core/train/config';
import {
  columnsToOverrides,
  configFromHash,
  configToHash,
  configToJson,
  DEFAULT_CONFIG,
  parseStudioConfig,
  type StudioConfig,
} from './studioConfig';

describe('studio config JSON', () => {
  it('round-trips through the URL hash, unicode and column choices included', () => {
    const c: StudioConfig = { ...PAPER, backend: 'wasm', lambda: 0.5, seed: 42, columns: { scoreColumn: 2, refColumn: null, delimiter: ';' } };
    const hash = configToHash(c);
    expect(hash).toMatch(/^#config=[A-Za-z0-9_-]+$/);
    const back = configFromHash(hash);
    expect(back?.problems).toEqual([]);
    expect(back?.config).toEqual(c);
  });

  it('gives the same text for the same config whatever the key order', () => {
    const shuffled = Object.fromEntries(Object.entries(DEFAULT_CONFIG).reverse()) as unknown as StudioConfig;
    expect(configToJson(shuffled)).toBe(configToJson(DEFAULT_CONFIG));
  });

  it('says which fields are wrong, and fills in missing ones with a note', () => {
    const bad = parseStudioConfig('{"mode": "both", "epochs": "ten", "backend": "tpu", "input": {"kind": "resize"}}');
    expect(bad.config).toBeNull();
    expect(bad.problems.join(' ')).toMatch(/"epochs" must be a number/);
    expect(bad.problems.join(' ')).toMatch(/"backend" must be one of/);
    expect(bad.problems.join(' ')).toMatch(/"input" must be/);
    const partial = parseStudioConfig({ epochs: 3, extra: 1 });
    expect(partial.config?.epochs).toBe(3);
    expect(partial.config?.mode).toBe(DEFAULT_CONFIG.mode);
    expect(partial.notes.join(' ')).toMatch(/Quick-demo values used: mode/);
    expect(partial.notes.join(' ')).toMatch(/unknown fields: extra/);
    expect(parseStudioConfig('{nope').problems[0]).toMatch(/not valid JSON/);
  });

  it('reports a cut-off link instead of throwing', () => {
    expect(configFromHash('#other=1')).toBeNull();
    const cut = configFromHash(configToHash(DEFAULT_CONFIG).slice(0, 30));
    expect(cut?.config).toBeNull();
    expect(cut?.problems.length).toBeGreaterThan(0);
  });

  it('maps "none" (null) to a present-but-undefined override', () => {
    const o = columnsToOverrides({ refColumn: null, scoreColumn: 1 });
    expect('refColumn' in o && o.refColumn === undefined).toBe(true);
    expect(o.scoreColumn).toBe(1);
    expect('splitColumn' in o).toBe(false);
  });

  it('flags a crop larger than the stored image', () => {
    const c: StudioConfig = { ...DEFAULT_CONFIG, input: { kind: 'crop', size: 96, width: 64, height: 64 } };
    expect(configProblems(c).join(' ')).toMatch(/crop does not fit/);
    expect(configProblems(DEFAULT_CONFIG)).toEqual([]);
  });
});
