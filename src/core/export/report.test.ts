import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { evaluateIqa, pairedDifference } from '../metrics';
import { QUICK_DEMO } from '../train/config';
import { pairedSummary, type FinalMetrics } from '../train/history';
import { experimentSummary } from '../train/experiment';
import { resultsFile, resultsJson } from './resultsFile';
import { networkResults, resultsCsv } from './resultsTable';
import { escapeHtml, inlineSvg, runReportHtml, type ReportInput } from './runReport';

const mos = [1, 2, 3, 4, 5, 2.5, 3.5, 1.5, 4.5, 3];
const m = (noise: number) => evaluateIqa(mos.map((y, i) => y + noise * Math.sin(7 * i)), mos);
const final = (noise: number): FinalMetrics => ({
  baseline: m(noise),
  dml: { peers: [m(noise * 1.1), m(noise * 0.9)], ensemble: m(noise * 0.8) },
  selected: {
    baseline: { epoch: 2, valSrcc: 0.7, test: m(noise * 1.2) },
    dml: { ensemble: { epoch: 3, valSrcc: 0.8, test: m(noise * 0.7) }, peers: [{ epoch: 1, valSrcc: 0.6, test: m(noise) }, { epoch: 3, valSrcc: 0.65, test: m(noise) }] },
  },
});

describe('results CSV', () => {
  it('one row per network and basis, the metrics as given, a header, NaN as an empty cell', () => {
    const f = final(1.5);
    f.dml!.peers[1] = { ...f.dml!.peers[1]!, srcc: Number.NaN };
    const csv = resultsCsv({ final: f, lastEpochs: { baseline: 4, dml: 4 } });
    const parsed = Papa.parse<Record<string, string>>(csv.trim(), { header: true });
    expect(parsed.meta.fields).toEqual(['section', 'network', 'basis', 'epoch', 'images', 'srcc', 'plcc', 'krcc', 'rmse', 'plcc_raw', 'val_srcc', 'sd', 'ci95_lo', 'ci95_hi', 'wins', 'repeats']);
    const rows = parsed.data;
    expect(rows.map((r) => `${r.network}|${r.basis}`)).toEqual([
      'Baseline|last epoch',
      'Baseline|validation-chosen epoch',
      'DML peer A|last epoch',
      'DML peer A|validation-chosen epoch',
      'DML peer B|last epoch',
      'DML peer B|validation-chosen epoch',
      'DML ensemble|last epoch',
      'DML ensemble|validation-chosen epoch',
    ]);
    expect(Number(rows[0]!.srcc)).toBe(f.baseline!.srcc);
    expect(Number(rows[0]!.rmse)).toBe(f.baseline!.rmse);
    expect(rows[0]!.epoch).toBe('4');
    expect(Number(rows[1]!.srcc)).toBe(f.selected!.baseline!.test.srcc);
    expect(rows[1]!.epoch).toBe('2');
    expect(Number(rows[1]!.val_srcc)).toBe(0.7);
    expect(rows[4]!.srcc).toBe('');
  });

  it('with repeats: each network’s mean and sd, and each paired difference with its interval', () => {
    const finals = [final(1), final(1.4), final(0.8)];
    const paired = pairedSummary(finals);
    const rows = Papa.parse<Record<string, string>>(resultsCsv({ final: finals[0]!, repeats: { finals, paired } }).trim(), { header: true }).data;
    const pair = rows.find((r) => r.section === 'paired' && r.network === 'DML ensemble − baseline')!;
    const d = pairedDifference(finals.map((f) => f.selected!.dml!.ensemble.test.srcc - f.selected!.baseline!.test.srcc));
    expect(Number(pair.srcc)).toBeCloseTo(d.mean, 12);
    expect(Number(pair.ci95_lo)).toBeCloseTo(d.ci95[0], 12);
    expect(pair.repeats).toBe('3');
    const base = rows.find((r) => r.section === 'repeats' && r.network === 'Baseline')!;
    const v = finals.map((f) => f.selected!.baseline!.test.srcc);
    expect(Number(base.srcc)).toBeCloseTo(v.reduce((a, b) => a + b) / 3, 12);
  });
});

