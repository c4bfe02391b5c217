import { summarize, type IqaMetrics, type Summary } from '../core/metrics';
import type { EpochEvent } from '../core/train/history';
import { peerLetter } from '../core/train/history';
import type { FinalMetrics } from '../core/train/history';

const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '  NaN');

/** One console line for an epoch: SRCC/PLCC of the baseline, each peer and the ensemble. */
export function epochLine(epoch: number, epochs: number, events: EpochEvent[]): string {
  const parts = events.map((e) => {
    const m = (x: IqaMetrics) => `${f3(x.srcc)}/${f3(x.plcc)}`;
    if (e.run === 'baseline') return `baseline ${m(e.test.peers[0]!)}`;
    const peers = e.test.peers.map((p, k) => `${peerLetter(k)} ${m(p)}`).join(' ');
    return `DML ${peers} ens ${m(e.test.ensemble!)}`;
  });
  const secs = events.reduce((s, e) => s + e.seconds, 0);
  const loss = events.map((e) => `${e.run === 'dml' ? 'DML' : 'base'} loss ${e.trainLoss.total.map((v) => v.toFixed(3)).join(',')}`);
  return `epoch ${String(epoch).padStart(2)}/${epochs}  SRCC/PLCC  ${parts.join('  |  ')}  |  ${loss.join(' ')}  ${secs.toFixed(1)} s`;
}

/** The final table: one row per network, plus the DML − baseline difference when both ran. */
export function finalTable(final: FinalMetrics): string {
  const rows: [string, IqaMetrics][] = [];
  if (final.baseline) rows.push(['baseline', final.baseline]);
  final.dml?.peers.forEach((p, k) => rows.push([`DML peer ${peerLetter(k)}`, p]));
  if (final.dml) rows.push(['DML ensemble', final.dml.ensemble]);
  const head = `${'network'.padEnd(16)} ${['SRCC', 'PLCC', 'PLCC raw', 'KRCC', 'RMSE'].map((h) => h.padStart(8)).join(' ')}`;
  const line = (name: string, m: IqaMetrics) =>
    `${name.padEnd(16)} ${[m.srcc, m.plcc, m.plccRaw, m.krcc, m.rmse].map((v) => f3(v).padStart(8)).join(' ')}`;
  const out = [head, ...rows.map(([n, m]) => line(n, m))];
  if (final.baseline && final.dml) {
    const d = (a: number, b: number) => (a - b >= 0 ? '+' : '') + (a - b).toFixed(3);
    out.push(`DML − baseline   SRCC ${d(final.dml.ensemble.srcc, final.baseline.srcc)}  PLCC ${d(final.dml.ensemble.plcc, final.baseline.plcc)}  (one split, one seed: compare over seeds before calling it real)`);
  }
  return out.join('\n');
}

type Stat = Summary;
export interface CrossValidationSummary {
  baseline?: { srcc: Stat; plcc: Stat };
  dmlEnsemble?: { srcc: Stat; plcc: Stat };
  /** DML ensemble − baseline, split by split. */
  difference?: { srcc: Stat; plcc: Stat };
}

/** Mean, median and standard deviation of SRCC and PLCC over the splits, as IQA papers report cross-validation. */
export function crossValidationSummary(finals: FinalMetrics[]): CrossValidationSummary {
  const stats = (ms: IqaMetrics[]) => ({ srcc: summarize(ms.map((m) => m.srcc)), plcc: summarize(ms.map((m) => m.plcc)) });
  const base = finals.map((f) => f.baseline).filter((m): m is IqaMetrics => !!m);
  const ens = finals.map((f) => f.dml?.ensemble).filter((m): m is IqaMetrics => !!m);
  const out: CrossValidationSummary = {};
  if (base.length) out.baseline = stats(base);
  if (ens.length) out.dmlEnsemble = stats(ens);
  if (base.length && ens.length)
    out.difference = {
      srcc: summarize(ens.map((m, i) => m.srcc - base[i]!.srcc)),
      plcc: summarize(ens.map((m, i) => m.plcc - base[i]!.plcc)),
    };
  return out;
}

export function crossValidationTable(cv: CrossValidationSummary, n: number): string {
  const cell = (s: Stat) => `${f3(s.mean)} ± ${f3(s.std)} (median ${f3(s.median)})`.padEnd(34);
  const rows: [string, { srcc: Stat; plcc: Stat } | undefined][] = [
    ['baseline', cv.baseline],
    ['DML ensemble', cv.dmlEnsemble],
    ['DML − baseline', cv.difference],
  ];
  return [
    `Over ${n} splits: mean ± sample std (median)`,
    `${''.padEnd(16)} ${'SRCC'.padEnd(34)} PLCC`,
    ...rows.filter(([, s]) => s).map(([name, s]) => `${name.padEnd(16)} ${cell(s!.srcc)} ${cell(s!.plcc)}`),
  ].join('\n');
}
