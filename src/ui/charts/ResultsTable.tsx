/** Final test metrics per network and the DML − baseline difference, as an HTML table named "Results". */
import type { IqaMetrics } from '../../core/metrics';
import type { FinalMetrics } from '../../core/train/history';
import { formatMetric, formatSigned } from '../common/format';
import { BASELINE, ENSEMBLE, peerNetwork } from './networks';

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

export function ResultsTable({ final, note }: Props) {
  const rows: { label: string; color: string; m: IqaMetrics; strong?: boolean }[] = [];
  if (final.baseline) rows.push({ label: BASELINE.label, color: BASELINE.color, m: final.baseline });
  final.dml?.peers.forEach((m, k) => rows.push({ label: peerNetwork(k).label, color: peerNetwork(k).color, m }));
  if (final.dml) rows.push({ label: ENSEMBLE.label, color: ENSEMBLE.color, m: final.dml.ensemble, strong: true });
  const b = final.baseline;
  const d = final.dml?.ensemble;
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
            </tr>
          )}
        </tbody>
      </table>
      {b && d && (
        <p className="hint">
          One run on one split: differences of a few hundredths are within seed-to-seed noise. Repeat with other seeds before calling a difference
          real.
        </p>
      )}
    </div>
  );
}
