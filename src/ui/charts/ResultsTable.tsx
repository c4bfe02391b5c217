/**
 * Final test metrics per network as an HTML table named "Results": at the last epoch, and the
 * test SRCC at each network's validation-chosen epoch; then the two differences that separate
 * mutual learning from ensembling (DML − independent pair, DML peer A − baseline) and the headline one.
 */
import { smallSetWarning, type IqaMetrics } from '../../core/metrics';
import type { Chosen, FinalMetrics } from '../../core/train/history';
import { formatMetric, formatSigned } from '../common/format';
import { BASELINE, CONTROL, ENSEMBLE, peerNetwork } from './networks';

const COLS: { key: keyof IqaMetrics; label: string; higherBetter: boolean }[] = [
  { key: 'srcc', label: 'SRCC', higherBetter: true },
  { key: 'plcc', label: 'PLCC', higherBetter: true },
  { key: 'krcc', label: 'KRCC', higherBetter: true },
  { key: 'rmse', label: 'RMSE', higherBetter: false },
  { key: 'plccRaw', label: 'PLCC raw', higherBetter: true },
];

interface Props {
  final: FinalMetrics;
  /** e.g. "after 12 epochs", "stopped after epoch 3". */
  note: string;
}

type Row = { label: string; color: string; m: IqaMetrics; chosen?: Chosen; strong?: boolean };

export function ResultsTable({ final, note }: Props) {
  const rows: Row[] = [];
  const sel = final.selected;
  if (final.baseline) rows.push({ label: BASELINE.label, color: BASELINE.color, m: final.baseline, chosen: sel?.baseline });
  final.dml?.peers.forEach((m, k) => rows.push({ label: peerNetwork(k).label, color: peerNetwork(k).color, m, chosen: sel?.dml?.peers[k] }));
  if (final.dml) rows.push({ label: ENSEMBLE.label, color: ENSEMBLE.color, m: final.dml.ensemble, chosen: sel?.dml?.ensemble, strong: true });
  final.control?.peers.forEach((m, k) => rows.push({ label: `Independent pair peer ${String.fromCharCode(65 + k)}`, color: CONTROL.color, m, chosen: sel?.control?.peers[k] }));
  if (final.control) rows.push({ label: CONTROL.label, color: CONTROL.color, m: final.control.ensemble, chosen: sel?.control?.ensemble });
  const b = final.baseline;
  const d = final.dml?.ensemble;
  const small = rows[0] && smallSetWarning(rows[0].m.n);
  // The comparisons on the validation-chosen epochs when there are any, else the last.
  const srccOf = (last?: IqaMetrics, chosen?: Chosen) => (sel ? chosen?.test.srcc : last?.srcc);
  const diffs: [string, number | undefined, number | undefined][] = [
    ['DML ensemble − independent pair (what mutual learning adds)', srccOf(final.dml?.ensemble, sel?.dml?.ensemble), srccOf(final.control?.ensemble, sel?.control?.ensemble)],
    ['DML peer A − baseline (one net against one net)', srccOf(final.dml?.peers[0], sel?.dml?.peers[0]), srccOf(b, sel?.baseline)],
  ];
  return (
    <div className="results">
      <table className="results-table" aria-label="Results">
        <caption>
          Results <span className="muted">— test set, {note}</span>
        </caption>
        <thead>
          <tr>
            <th scope="col">network</th>
            {COLS.map((c) => (
              <th scope="col" key={c.key}>
                {c.label}
              </th>
            ))}
            <th scope="col">images</th>
            <th scope="col">val-chosen epoch: test SRCC</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.label} className={r.strong ? 'strong' : undefined}>
              <th scope="row">
                <span className="swatch" style={{ background: r.color }} aria-hidden="true" />
                {r.label}
              </th>
              {COLS.map((c) => (
                <td key={c.key}>{formatMetric(r.m[c.key])}</td>
              ))}
              <td>{r.m.n}</td>
              <td>{r.chosen ? `${r.chosen.epoch}: ${formatMetric(r.chosen.test.srcc)}` : '—'}</td>
            </tr>
          ))}
          {b && d && (
            <tr className="diff">
              <th scope="row">DML − baseline</th>
              {COLS.map((c) => {
                const diff = d[c.key] - b[c.key];
                const better = c.higherBetter ? diff > 0 : diff < 0;
                return (
                  <td key={c.key} className={Number.isFinite(diff) && diff !== 0 ? (better ? 'gain' : 'loss') : undefined}>
                    {formatSigned(diff)}
                  </td>
                );
              })}
              <td />
              <td />
            </tr>
          )}
        </tbody>
      </table>
      <ul className="results-diffs" aria-label="Differences in test SRCC">
        {diffs.map(([label, a, z]) =>
          a !== undefined && z !== undefined ? (
            <li key={label}>
              {label}: <strong>{formatSigned(a - z)}</strong> {sel ? '(validation-chosen epochs)' : '(last epochs)'}
            </li>
          ) : null,
        )}
      </ul>
      {!sel && <p className="hint">No validation set: nothing chose an epoch, so every figure is the last epoch's. Set a validation fraction to choose fairly.</p>}
      {small && <p className="warning-inline">{small}</p>}
      {b && d && (
        <p className="hint">
          One run on one split: differences of a few hundredths are within seed-to-seed noise. Use repeats (step 2) before calling a difference real.
          DML − baseline also credits ensembling two flip-fed nets to mutual learning: tick "With control" to separate the two.
        </p>
      )}
    </div>
  );
}
