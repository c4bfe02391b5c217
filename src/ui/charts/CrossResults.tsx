/**
 * The cross-dataset test: a second labelled set scored whole beside the test set at every
 * evaluation (never used to choose anything), at the last epoch and at each network's
 * validation-chosen epoch.
 */
import type { IqaMetrics } from '../../core/metrics';
import type { ReportDataset } from '../../core/train/experiment';
import type { FinalMetrics } from '../../core/train/history';
import { formatMetric } from '../common/format';
import { BASELINE, CONTROL, ENSEMBLE } from './networks';

export function CrossResults({ final, set }: { final: FinalMetrics; set?: ReportDataset }) {
  const c = final.cross;
  if (!c) return null;
  const sel = final.selected;
  const rows: { label: string; color: string; m?: IqaMetrics; chosen?: IqaMetrics }[] = [
    { label: BASELINE.label, color: BASELINE.color, m: c.baseline, chosen: sel?.baseline?.cross },
    { label: ENSEMBLE.label, color: ENSEMBLE.color, m: c.dml?.ensemble, chosen: sel?.dml?.ensemble.cross },
    { label: CONTROL.label, color: CONTROL.color, m: c.control?.ensemble, chosen: sel?.control?.ensemble.cross },
  ];
  const shown = rows.filter((r) => r.m);
  const n = shown[0]?.m?.n;
  return (
    <div className="results">
      <table className="results-table" aria-label="Cross-dataset test">
        <caption>
          Cross-dataset test{set ? ` — ${set.name} (${set.scoreFileName})` : ''} <span className="muted">· {n} images, scored every epoch, never used to choose</span>
        </caption>
        <thead>
          <tr>
            <th scope="col">network</th>
            <th scope="col">SRCC</th>
            <th scope="col">PLCC</th>
            <th scope="col">KRCC</th>
            <th scope="col">RMSE</th>
            <th scope="col">val-chosen epoch: SRCC</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr key={r.label}>
              <th scope="row">
                <span className="swatch" style={{ background: r.color }} aria-hidden="true" />
                {r.label}
              </th>
              <td data-testid="cross-srcc">{formatMetric(r.m!.srcc)}</td>
              <td>{formatMetric(r.m!.plcc)}</td>
              <td>{formatMetric(r.m!.krcc)}</td>
              <td>{formatMetric(r.m!.rmse)}</td>
              <td>{r.chosen ? formatMetric(r.chosen.srcc) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {set?.proxy && <p className="hint">This set's scores are a formula (a proxy), not human opinions.</p>}
    </div>
  );
}