/** `final` with a cross-dataset set: metrics at the last epochs and at the validation-chosen ones. */
const withCross = (noise: number): FinalMetrics => {
  const f = final(noise);
  f.cross = { baseline: m(noise * 2), dml: { peers: [m(noise * 2.1), m(noise * 1.9)], ensemble: m(noise * 1.8) } };
  f.selected!.baseline!.cross = m(noise * 2.2);
  f.selected!.dml!.ensemble.cross = m(noise * 1.7);
  return f;
};

describe('cross-dataset rows', () => {
  it('the CSV has each network on the cross set at its last epoch and, where kept, at its validation-chosen epoch', () => {
    const f = withCross(1.5);
    const rows = Papa.parse<Record<string, string>>(resultsCsv({ final: f, lastEpochs: { baseline: 4, dml: 5 } }).trim(), { header: true }).data;
    const cross = rows.filter((r) => r.section === 'cross');
    expect(cross.map((r) => `${r.network}|${r.basis}|${r.epoch}`)).toEqual([
      'Baseline|last epoch|4',
      'Baseline|validation-chosen epoch|2',
      'DML peer A|last epoch|5',
      'DML peer B|last epoch|5',
      'DML ensemble|last epoch|5',
      'DML ensemble|validation-chosen epoch|3',
    ]);
    expect(Number(cross[0]!.srcc)).toBe(f.cross!.baseline!.srcc);
    expect(Number(cross[1]!.srcc)).toBe(f.selected!.baseline!.cross!.srcc);
    expect(Number(cross[1]!.val_srcc)).toBe(0.7);
    expect(Number(cross[5]!.plcc)).toBe(f.selected!.dml!.ensemble.cross!.plcc);
    expect(rows.filter((r) => r.section === 'network')).toHaveLength(8);
    expect(resultsCsv({ final: final(1.5) })).not.toContain('cross');
  });

  it('the HTML report has a cross-dataset table with the same figures', () => {
    const f = withCross(1);
    const html = report({ final: f });
    expect(html).toContain('<h2>Cross-dataset test</h2>');
    expect(html).toContain(`<th scope="row">Baseline</th><td>${f.cross!.baseline!.srcc.toFixed(3)}</td>`);
    expect(html).toContain(`<td>3: ${f.selected!.dml!.ensemble.cross!.srcc.toFixed(3)}</td>`);
    expect(report()).not.toContain('Cross-dataset test');
  });
});

