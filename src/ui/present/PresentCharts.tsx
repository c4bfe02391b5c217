/**
 * The presentation's live charts, in large type: test SRCC per epoch (every network), and the
 * training loss per step (each network's smoothed total), plus the results so far.
 */
import { memo, useMemo } from 'react';
import { CartesianGrid, Line, LineChart, XAxis, YAxis } from 'recharts';
import { finalFrom, type EpochEvent, type RunKind } from '../../core/train/history';
import type { StepLossSeries } from '../charts/lossSeries';
import { lossAxisTop } from '../charts/lossSeries';
import { BASELINE, CONTROL, ENSEMBLE, isDashed, metricRows, networksOf, peerNetwork } from '../charts/networks';
import { fmt3 } from './format';
import type { Palette } from './palette';

const axisOf = (c: Palette, fontSize: number) => ({ stroke: c.axis, tick: { fill: c.text, fontSize } }) as const;

export const SrccChart = memo(function SrccChart({ epochs, planned, palette, fontSize }: { epochs: Record<RunKind, EpochEvent[]>; planned: number; palette: Palette; fontSize: number }) {
  const nets = useMemo(() => networksOf(epochs), [epochs]);
  const rows = useMemo(() => metricRows(epochs, 'srcc'), [epochs]);
  return (
    <figure className="present-chart" aria-label="Test SRCC per epoch" data-testid="present-srcc" data-epochs={rows.length}>
      <figcaption>
        Test SRCC per epoch <span className="muted">· higher is better</span>
      </figcaption>
      <ul className="present-legend">
        {nets.map((n) => (
          <li key={n.key}>
            <svg width="28" height="12" aria-hidden="true">
              <line x1="1" y1="6" x2="27" y2="6" stroke={palette.net(n)} strokeWidth={4} strokeDasharray={isDashed(n) ? '6 3' : undefined} />
            </svg>
            {n.label}
          </li>
        ))}
      </ul>
      <div className="present-chart__plot">
        <LineChart responsive style={{ width: '100%', height: '100%' }} data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid stroke={palette.grid} strokeDasharray="3 3" />
          <XAxis dataKey="epoch" type="number" domain={[1, Math.max(2, planned)]} allowDecimals={false} {...axisOf(palette, fontSize)} />
          <YAxis domain={['auto', 'auto']} width={fontSize * 3.4} {...axisOf(palette, fontSize)} tickFormatter={(v: number) => v.toFixed(2)} />
          {nets.map((n) => (
            <Line
              key={n.key}
              dataKey={n.key}
              name={n.label}
              stroke={palette.net(n)}
              strokeWidth={n.which === 'ensemble' ? 5 : 3}
              strokeDasharray={isDashed(n) ? '7 4' : undefined}
              dot={{ r: 5, fill: palette.net(n), strokeWidth: 0 }}
              connectNulls
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </div>
    </figure>
  );
});

export function LossChart({ loss, version, palette, fontSize }: { loss: StepLossSeries; version: number; palette: Palette; fontSize: number }) {
  // `version` changes when steps arrived: the series is a mutable ref.
  const view = useMemo(() => loss.view(300), [loss, version]);
  const top = useMemo(() => lossAxisTop(view.map((v) => v.points)), [view]);
  const lines = view.map((v) => {
    const n = v.run === 'baseline' ? BASELINE : v.run === 'control' ? { ...CONTROL, key: `control${v.net}` } : peerNetwork(v.net);
    return { key: `${v.run}${v.net}`, label: n.label, color: palette.net(n), dashed: v.run === 'control', points: v.points };
  });
  const maxStep = Math.max(1, ...view.map((v) => v.points.at(-1)?.step ?? 1));
  return (
    <figure className="present-chart" aria-label="Training loss per step">
      <figcaption>
        Training loss per step <span className="muted">· total, smoothed</span>
      </figcaption>
      <ul className="present-legend">
        {lines.map((l) => (
          <li key={l.key}>
            <svg width="28" height="12" aria-hidden="true">
              <line x1="1" y1="6" x2="27" y2="6" stroke={l.color} strokeWidth={4} strokeDasharray={l.dashed ? '6 3' : undefined} />
            </svg>
            {l.label}
          </li>
        ))}
      </ul>
      <div className="present-chart__plot">
        <LineChart responsive style={{ width: '100%', height: '100%' }} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid stroke={palette.grid} strokeDasharray="3 3" />
          <XAxis dataKey="step" type="number" domain={[1, maxStep]} allowDecimals={false} {...axisOf(palette, fontSize)} />
          <YAxis domain={[0, top]} allowDataOverflow width={fontSize * 3.4} {...axisOf(palette, fontSize)} tickFormatter={(v: number) => fmt3(v)} />
          {lines.map((l) => (
            <Line key={l.key} data={l.points} dataKey="totalEma" name={l.label} stroke={l.color} strokeWidth={3} strokeDasharray={l.dashed ? '7 4' : undefined} dot={false} isAnimationActive={false} />
          ))}
        </LineChart>
      </div>
    </figure>
  );
}

/** The last epoch's test SRCC and PLCC per network, and DML − baseline. */
export function PresentResults({ history, palette }: { history: readonly EpochEvent[]; palette: Palette }) {
  const final = useMemo(() => finalFrom([...history]), [history]);
  const rows: { label: string; color: string; srcc: number; plcc: number; strong?: boolean }[] = [];
  if (final.baseline) rows.push({ label: BASELINE.label, color: palette.net(BASELINE), srcc: final.baseline.srcc, plcc: final.baseline.plcc });
  final.dml?.peers.forEach((m, k) => rows.push({ label: peerNetwork(k).label, color: palette.net(peerNetwork(k)), srcc: m.srcc, plcc: m.plcc }));
  if (final.dml) rows.push({ label: ENSEMBLE.label, color: palette.net(ENSEMBLE), srcc: final.dml.ensemble.srcc, plcc: final.dml.ensemble.plcc, strong: true });
  if (final.control) rows.push({ label: CONTROL.label, color: palette.net(CONTROL), srcc: final.control.ensemble.srcc, plcc: final.control.ensemble.plcc });
  if (!rows.length) return <p className="present-placeholder">Results appear after the first epoch.</p>;
  const epoch = Math.max(...history.map((e) => e.epoch));
  const diff = final.baseline && final.dml ? final.dml.ensemble.srcc - final.baseline.srcc : undefined;
  return (
    <table className="present-results" aria-label="Results">
      <caption>Results · test set, epoch {epoch}</caption>
      <thead>
        <tr>
          <th scope="col">network</th>
          <th scope="col">SRCC</th>
          <th scope="col">PLCC</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.label} className={r.strong ? 'strong' : undefined}>
            <th scope="row">
              <span className="swatch" style={{ background: r.color }} aria-hidden="true" />
              {r.label}
            </th>
            <td>{r.srcc.toFixed(3)}</td>
            <td>{r.plcc.toFixed(3)}</td>
          </tr>
        ))}
        {diff !== undefined && (
          <tr>
            <th scope="row">DML − baseline</th>
            <td>{(diff >= 0 ? '+' : '−') + Math.abs(diff).toFixed(3)}</td>
            <td />
          </tr>
        )}
      </tbody>
    </table>
  );
}
