/** Test SRCC, PLCC, KRCC and RMSE per epoch: baseline, each peer and the ensemble on the same axes. */
import { memo, useMemo } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { EpochEvent, RunKind } from '../../core/train/history';
import { AXIS, GRID, TOOLTIP } from './chartTheme';
import { isDashed, metricRows, networksOf, type MetricKey, type Network } from './networks';
import { SeriesLegend } from './SeriesLegend';
import { ExportMenu } from './ExportMenu';

export const METRICS: { key: MetricKey; title: string; better: string }[] = [
  { key: 'srcc', title: 'SRCC', better: 'higher is better' },
  { key: 'plcc', title: 'PLCC (logistic fit)', better: 'higher is better' },
  { key: 'krcc', title: 'KRCC', better: 'higher is better' },
  { key: 'rmse', title: 'RMSE', better: 'lower is better' },
];

export const MetricChart = memo(function MetricChart({
  metric,
  rows,
  nets,
  epochs,
  testId = 'metric',
}: {
  metric: (typeof METRICS)[number];
  rows: Record<string, number | null>[];
  nets: Network[];
  epochs: number;
  /** data-testid is `${testId}-${metric}` (another chart group uses another prefix). */
  testId?: string;
}) {
  return (
    <figure className="chart-figure" aria-label={`Test ${metric.title} per epoch`} data-testid={`${testId}-${metric.key}`} data-epochs={rows.length}>
      <figcaption>
        <ExportMenu chart={`test-${metric.key}`} />
        Test {metric.title} <span className="muted">· {metric.better}</span>
      </figcaption>
      <LineChart responsive style={{ width: '100%', height: 170 }} data={rows} margin={{ top: 4, right: 10, bottom: 0, left: -14 }}>
        <CartesianGrid {...GRID} />
        <XAxis dataKey="epoch" type="number" domain={[1, Math.max(2, epochs)]} allowDecimals={false} {...AXIS} />
        <YAxis
          domain={metric.key === 'rmse' ? [0, 'auto'] : ['auto', 'auto']}
          {...AXIS}
          tickFormatter={(v: number) => v.toFixed(2)}
        />
        <Tooltip {...TOOLTIP} labelFormatter={(e) => `epoch ${e}`} formatter={(v, name) => [typeof v === 'number' ? v.toFixed(3) : String(v), name]} />
        {nets.map((n) => (
          <Line
            key={n.key}
            dataKey={n.key}
            name={n.label}
            stroke={n.color}
            strokeWidth={n.which === 'ensemble' ? 3 : 2}
            strokeDasharray={isDashed(n) ? '5 3' : undefined}
            dot={{ r: 3, fill: n.color, strokeWidth: 0 }}
            connectNulls
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </figure>
  );
});

export function MetricCharts({ epochs, planned }: { epochs: Record<RunKind, EpochEvent[]>; planned: number }) {
  const nets = useMemo(() => networksOf(epochs), [epochs]);
  const rows = useMemo(() => Object.fromEntries(METRICS.map((m) => [m.key, metricRows(epochs, m.key)])), [epochs]);
  if (nets.length === 0) return null;
  return (
    <section aria-labelledby="metrics-title" className="chart-group">
      <div className="chart-group__head">
        <h3 id="metrics-title">Test metrics per epoch</h3>
        <SeriesLegend items={nets.map((n) => ({ label: n.label, color: n.color, dashed: isDashed(n) }))} />
      </div>
      <div className="metric-grid">
        {METRICS.map((m) => (
          <MetricChart key={m.key} metric={m} rows={rows[m.key]!} nets={nets} epochs={planned} />
        ))}
      </div>
    </section>
  );
}
