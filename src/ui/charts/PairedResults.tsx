/**
 * An experiment's repeats: each network's test SRCC as mean ± sd, and each paired difference
 * with its 95% t interval, its wins and a chart of the per-repeat values.
 */
import { CartesianGrid, ReferenceLine, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import { summarize, type PairedDifference } from '../../core/metrics';
import type { FinalMetrics, PairedSummary } from '../../core/train/history';
import { formatMetric, formatSigned } from '../common/format';
import { AXIS, GRID, TOOLTIP } from './chartTheme';
import { ExportMenu } from './ExportMenu';

const PAIRS: { key: Exclude<keyof PairedSummary, 'basis'>; label: string; color: string }[] = [
  { key: 'dml_vs_baseline', label: 'DML ensemble − baseline', color: '#f4f6fa' },
  { key: 'dml_vs_control', label: 'DML ensemble − independent pair', color: '#5fd68f' },
  { key: 'peerA_vs_baseline', label: 'DML peer A − baseline', color: '#4fa8ff' },
];

/** Each network's test SRCC per repeat (validation-chosen epochs when the basis is 'selected'). */
function perNetwork(finals: readonly FinalMetrics[], basis: PairedSummary['basis']): [string, number[]][] {
  const pick = (f: FinalMetrics): [string, number | undefined][] =>
    basis === 'selected'
      ? [['Baseline', f.selected?.baseline?.test.srcc], ['DML ensemble', f.selected?.dml?.ensemble.test.srcc], ['Independent pair', f.selected?.control?.ensemble.test.srcc]]
      : [['Baseline', f.baseline?.srcc], ['DML ensemble', f.dml?.ensemble.srcc], ['Independent pair', f.control?.ensemble.srcc]];
  const names = pick(finals[0] ?? {}).filter(([, v]) => v !== undefined).map(([n]) => n);
  return names.map((n) => [n, finals.map((f) => pick(f).find(([m]) => m === n)?.[1] ?? Number.NaN)]);
}

export function PairedResults({ finals, paired }: { finals: readonly FinalMetrics[]; paired: PairedSummary }) {
  const pairs = PAIRS.filter((p) => paired[p.key]);
  const where = paired.basis === 'selected' ? 'at each network’s validation-chosen epoch' : 'at the last epoch (no validation set)';
  return (
    <div className="results">
      <table className="results-table" aria-label="Paired differences">
        <caption>
          Over {finals.length} repeats <span className="muted">— test SRCC {where}</span>
        </caption>
        <thead>
          <tr>
            <th scope="col">comparison</th>
            <th scope="col">mean</th>
            <th scope="col">sd</th>
            <th scope="col">95% interval</th>
            <th scope="col">wins</th>
            <th scope="col">per repeat</th>
          </tr>
        </thead>
        <tbody>
          {perNetwork(finals, paired.basis).map(([name, values]) => {
            const s = summarize(values);
            return (
              <tr key={name}>
                <th scope="row">{name}</th>
                <td>{formatMetric(s.mean)}</td>
                <td>{formatMetric(s.std)}</td>
                <td />
                <td />
                <td>{values.map(formatMetric).join(' ')}</td>
              </tr>
            );
          })}
          {pairs.map(({ key, label }) => {
            const d = paired[key] as PairedDifference;
            const sure = d.ci95[0] > 0 || d.ci95[1] < 0;
            return (
              <tr key={key} className="diff">
                <th scope="row">{label}</th>
                <td className={sure ? (d.mean > 0 ? 'gain' : 'loss') : undefined}>{formatSigned(d.mean)}</td>
                <td>{formatMetric(d.sd)}</td>
                <td>
                  [{formatSigned(d.ci95[0])}, {formatSigned(d.ci95[1])}]
                </td>
                <td>
                  {d.wins}/{d.perRepeat.length}
                </td>
                <td>{d.perRepeat.map(formatSigned).join(' ')}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="hint">
        An interval that contains 0 means the repeats do not show a difference. {paired.dml_vs_control ? '' : 'Tick "With control" to see what mutual learning adds beyond ensembling.'}
      </p>
      <figure className="chart-figure" aria-label="Paired differences per repeat" data-testid="paired-chart">
        <figcaption>
          <ExportMenu chart="paired-differences" />
          Paired differences per repeat <span className="muted">· above 0: DML's side won</span>
        </figcaption>
        <ScatterChart responsive style={{ width: '100%', height: 180 }} margin={{ top: 6, right: 10, bottom: 0, left: -14 }}>
          <CartesianGrid {...GRID} />
          <XAxis dataKey="repeat" type="number" name="repeat" domain={[0.5, finals.length + 0.5]} allowDecimals={false} {...AXIS} />
          <YAxis dataKey="diff" type="number" name="SRCC difference" {...AXIS} />
          <ReferenceLine y={0} stroke="#8a94a3" />
          <Tooltip {...TOOLTIP} />
          {pairs.map(({ key, label, color }) => (
            <Scatter key={key} name={label} fill={color} data={(paired[key] as PairedDifference).perRepeat.map((diff, i) => ({ repeat: i + 1, diff }))} isAnimationActive={false} />
          ))}
        </ScatterChart>
        <ul className="legend">
          {pairs.map(({ key, label, color }) => (
            <li key={key}>
              <span className="swatch" style={{ background: color }} aria-hidden="true" />
              {label}
            </li>
          ))}
        </ul>
      </figure>
    </div>
  );
}
