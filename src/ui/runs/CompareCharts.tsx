/** Two or more stored runs overlaid on the test-metric charts. */
import { useMemo } from 'react';
import type { RunRecord } from '../../storage/runRecord';
import { METRICS, MetricChart } from '../charts/MetricCharts';
import { SeriesLegend } from '../charts/SeriesLegend';
import { compareNetworks, compareRows } from './compareSeries';

export function CompareCharts({ runs }: { runs: RunRecord[] }) {
  const nets = useMemo(() => compareNetworks(runs), [runs]);
  const rows = useMemo(() => Object.fromEntries(METRICS.map((m) => [m.key, compareRows(runs, m.key)])), [runs]);
  const planned = Math.max(1, ...runs.map((r) => r.config.epochs));
  return (
    <section aria-labelledby="compare-title" className="chart-group">
      <div className="chart-group__head">
        <h3 id="compare-title">Compare runs</h3>
        <SeriesLegend items={nets.map((n) => ({ label: n.label, color: n.color, dashed: n.dashed }))} />
      </div>
      <div className="metric-grid">
        {METRICS.map((m) => (
          <MetricChart key={m.key} metric={m} rows={rows[m.key]!} nets={nets} epochs={planned} testId="compare" />
        ))}
      </div>
    </section>
  );
}
