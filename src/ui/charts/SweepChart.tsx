/**
 * The training-size sweep as a chart: x the training size, y the paired test SRCC difference,
 * one series each for DML − baseline and DML − independent pair, each point the mean over the
 * repeats with its 95% t interval as bars.
 */
import { CartesianGrid, ErrorBar, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { PairedDifference } from '../../core/metrics';
import type { SweepEntry } from '../../core/train/experiment';
import type { PairedSummary } from '../../core/train/history';
import { formatSigned } from '../common/format';
import { AXIS, GRID, TOOLTIP } from './chartTheme';

export const SWEEP_SERIES: { key: 'dml_vs_baseline' | 'dml_vs_control'; label: string; color: string }[] = [
  { key: 'dml_vs_baseline', label: 'DML ensemble − baseline', color: '#f4f6fa' },
  { key: 'dml_vs_control', label: 'DML ensemble − independent pair', color: '#5fd68f' },
];

type Row = Record<string, number | [number, number] | null>;

/** One row per size, in size order: each series' mean and its interval as distances below and above it (none for a single repeat). */
export function sweepRows(sweep: readonly Pick<SweepEntry, 'trainSize' | 'paired'>[]): Row[] {
  const err = (d: PairedDifference): [number, number] | null => (Number.isFinite(d.ci95[0]) && Number.isFinite(d.ci95[1]) ? [d.mean - d.ci95[0], d.ci95[1] - d.mean] : null);
  return [...sweep]
    .sort((a, b) => a.trainSize - b.trainSize)
    .map((e) => {
      const row: Row = { size: e.trainSize };
      for (const s of SWEEP_SERIES) {
        const d = e.paired[s.key as keyof Omit<PairedSummary, 'basis'>];
        row[s.key] = d && Number.isFinite(d.mean) ? d.mean : null;
        row[`${s.key}_ci`] = d ? err(d) : null;
      }
      return row;
    });
}

export function SweepChart({ sweep }: { sweep: readonly SweepEntry[] }) {
  const rows = sweepRows(sweep);
  const series = SWEEP_SERIES.filter((s) => sweep.some((e) => e.paired[s.key]));
  const basis = sweep[0]?.paired.basis === 'selected' ? 'validation-chosen epochs' : 'last epochs';
  return (
    <figure className="chart-figure" aria-label="Paired SRCC differences against training size" data-testid="sweep-chart" data-sizes={rows.length}>
      <figcaption>
        Paired test SRCC difference against training size <span className="muted">· mean over the repeats with its 95% interval, {basis}; above 0: DML's side won</span>
      </figcaption>
      <LineChart responsive style={{ width: '100%', height: 220 }} data={rows} margin={{ top: 8, right: 16, bottom: 14, left: -8 }}>
        <CartesianGrid {...GRID} />
        <XAxis
          dataKey="size"
          type="number"
          scale="linear"
          domain={['auto', 'auto']}
          ticks={rows.map((r) => r.size as number)}
          label={{ value: 'training size', position: 'insideBottom', offset: -8, fill: '#aab4c3', fontSize: 11 }}
          {...AXIS}
        />
        <YAxis type="number" domain={['auto', 'auto']} tickFormatter={(v: number) => v.toFixed(2)} {...AXIS} />
        <ReferenceLine y={0} stroke="#8a94a3" />
        <Tooltip
          {...TOOLTIP}
          labelFormatter={(v) => `training size ${v}`}
          formatter={(v, name) => [typeof v === 'number' ? formatSigned(v) : String(v), name]}
        />
        {series.map((s) => (
          <Line key={s.key} dataKey={s.key} name={s.label} stroke={s.color} strokeWidth={2} dot={{ r: 4, fill: s.color, strokeWidth: 0 }} connectNulls isAnimationActive={false}>
            <ErrorBar dataKey={`${s.key}_ci`} width={6} stroke={s.color} strokeWidth={1.5} direction="y" isAnimationActive={false} />
          </Line>
        ))}
      </LineChart>
      <ul className="legend">
        {series.map((s) => (
          <li key={s.key}>
            <span className="swatch" style={{ background: s.color }} aria-hidden="true" />
            {s.label}
          </li>
        ))}
      </ul>
    </figure>
  );
}
