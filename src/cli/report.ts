import { smallSetWarning, summarize, type IqaMetrics, type PairedDifference } from '../core/metrics';
import type { SweepEntry } from '../core/train/experiment';
import { peerLetter, type Chosen, type EpochEvent, type FinalMetrics, type PairedSummary } from '../core/train/history';

const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '  NaN');
const signed = (v: number) => (Number.isFinite(v) ? (v >= 0 ? '+' : '') + v.toFixed(3) : '   NaN');

/** One console line for an epoch: SRCC/PLCC of the baseline, each peer and the ensemble (test set), and the losses. */
export function epochLine(epoch: number, epochs: number, events: EpochEvent[]): string {
  const parts = events.map((e) => {
    const m = (x: IqaMetrics) => `${f3(x.srcc)}/${f3(x.plcc)}`;
    if (e.run === 'baseline') return `baseline ${m(e.test.peers[0]!)}`;
    const peers = e.test.peers.map((p, k) => `${peerLetter(k)} ${m(p)}`).join(' ');
    return `${e.run === 'dml' ? 'DML' : 'indep'} ${peers} ens ${m(e.test.ensemble!)}`;
  });
  const secs = events.reduce((s, e) => s + e.seconds, 0);
  const loss = events.map((e) => `${e.run === 'baseline' ? 'base' : e.run === 'dml' ? 'DML' : 'indep'} loss ${e.trainLoss.total.map((v) => v.toFixed(3)).join(',')}`);
  // On webgpu: the GPU buffers tfjs holds (its pool, free ones included), after the last of these epochs.
  const gpu = events.at(-1)?.memory.numBytesAllocatedInGPU;
  const mem = gpu === undefined ? '' : `  GPU ${(gpu / 2 ** 20).toFixed(1)} MiB`;
  return `epoch ${String(epoch).padStart(2)}/${epochs}  test SRCC/PLCC  ${parts.join('  |  ')}  |  ${loss.join(' ')}  ${secs.toFixed(1)} s${mem}`;
}

/** Each network of a result: its label, its last-epoch test metrics and its validation-chosen epoch. */
function networksOf(final: FinalMetrics): { name: string; last: IqaMetrics; chosen?: Chosen }[] {
  const rows: { name: string; last: IqaMetrics; chosen?: Chosen }[] = [];
  if (final.baseline) rows.push({ name: 'baseline', last: final.baseline, chosen: final.selected?.baseline });
  for (const run of ['dml', 'control'] as const) {
    const c = final[run];
    if (!c) continue;
    const label = run === 'dml' ? 'DML' : 'indep. pair';
    c.peers.forEach((p, k) => rows.push({ name: `${label} peer ${peerLetter(k)}`, last: p, chosen: final.selected?.[run]?.peers[k] }));
    rows.push({ name: `${label} ensemble`, last: c.ensemble, chosen: final.selected?.[run]?.ensemble });
  }
  return rows;
}

/**
 * The final table: test metrics at the last epoch, and test SRCC at the epoch each network's
 * validation SRCC chose (labelled), one row per network; a warning when a set is too small.
 */
export function finalTable(final: FinalMetrics, sizes: { test: number; val: number }): string {
  const head = `${'network'.padEnd(20)} ${['SRCC', 'PLCC', 'PLCC raw', 'KRCC', 'RMSE'].map((h) => h.padStart(8)).join(' ')}   | val-chosen: epoch  test SRCC`;
  const out = [`Test metrics at the last epoch (RMSE on raw predictions), and at each network's validation-chosen epoch:`, head];
  for (const r of networksOf(final)) {
    const m = r.last;
    const chosen = r.chosen ? `${String(r.chosen.epoch).padStart(17)}  ${f3(r.chosen.test.srcc).padStart(9)}` : '   (no validation set)';
    out.push(`${r.name.padEnd(20)} ${[m.srcc, m.plcc, m.plccRaw, m.krcc, m.rmse].map((v) => f3(v).padStart(8)).join(' ')}   |${chosen}`);
  }
  const c = final.cross;
  if (c) {
    const parts = [c.baseline && `baseline ${f3(c.baseline.srcc)}`, c.dml && `DML ensemble ${f3(c.dml.ensemble.srcc)}`, c.control && `indep. pair ${f3(c.control.ensemble.srcc)}`];
    const chosen = [final.selected?.baseline?.cross, final.selected?.dml?.ensemble.cross, final.selected?.control?.ensemble.cross];
    const n = (c.baseline ?? c.dml?.ensemble ?? c.control?.ensemble)?.n ?? 0;
    out.push(`Cross-dataset test (${n} images), SRCC at the last epoch: ${parts.filter(Boolean).join(', ')}` + (chosen.some(Boolean) ? `; at the validation-chosen epochs: ${chosen.map((m) => (m ? f3(m.srcc) : '—')).join(' / ')}` : ''));
  }
  for (const [set, n] of [['test', sizes.test], ['validation', sizes.val]] as const) {
    const w = n > 0 ? smallSetWarning(n) : null;
    if (w) out.push(`Note (${set} set): ${w}`);
  }
  if (final.baseline && final.dml)
    out.push(`DML ensemble − baseline SRCC ${signed(final.dml.ensemble.srcc - final.baseline.srcc)} (last epoch; one split, one seed: compare over repeats before calling it real)`);
  return out.join('\n');
}

