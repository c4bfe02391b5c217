/**
 * A one-page HTML report of a run that opens offline: config, dataset (and whether its scores
 * are a formula), the results, the paired differences over repeats, the error analysis, the
 * model summary and the charts inlined as SVG. Pure text in, text out: everything is escaped,
 * nothing is loaded from anywhere (no script, no link, no URL).
 */
import { summarize, type IqaMetrics } from '../metrics';
import type { TypeSrcc } from '../metrics/errorAnalysis';
import type { FinalMetrics, PairedSummary, RunKind } from '../train/history';
import { crossResults, networkResults, pairedRows, repeatSrcc } from './resultsTable';

export interface ReportChart {
  title: string;
  /** An <svg> element as text (a serialised chart). */
  svg: string;
}

export interface ReportErrorAnalysis {
  /** The network and epoch the predictions are from, and which errors (raw, or after the logistic fit). */
  caption: string;
  byType?: { rows: TypeSrcc[]; untyped: number; minImages: number };
  worst: { file: string; prediction: number; mos: number; error: number }[];
}

export interface ReportNetworkSize {
  network: string;
  layers: number;
  trainable: number;
  frozen: number;
  /** BatchNorm moving statistics of trainable layers: updated by batches, not by gradients. */
  statistics: number;
}

export interface ReportInput {
  runName: string;
  /** When the report was made, as text (the caller's clock and format). */
  generated: string;
  dataset: { name: string; scoreFile: string; images?: number; proxy: boolean };
  /** The run's config (any JSON-like object): shown as key/value rows. */
  config: unknown;
  backend?: string;
  split?: { train: number; val: number; test: number; reason?: string };
  status?: string;
  final: FinalMetrics | null;
  lastEpochs?: Partial<Record<RunKind, number>>;
  repeats?: { finals: readonly FinalMetrics[]; paired: PairedSummary } | null;
  errorAnalysis?: ReportErrorAnalysis | null;
  model?: { networks: ReportNetworkSize[] } | null;
  charts: readonly ReportChart[];
}

/** Text for HTML: the five characters that could open markup or end an attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The drawing elements a chart is made of; anything else (script, foreignObject, image, style…) is refused. */
const SVG_ELEMENTS = new Set(
  ['svg', 'g', 'path', 'line', 'rect', 'circle', 'ellipse', 'polyline', 'polygon', 'text', 'tspan', 'defs', 'clippath', 'lineargradient', 'radialgradient', 'stop', 'title', 'desc', 'mask', 'pattern', 'marker', 'symbol', 'use'],
);

/**
 * An SVG to inline in the report, or null when it cannot be inlined safely: it must be one <svg>
 * element of drawing elements only (no script, style, image or foreignObject), no event handler
 * and no reference outside itself.
 * The namespace declarations go (HTML puts an inline <svg> in the SVG namespace by itself), so
 * the page holds no URL at all.
 */
