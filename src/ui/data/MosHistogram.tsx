/** How the scores spread: a histogram with mean and SD (every score oriented higher-is-better). */
import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import type { LabelledItem } from '../../core/data/types';
import { summarize } from '../../core/metrics/summary';
import { ProxyNote } from '../common/ProxyNote';

interface Props {
  items: LabelledItem[];
  proxy: boolean;
}

function histogram(values: readonly number[], bins: number): { x: string; from: number; to: number; count: number }[] {
  if (values.length === 0) return [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (hi === lo) hi = lo + 1;
  const w = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v - lo) / w))]!++;
  const digits = w >= 10 ? 0 : w >= 1 ? 1 : 2;
  return counts.map((count, i) => ({ x: (lo + (i + 0.5) * w).toFixed(digits), from: lo + i * w, to: lo + (i + 1) * w, count }));
}

export function MosHistogram({ items, proxy }: Props) {
  const { data, mean, sd, min, max } = useMemo(() => {
    const v = items.map((it) => it.mos);
    const { mean, std, n } = summarize(v);
    const bins = Math.max(8, Math.min(30, Math.round(Math.sqrt(n))));
    return { data: histogram(v, bins), mean, sd: n > 1 ? std : 0, min: Math.min(...v), max: Math.max(...v) };
  }, [items]);
  return (
    <figure className="chart-figure" aria-label="Histogram of the scores">
      <figcaption>
        Score histogram — {items.length} images, mean {mean.toFixed(2)}, SD {sd.toFixed(2)}, range {min.toFixed(2)}–{max.toFixed(2)}
        {proxy && <ProxyNote />}
      </figcaption>
      <BarChart responsive style={{ width: '100%', height: 150 }} data={data} margin={{ top: 4, right: 8, bottom: 0, left: -20 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" vertical={false} />
        <XAxis dataKey="x" tick={{ fill: 'var(--muted)', fontSize: 11 }} stroke="var(--axis)" interval="preserveStartEnd" />
        <YAxis allowDecimals={false} tick={{ fill: 'var(--muted)', fontSize: 11 }} stroke="var(--axis)" />
        <Tooltip
          contentStyle={{ background: 'var(--panel-2)', border: '1px solid var(--border)' }}
          labelFormatter={(_, p) => {
            const row = p?.[0]?.payload as { from: number; to: number } | undefined;
            return row ? `score ${row.from.toFixed(2)}–${row.to.toFixed(2)}` : '';
          }}
          formatter={(v) => [v, 'images']}
        />
        <Bar dataKey="count" fill="var(--accent)" isAnimationActive={false} />
      </BarChart>
    </figure>
  );
}