describe('results.json', () => {
  it('has the command line’s shape: repeats and paired only with more than one repeat', () => {
    const split = { train: ['a'], val: ['b'], test: ['c'], kind: 'random' as const, reason: 'r' };
    const one = resultsFile({ config: QUICK_DEMO, dataset: { images: 'images', scores: 'mos.csv', demo: true, proxyScores: true }, backend: 'wasm', runs: experimentSummary([{ result: { seed: 1, split, history: [], final: final(1) } }]), seconds: 3 });
    expect(Object.keys(one)).toEqual(['config', 'dataset', 'backend', 'split', 'history', 'final', 'seconds', 'problems']);
    const reps = [1, 2].map((seed) => ({ seed, split, history: [], final: final(seed) }));
    const two = resultsFile({ name: 'run', config: QUICK_DEMO, dataset: { images: 'i', scores: 's', demo: false, proxyScores: false }, backend: 'cpu', runs: experimentSummary(reps.map((result) => ({ result }))), seconds: 3 });
    expect(Object.keys(two)).toEqual(['name', 'config', 'dataset', 'backend', 'split', 'history', 'final', 'repeats', 'paired', 'seconds', 'problems']);
    expect(two.paired).toEqual(pairedSummary(reps.map((r) => r.final)));
    const back = JSON.parse(resultsJson({ ...two, final: { baseline: { ...final(1).baseline!, srcc: Number.NaN } } }));
    expect(back.final.baseline.srcc).toBeNull();
  });
});

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10"><defs><clipPath id="c1"><rect width="5" height="5"/></clipPath></defs><g clip-path="url(#c1)"><text>a &lt; b</text></g></svg>';

const report = (over: Partial<ReportInput> = {}): string =>
  runReportHtml({
    runName: 'images · baseline + DML <b>bold</b>',
    generated: '2025-01-01 10:00',
    dataset: { name: '<img src=x onerror=alert(1)>', scoreFile: '"><script>alert(1)</script>.csv', images: 300, proxy: true },
    config: { ...QUICK_DEMO, note: 'see https://example.org' },
    final: final(1),
    lastEpochs: { baseline: 4, dml: 4 },
    errorAnalysis: { caption: 'DML ensemble, epoch 4', byType: { rows: [{ type: '01', n: 15, srcc: 0.5 }, { type: '02', n: 2, srcc: null }], untyped: 0, minImages: 3 }, worst: [{ file: 'I01_<x>.png', prediction: 3, mos: 1, error: 2 }] },
    model: { networks: [{ network: 'Baseline', layers: 20, trainable: 1000, frozen: 50, statistics: 10 }] },
    charts: [{ title: 'Test SRCC per epoch', svg: SVG }],
    ...over,
  });

describe('HTML report', () => {
  it('escapes every text it is given: dataset and score-file names, the run name, config values, file names', () => {
    const html = report();
    expect(html).not.toMatch(/<script|<img|<b>/i);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;.csv');
    expect(html).toContain('images · baseline + DML &lt;b&gt;bold&lt;/b&gt;');
    expect(html).toContain('I01_&lt;x&gt;.png');
    expect(escapeHtml(`a&b<'"`)).toBe('a&amp;b&lt;&#39;&quot;');
  });

  it('opens offline: no script, no stylesheet link, and no http anywhere but in escaped user text', () => {
    const html = report({ config: QUICK_DEMO, dataset: { name: 'images', scoreFile: 'mos.csv', proxy: true } });
    expect(html).not.toMatch(/http/i);
    expect(html).not.toMatch(/<link|<script|src=/i);
    expect(html).toContain('<svg width="10" height="10">');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
  });

  it('holds the results, the proxy statement, the per-type SRCC, the worst images and the model sizes', () => {
    const html = report();
    const f = final(1);
    for (const r of networkResults(f)) expect(html).toContain(`<th scope="row">${r.network}</th><td>${r.last.srcc.toFixed(3)}</td>`);
    expect(html).toContain('scores are a formula');
    expect(html).toContain('— (fewer than 3 images)');
    expect(html).toContain('1,000');
    expect(report({ dataset: { name: 'koniq', scoreFile: 'k.csv', proxy: false } })).not.toContain('scores are a formula');
  });

  it('inlines a chart only when it is drawing and nothing else', () => {
    expect(inlineSvg(SVG)).toBe('<svg width="10" height="10"><defs><clipPath id="c1"><rect width="5" height="5"/></clipPath></defs><g clip-path="url(#c1)"><text>a &lt; b</text></g></svg>');
    for (const bad of [
      '<svg><script>alert(1)</script></svg>',
      '<svg><foreignObject><div/></foreignObject></svg>',
      '<svg><rect onclick="x()"/></svg>',
      '<svg><image href="https://example.org/a.png"/></svg>',
      '<svg><use href="other.svg#a"/></svg>',
      '<svg><rect fill="url(https://example.org/p)"/></svg>',
      '<svg><rect/></svg><img src=x>',
      '<div><svg></svg></div>',
      '<svg><style>@import "x.css";</style></svg>',
    ])
      expect(inlineSvg(bad), bad).toBeNull();
    const html = report({ charts: [{ title: 'bad', svg: '<svg><script>alert(1)</script></svg>' }] });
    expect(html).not.toContain('<script');
    expect(html).toContain('could not be inlined safely');
  });
});
