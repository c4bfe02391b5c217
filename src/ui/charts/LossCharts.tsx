/**
 * Training loss per step, one small chart per network: supervised, mimicry and total,
 * smoothed (EMA) with the raw values faint behind. Shared y range so networks compare.
 */
import { memo, useMemo } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { AXIS, GRID, TOOLTIP } from './chartTheme';
import { lossAxisTop, type StepLossSeries, type LossPoint } from './lossSeries';
import { BASELINE, peerNetwork } from './networks';
import { SeriesLegend } from './SeriesLegend';
import { ExportMenu } from './ExportMenu';

const COMPONENTS = [
  { key: 'total', label: 'total', color: '#f4f6fa' },
  { key: 'supervised', label: 'supervised (MSE to MOS)', color: '#4fa8ff' },
  { key: 'mimicry', label: 'mimicry (MSE to peers)', color: '#ff9f43' },
] as const;

const fmt = (v: unknown) => (typeof v === 'number' ? (Number.isFinite(v) ? String(Number(v.toPrecision(3))) : String(v)) : String(v));

const LossChart = memo(function LossChart({ title, points, top, lone }: { title: string; points: LossPoint[]; top: number; lone: boolean }) {
  const comps = lone ? COMPONENTS.filter((c) => c.key !== 'mimicry') : COMPONENTS;
  return (
    <figure className="chart-figure" aria-label={`Training loss per step, ${title}`}>
      <figcaption>
        <ExportMenu chart={`loss-${title}`} />
        {title}
      </figcaption>
      <LineChart responsive style={{ width: '100%', height: 170 }} data={points} margin={{ top: 4, right: 10, bottom: 0, left: -14 }}>
        <CartesianGrid {...GRID} />
        <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} allowDecimals={false} {...AXIS} />
        <YAxis domain={[0, top]} ticks={[0, top / 4, top / 2, (3 * top) / 4, top]} allowDataOverflow {...AXIS} tickFormatter={(v: number) => fmt(v)} />
        <Tooltip {...TOOLTIP} labelFormatter={(s) => `step ${s}`} formatter={(v, name) => [fmt(v), name]} />
        {comps.map((c) => (
          <Line
            key={`${c.key}-raw`}
            dataKey={c.key}
            name={`${c.label}, raw`}
            stroke={c.color}
            strokeOpacity={0.22}
            strokeWidth={1}
            dot={false}
            activeDot={false}
            isAnimationActive={false}
            legendType="none"
          />
        ))}
        {comps.map((c) => (
          <Line key={c.key} dataKey={`${c.key}Ema`} name={c.label} stroke={c.color} strokeWidth={2} dot={false} isAnimationActive={false} />
        ))}
      </LineChart>
    </figure>
  );
});

export function LossCharts({ loss, version }: { loss: StepLossSeries; version: number }) {
  // `version` changes when new steps arrived: the history itself is a mutable ref.
  const view = useMemo(() => loss.view(500), [loss, version]);
  const top = useMemo(() => lossAxisTop(view.map((v) => v.points)), [view]);
  if (view.length === 0) return null;
  const anyDml = view.some((v) => v.run === 'dml');
  return (
    <section aria-labelledby="loss-title" className="chart-group">
      <div className="chart-group__head">
        <h3 id="loss-title">Training loss per step</h3>
        <SeriesLegend
          items={[
            ...COMPONENTS.filter((c) => anyDml || c.key !== 'mimicry').map((c) => ({ label: c.label, color: c.color })),
            { label: 'raw (unsmoothed)', color: '#f4f6fa', faint: true },
          ]}
        />
      </div>
      <div className="small-multiples">
        {view.map((v) => (
          <LossChart
            key={`${v.run}${v.net}`}
            title={v.run === 'baseline' ? BASELINE.label : peerNetwork(v.net).label}
            points={v.points}
            top={top}
            lone={v.run === 'baseline'}
          />
        ))}
      </div>
    </section>
  );
}
