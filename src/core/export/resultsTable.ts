/**
 * A run's results as rows, for the CSV download and the HTML report: each network's test
 * metrics at its last epoch and at its validation-chosen epoch; over repeats, each network's
 * mean ± sd and the paired differences.
 */
import Papa from 'papaparse';
import { summarize, type IqaMetrics, type PairedDifference } from '../metrics';
import { peerLetter, type Chosen, type FinalMetrics, type PairedSummary, type RunKind } from '../train/history';

/** One network of a run and its results. */
export interface NetworkResult {
  /** "Baseline", "DML peer A", "DML ensemble", "Independent pair peer A", "Independent pair (λ = 0)". */
  network: string;
  run: RunKind;
  /** Test metrics at the kind's last epoch. */
  last: IqaMetrics;
  /** Its validation-chosen epoch and the test metrics there; absent without a validation set. */
  chosen?: Chosen;
}

/** The networks of `final` in the studio's order: baseline, DML peers, DML ensemble, independent pair. */
export function networkResults(final: FinalMetrics): NetworkResult[] {
  const rows: NetworkResult[] = [];
  const sel = final.selected;
  if (final.baseline) rows.push({ network: 'Baseline', run: 'baseline', last: final.baseline, ...(sel?.baseline && { chosen: sel.baseline }) });
  for (const run of ['dml', 'control'] as const) {
    const c = final[run];
    if (!c) continue;
    const name = run === 'dml' ? 'DML' : 'Independent pair';
    c.peers.forEach((last, k) => {
      const chosen = sel?.[run]?.peers[k];
      rows.push({ network: `${name} peer ${peerLetter(k)}`, run, last, ...(chosen && { chosen }) });
    });
    const chosen = sel?.[run]?.ensemble;
    rows.push({ network: run === 'dml' ? 'DML ensemble' : 'Independent pair (λ = 0)', run, last: c.ensemble, ...(chosen && { chosen }) });
  }
  return rows;
}

/**
 * The networks' metrics on the cross-dataset set, in networkResults' order and names: at each
 * kind's last epoch, and at the epoch the validation set chose (never the cross set). Empty without one.
 */
export function crossResults(final: FinalMetrics): NetworkResult[] {
  const c = final.cross;
  if (!c) return [];
  const onCross = (ch: Chosen | undefined): Chosen | undefined => (ch?.cross ? { epoch: ch.epoch, valSrcc: ch.valSrcc, test: ch.cross } : undefined);
  const rows: NetworkResult[] = [];
  const push = (network: string, run: RunKind, last: IqaMetrics | undefined, chosen: Chosen | undefined) => {
    if (last) rows.push({ network, run, last, ...(chosen && { chosen }) });
  };
  const sel = final.selected;
  push('Baseline', 'baseline', c.baseline, onCross(sel?.baseline));
  for (const run of ['dml', 'control'] as const) {
    const co = c[run];
    if (!co) continue;
    const name = run === 'dml' ? 'DML' : 'Independent pair';
    co.peers.forEach((last, k) => push(`${name} peer ${peerLetter(k)}`, run, last, onCross(sel?.[run]?.peers[k])));
    push(run === 'dml' ? 'DML ensemble' : 'Independent pair (λ = 0)', run, co.ensemble, onCross(sel?.[run]?.ensemble));
  }
  return rows;
}

export const PAIRED_LABELS: Record<Exclude<keyof PairedSummary, 'basis'>, string> = {
  dml_vs_baseline: 'DML ensemble − baseline',
  dml_vs_control: 'DML ensemble − independent pair',
  peerA_vs_baseline: 'DML peer A − baseline',
};

/** The paired comparisons an experiment made, in a fixed order. */
export function pairedRows(paired: PairedSummary): { key: keyof typeof PAIRED_LABELS; label: string; d: PairedDifference }[] {
  return (Object.keys(PAIRED_LABELS) as (keyof typeof PAIRED_LABELS)[]).flatMap((key) => {
    const d = paired[key];
    return d ? [{ key, label: PAIRED_LABELS[key], d }] : [];
  });
}