/** Mean ± sample sd of each network's test SRCC over the repeats (validation-chosen epochs when there is a validation set). */
export function repeatsTable(finals: readonly FinalMetrics[], basis: PairedSummary['basis']): string {
  const byName = new Map<string, number[]>();
  for (const f of finals)
    for (const r of networksOf(f)) {
      const v = basis === 'selected' && r.chosen ? r.chosen.test.srcc : r.last.srcc;
      byName.set(r.name, [...(byName.get(r.name) ?? []), v]);
    }
  const lines = [`Over ${finals.length} repeats: test SRCC at ${basis === 'selected' ? 'the validation-chosen epoch' : 'the last epoch'}, mean ± sample sd (median)`];
  for (const [name, values] of byName) {
    const s = summarize(values);
    lines.push(`${name.padEnd(20)} ${f3(s.mean)} ± ${f3(s.std)} (median ${f3(s.median)})   [${values.map(f3).join(', ')}]`);
  }
  return lines.join('\n');
}

const PAIR_WORDS: Record<Exclude<keyof PairedSummary, 'basis'>, string> = {
  dml_vs_baseline: 'DML ensemble − baseline',
  dml_vs_control: 'DML ens. − indep. pair',
  peerA_vs_baseline: 'DML peer A − baseline',
};

/** The paired differences: mean, sd, 95% t interval, how many repeats DML won, and each repeat's value. */
export function pairedTable(p: PairedSummary): string {
  const lines = [
    `Paired test SRCC differences over repeats (${p.basis === 'selected' ? 'validation-chosen epochs' : 'last epochs'}):`,
    `${''.padEnd(24)} ${'mean'.padStart(7)} ${'sd'.padStart(6)}   95% t interval      wins   per repeat`,
  ];
  for (const key of Object.keys(PAIR_WORDS) as (keyof typeof PAIR_WORDS)[]) {
    const d: PairedDifference | undefined = p[key];
    if (!d) continue;
    const ci = `[${signed(d.ci95[0])}, ${signed(d.ci95[1])}]`;
    lines.push(`${PAIR_WORDS[key].padEnd(24)} ${signed(d.mean).padStart(7)} ${f3(d.sd).padStart(6)}   ${ci.padEnd(18)}  ${`${d.wins}/${d.perRepeat.length}`.padStart(5)}   ${d.perRepeat.map(signed).join(' ')}`);
  }
  if (!p.dml_vs_control) lines.push('(Add --control for DML − independent pair: what mutual learning adds beyond ensembling two flip-fed nets.)');
  return lines.join('\n');
}

/** DML − baseline and DML − control against the training size, each a mean with its 95% t interval over the repeats. */
export function sweepTable(rows: readonly Pick<SweepEntry, 'trainSize' | 'trainImages' | 'paired'>[]): string {
  const cell = (d?: PairedDifference) => (d ? `${signed(d.mean)} [${signed(d.ci95[0])}, ${signed(d.ci95[1])}] ${d.wins}/${d.perRepeat.length}` : '—').padEnd(34);
  const lines = [
    'Training-size sweep: paired test SRCC differences (mean [95% t interval] wins/repeats)',
    `${'size'.padEnd(8)} ${'images'.padEnd(10)} ${'DML − baseline'.padEnd(34)} ${'DML − indep. pair'.padEnd(34)} peer A − baseline`,
  ];
  for (const r of rows) {
    const imgs = `${Math.min(...r.trainImages)}–${Math.max(...r.trainImages)}`;
    lines.push(`${String(r.trainSize).padEnd(8)} ${imgs.padEnd(10)} ${cell(r.paired.dml_vs_baseline)} ${cell(r.paired.dml_vs_control)} ${cell(r.paired.peerA_vs_baseline).trim()}`);
  }
  return lines.join('\n');
}