export function inlineSvg(svg: string): string | null {
  const s = svg.trim().replace(/^<\?xml[^>]*>\s*/, '');
  if (!/^<svg[\s>]/i.test(s) || !/<\/svg>$/i.test(s)) return null;
  const bare = s.replace(/\s+xmlns(:\w+)?\s*=\s*("[^"]*"|'[^']*')/g, '');
  for (const m of bare.matchAll(/<\/?([A-Za-z][\w:-]*)/g)) if (!SVG_ELEMENTS.has(m[1]!.toLowerCase())) return null;
  if (/<!|\son\w+\s*=|javascript:|@import|https?:/i.test(bare)) return null;
  // Only references inside the chart itself (clip paths, gradients): url(#…) and href="#…".
  if (/url\(\s*["']?(?!#)|href\s*=\s*["']?(?!#)/i.test(bare)) return null;
  return bare;
}

const f3 = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(3));
const signed = (v: number) => (Number.isFinite(v) ? (v > 0 ? '+' : v < 0 ? '−' : '±') + Math.abs(v).toFixed(3) : '—');

/** Nested config keys as "input.width" rows; arrays as comma lists. */
function flatten(value: unknown, prefix = ''): [string, string][] {
  if (value === null || value === undefined) return prefix ? [[prefix, String(value)]] : [];
  if (Array.isArray(value)) return [[prefix, value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ')]];
  if (typeof value === 'object')
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
  return [[prefix, String(value)]];
}

function table(label: string, head: string[], rows: string[][], caption?: string): string {
  const th = head.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr><th scope="row">${r[0]!}</th>${r.slice(1).map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table aria-label="${escapeHtml(label)}">${caption ? `<caption>${caption}</caption>` : ''}<thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function resultsSection(final: FinalMetrics, lastEpochs: ReportInput['lastEpochs']): string {
  const m = (x: IqaMetrics) => [f3(x.srcc), f3(x.plcc), f3(x.krcc), f3(x.rmse), f3(x.plccRaw), String(x.n)];
  const rows = networkResults(final).map((r) => [
    escapeHtml(r.network),
    ...m(r.last),
    lastEpochs?.[r.run] !== undefined ? String(lastEpochs[r.run]) : '—',
    r.chosen ? `${r.chosen.epoch}: ${f3(r.chosen.test.srcc)}` : '—',
  ]);
  const b = final.baseline;
  const d = final.dml?.ensemble;
  if (b && d) rows.push(['DML − baseline', signed(d.srcc - b.srcc), signed(d.plcc - b.plcc), signed(d.krcc - b.krcc), signed(d.rmse - b.rmse), signed(d.plccRaw - b.plccRaw), '', '', '']);
  const note = final.selected
    ? 'Test set. Metrics at each network’s last epoch; the last column is the test SRCC at the epoch its validation SRCC chose (the test set chose nothing).'
    : 'Test set, at the last epoch. No validation set: nothing chose an epoch.';
  return `<section><h2>Results</h2><p class="note">${note} PLCC after the 4-parameter logistic fit; RMSE on raw predictions.</p>${table(
    'Results',
    ['network', 'SRCC', 'PLCC', 'KRCC', 'RMSE', 'PLCC raw', 'images', 'last epoch', 'val-chosen epoch: test SRCC'],
    rows,
  )}</section>`;
}

function crossSection(final: FinalMetrics, lastEpochs: ReportInput['lastEpochs']): string {
  const rows = crossResults(final).map((r) => [
    escapeHtml(r.network),
    f3(r.last.srcc),
    f3(r.last.plcc),
    String(r.last.n),
    lastEpochs?.[r.run] !== undefined ? String(lastEpochs[r.run]) : '—',
    r.chosen ? `${r.chosen.epoch}: ${f3(r.chosen.test.srcc)}` : '—',
  ]);
  if (!rows.length) return '';
  return `<section><h2>Cross-dataset test</h2><p class="note">A second dataset, never trained on and never used to choose: each network at its last epoch, and at the epoch its validation SRCC chose.</p>${table(
    'Cross-dataset test',
    ['network', 'SRCC', 'PLCC', 'images', 'last epoch', 'val-chosen epoch: SRCC'],
    rows,
  )}</section>`;
}

function pairedSection(rep: NonNullable<ReportInput['repeats']>): string {
  const n = rep.finals.length;
  const where = rep.paired.basis === 'selected' ? 'at each network’s validation-chosen epoch' : 'at the last epoch (no validation set)';
  const rows = repeatSrcc(rep.finals, rep.paired.basis).map(({ network, values }) => {
    const s = summarize(values);
    return [escapeHtml(network), f3(s.mean), f3(s.std), '', '', values.map(f3).join(' ')];
  });
  for (const { label, d } of pairedRows(rep.paired))
    rows.push([escapeHtml(label), signed(d.mean), f3(d.sd), `[${signed(d.ci95[0])}, ${signed(d.ci95[1])}]`, `${d.wins}/${d.perRepeat.length}`, d.perRepeat.map(signed).join(' ')]);
  return `<section><h2>Paired results over ${n} repeats</h2><p class="note">Test SRCC ${where}. 95% interval: mean ± t(0.975, N−1)·sd/√N; an interval that contains 0 shows no difference.</p>${table(
    'Paired differences',
    ['comparison', 'mean', 'sd', '95% interval', 'wins', 'per repeat'],
    rows,
  )}</section>`;
}

function errorSection(e: ReportErrorAnalysis): string {
  const parts = [`<section><h2>Error analysis</h2><p class="note">${escapeHtml(e.caption)}</p>`];
  if (e.byType) {
    const rows = e.byType.rows.map((r) => [escapeHtml(r.type), String(r.n), r.srcc === null ? `— (fewer than ${e.byType!.minImages} images)` : f3(r.srcc)]);
    parts.push(table('SRCC per distortion type', ['distortion type', 'test images', 'SRCC'], rows, 'SRCC per distortion type'));
    if (e.byType.untyped) parts.push(`<p class="note">${e.byType.untyped} test images have no distortion type.</p>`);
  }
  const rows = e.worst.map((w, i) => [String(i + 1), escapeHtml(w.file), f3(w.prediction), f3(w.mos), signed(w.error)]);
  parts.push(table('Worst-predicted test images', ['#', 'image', 'prediction', 'MOS', 'prediction − MOS'], rows, `The ${e.worst.length} worst-predicted test images`));
  parts.push('</section>');
  return parts.join('\n');
}

function modelSection(model: NonNullable<ReportInput['model']>): string {
  const n = (v: number) => v.toLocaleString('en');
  const rows = model.networks.map((x) => [escapeHtml(x.network), String(x.layers), n(x.trainable), n(x.frozen), n(x.statistics)]);
  return `<section><h2>Model</h2>${table('Model summary', ['network', 'layers', 'trainable parameters', 'frozen parameters', 'BatchNorm statistics'], rows)}</section>`;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1b222c;background:#fff;max-width:1100px;margin:24px auto;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:26px 0 8px;border-bottom:1px solid #d5dae1;padding-bottom:3px}
table{border-collapse:collapse;margin:6px 0 10px;font-variant-numeric:tabular-nums}caption{text-align:left;font-weight:600;padding:4px 0}
th,td{border:1px solid #d5dae1;padding:3px 8px;text-align:right}th[scope=row],thead th{text-align:left}thead th{background:#eef1f5}
.note{color:#4a5565;margin:4px 0}.proxy{background:#fff4d6;border:1px solid #e6c36a;padding:6px 10px;border-radius:4px}
section.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:6px 16px}section.charts h2{grid-column:1/-1}
figure{margin:10px 0 18px;break-inside:avoid}figure svg{max-width:100%;height:auto;display:block}figcaption{font-weight:600;margin-bottom:4px}
dl.config{display:grid;grid-template-columns:max-content 1fr;gap:1px 14px;margin:6px 0}dl.config dt{color:#4a5565}dl.config dd{margin:0;font-family:ui-monospace,monospace}
`;

/** The report as one HTML document. */
export function runReportHtml(r: ReportInput): string {
  const ds = r.dataset;
  const scores = ds.proxy
    ? '<p class="proxy"><strong>Proxy scores:</strong> this dataset’s scores are a formula (synthetic, e.g. an MS-SSIM proxy), not human opinions. Figures here measure agreement with that formula.</p>'
    : '<p class="note">Scores as given by the score file.</p>';
  const split = r.split
    ? `<p>Split: ${r.split.train} training, ${r.split.val} validation, ${r.split.test} test images${r.split.reason ? ` — ${escapeHtml(r.split.reason)}` : ''}</p>`
    : '';
  const config = flatten(r.config)
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join('');
  const charts = r.charts.map((c) => {
    const svg = inlineSvg(c.svg);
    return `<figure><figcaption>${escapeHtml(c.title)}</figcaption>${svg ?? '<p class="note">This chart could not be inlined safely and was left out.</p>'}</figure>`;
  });
  const title = `DML-IQA Studio report: ${r.runName}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<header><h1>${escapeHtml(r.runName)}</h1><p class="note">DML-IQA Studio run report · ${escapeHtml(r.generated)}${r.status ? ` · ${escapeHtml(r.status)}` : ''}${r.backend ? ` · backend ${escapeHtml(r.backend)}` : ''}</p></header>`,
    `<section><h2>Dataset</h2><p>Images: <strong>${escapeHtml(ds.name)}</strong>${ds.images !== undefined ? ` (${ds.images} images)` : ''} · score file: <strong>${escapeHtml(ds.scoreFile || '—')}</strong></p>${scores}${split}</section>`,
    `<section><h2>Config</h2><dl class="config">${config}</dl></section>`,
    r.final ? resultsSection(r.final, r.lastEpochs) : '<section><h2>Results</h2><p class="note">No epoch has finished yet.</p></section>',
    r.final ? crossSection(r.final, r.lastEpochs) : '',
    r.repeats ? pairedSection(r.repeats) : '',
    r.errorAnalysis ? errorSection(r.errorAnalysis) : '',
    r.model ? modelSection(r.model) : '',
    charts.length ? `<section class="charts"><h2>Charts</h2>${charts.join('\n')}</section>` : '',
    '<footer><p class="note">One run on one split differs from the next by several hundredths of SRCC: compare over repeats before calling a difference real.</p></footer>',
    '</body></html>',
    '',
  ]
    .filter(Boolean)
    .join('\n');
}