/** Each network's test SRCC over the repeats (at the validation-chosen epoch when the basis is 'selected'). */
export function repeatSrcc(finals: readonly FinalMetrics[], basis: PairedSummary['basis']): { network: string; values: number[] }[] {
  const byName = new Map<string, number[]>();
  for (const f of finals)
    for (const r of networkResults(f)) {
      const v = basis === 'selected' ? (r.chosen?.test.srcc ?? Number.NaN) : r.last.srcc;
      byName.set(r.network, [...(byName.get(r.network) ?? []), v]);
    }
  return [...byName].map(([network, values]) => ({ network, values }));
}

export interface ResultsCsvInput {
  final: FinalMetrics;
  /** Epochs each kind finished (the last epoch's number). */
  lastEpochs?: Partial<Record<RunKind, number>>;
  /** An experiment with repeats: every repeat's results and the paired differences. */
  repeats?: { finals: readonly FinalMetrics[]; paired: PairedSummary };
}

const FIELDS = ['section', 'network', 'basis', 'epoch', 'images', 'srcc', 'plcc', 'krcc', 'rmse', 'plcc_raw', 'val_srcc', 'sd', 'ci95_lo', 'ci95_hi', 'wins', 'repeats'];

/**
 * The results as CSV, one table: 'network' rows (test metrics at the last and at the
 * validation-chosen epoch; RMSE on raw predictions, PLCC after the logistic fit, PLCC raw
 * without), 'cross' rows (the same on the cross-dataset set, when there is one), and with repeats 'repeats' rows (each network's mean SRCC and sd) and 'paired' rows
 * (the mean SRCC difference, its sd, 95% t interval and wins). Empty cells where a column does
 * not apply; NaN is written as an empty cell too. Network names go through escapeFormulae.
 */
export function resultsCsv({ final, lastEpochs, repeats }: ResultsCsvInput): string {
  const num = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '' : v);
  const metrics = (m: IqaMetrics) => [m.n, num(m.srcc), num(m.plcc), num(m.krcc), num(m.rmse), num(m.plccRaw)];
  const data: (string | number)[][] = [];
  for (const r of networkResults(final)) {
    data.push(['network', r.network, 'last epoch', lastEpochs?.[r.run] ?? '', ...metrics(r.last), '', '', '', '', '', '']);
    if (r.chosen) data.push(['network', r.network, 'validation-chosen epoch', r.chosen.epoch, ...metrics(r.chosen.test), num(r.chosen.valSrcc), '', '', '', '', '']);
  }
  // The cross-dataset set: reported at the same epochs, it chose none of them.
  for (const r of crossResults(final)) {
    data.push(['cross', r.network, 'last epoch', lastEpochs?.[r.run] ?? '', ...metrics(r.last), '', '', '', '', '', '']);
    if (r.chosen) data.push(['cross', r.network, 'validation-chosen epoch', r.chosen.epoch, ...metrics(r.chosen.test), num(r.chosen.valSrcc), '', '', '', '', '']);
  }
  if (repeats) {
    const n = repeats.finals.length;
    const basis = repeats.paired.basis === 'selected' ? 'validation-chosen epochs' : 'last epochs';
    for (const { network, values } of repeatSrcc(repeats.finals, repeats.paired.basis)) {
      const s = summarize(values);
      data.push(['repeats', network, `mean SRCC over ${n} repeats, ${basis}`, '', '', num(s.mean), '', '', '', '', '', num(s.std), '', '', '', n]);
    }
    for (const { label, d } of pairedRows(repeats.paired))
      data.push(['paired', label, `mean SRCC difference over ${n} repeats, ${basis}`, '', '', num(d.mean), '', '', '', '', '', num(d.sd), num(d.ci95[0]), num(d.ci95[1]), d.wins, d.perRepeat.length]);
  }
  return `${Papa.unparse({ fields: FIELDS, data }, { escapeFormulae: true, newline: '\n' })}\n`;
}
