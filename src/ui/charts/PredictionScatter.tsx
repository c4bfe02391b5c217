/** Predicted score vs MOS on the test set for one network and epoch, with the fitted 4-parameter logistic. */
import { memo, useMemo, useState } from 'react';
import { CartesianGrid, ComposedChart, Line, Scatter, Tooltip, XAxis, YAxis } from 'recharts';
import { fitLogistic } from '../../core/metrics';
import type { EpochEvent, RunKind } from '../../core/train/history';
import { AXIS, GRID, TOOLTIP } from './chartTheme';
import { metricsOf, networksOf, predictionsOf } from './networks';
import { ExportMenu } from './ExportMenu';

interface Props {
  epochs: Record<RunKind, EpochEvent[]>;
  /** MOS of the test images, in the order the worker's predictions come in. */
  testMos: number[] | null;
}

const MAX_POINTS = 2000;
const LATEST = 'latest';

// memo: the page re-renders on every progress flush; this only needs its own props.
export const PredictionScatter = memo(function PredictionScatter({ epochs, testMos }: Props) {
  const nets = useMemo(() => networksOf(epochs), [epochs]);
  const [netKey, setNetKey] = useState<string>('');
  const [epochChoice, setEpochChoice] = useState<string>(LATEST);
  const net = nets.find((n) => n.key === netKey) ?? nets.find((n) => n.key === 'ensemble') ?? nets[0];
  const list = net ? epochs[net.run] : [];
  const event = epochChoice === LATEST ? list[list.length - 1] : list.find((e) => String(e.epoch) === epochChoice) ?? list[list.length - 1];

  const plot = useMemo(() => {
    if (!net || !event || !testMos) return null;
    const pred = predictionsOf(event, net);
    if (!pred || pred.length !== testMos.length) return null;
    const stride = Math.max(1, Math.ceil(pred.length / MAX_POINTS));
    const points = [];
    for (let i = 0; i < pred.length; i += stride) if (Number.isFinite(pred[i]!)) points.push({ pred: pred[i]!, mos: testMos[i]! });
    const fit = fitLogistic(pred, testMos);
    const finite = pred.filter(Number.isFinite);
    const lo = Math.min(...finite);
    const hi = Math.max(...finite);
    const curve = fit.fitted && hi > lo ? Array.from({ length: 81 }, (_, i) => { const x = lo + ((hi - lo) * i) / 80; return { pred: x, fit: fit.predict(x) }; }) : [];
    return { points, curve, fitted: fit.fitted, metrics: metricsOf(event, net) };
  }, [net, event, testMos]);

  if (!net || !event) return null;
  return (
    <section aria-labelledby="scatter-title" className="chart-group scatter">
      <div className="chart-group__head">
        <h3 id="scatter-title">Predicted score vs MOS (test set)</h3>
        <div className="inline-fields">
          <label>
            Network{' '}
            <select value={net.key} onChange={(e) => setNetKey(e.target.value)}>
              {nets.map((n) => (
                <option key={n.key} value={n.key}>
                  {n.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Epoch{' '}
            <select value={epochChoice} onChange={(e) => setEpochChoice(e.target.value)}>
              <option value={LATEST}>latest ({list[list.length - 1]?.epoch})</option>
              {list.map((e) => (
                <option key={e.epoch} value={String(e.epoch)}>
                  {e.epoch}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>
      {!plot ? (
        <p className="hint">The predictions do not line up with the test images the page knows about, so they cannot be drawn.</p>
      ) : (
        <figure className="chart-figure" aria-label={`Predicted score against MOS, ${net.label}, epoch ${event.epoch}`}>
          <figcaption>
            <ExportMenu chart={`scatter-${net.key}-epoch${event.epoch}`} />
            {net.label}, epoch {event.epoch}: {plot.points.length} test images
            {plot.metrics && ` · SRCC ${plot.metrics.srcc.toFixed(3)} · PLCC ${plot.metrics.plcc.toFixed(3)}`}
            {plot.fitted ? ' · line: fitted 4-parameter logistic' : ' · no logistic fit possible (too few or constant predictions)'}
          </figcaption>
          <ComposedChart responsive style={{ width: '100%', height: 260 }} margin={{ top: 6, right: 12, bottom: 14, left: -8 }}>
            <CartesianGrid {...GRID} />
            <XAxis dataKey="pred" type="number" domain={['auto', 'auto']} name="prediction" {...AXIS} tickFormatter={(v: number) => v.toFixed(2)} label={{ value: 'prediction', position: 'insideBottom', offset: -8, fill: '#aab4c3', fontSize: 11 }} />
            <YAxis type="number" domain={['auto', 'auto']} {...AXIS} tickFormatter={(v: number) => v.toFixed(1)} label={{ value: 'MOS', angle: -90, position: 'insideLeft', offset: 18, fill: '#aab4c3', fontSize: 11 }} />
            <Tooltip {...TOOLTIP} formatter={(v, name) => [typeof v === 'number' ? v.toFixed(3) : String(v), name]} />
            <Scatter name="test image" data={plot.points} dataKey="mos" fill={net.color} fillOpacity={0.7} isAnimationActive={false} />
            {plot.curve.length > 0 && (
              <Line name="logistic fit" data={plot.curve} dataKey="fit" stroke="#ffd84d" strokeWidth={2} dot={false} activeDot={false} isAnimationActive={false} />
            )}
          </ComposedChart>
        </figure>
      )}
    </section>
  );
});
