/**
 * Where a network errs on the test set: |prediction − MOS| against MOS as a 2-D histogram, SRCC
 * per distortion type for every network, and the ten worst-predicted images.
 */
import type { ErrorBasis, Histogram2D } from '../../core/metrics/errorAnalysis';
import { formatMetric, formatSigned } from '../common/format';
import { BASIS_WORDS, type ErrorView, type NetworkErrors, type TypeTable } from './errorAnalysisData';
import { ExportMenu } from './ExportMenu';

const W = 540;
const H = 300;
const M = { left: 52, right: 12, top: 8, bottom: 40 };

const fmtEdge = (v: number) => String(Number(v.toPrecision(4)));

/** Dark blue (few) to yellow (many), on the square root of the share of the fullest cell. */
function cellColor(count: number, max: number): string {
  const t = Math.sqrt(count / max);
  const mix = (a: number, b: number) => Math.round(a + (b - a) * t);
  return `rgb(${mix(31, 255)}, ${mix(70, 216)}, ${mix(120, 77)})`;
}

/** Every k-th edge label, so labels do not overlap. */
function tickEvery(n: number, room: number, perLabel: number): number {
  return Math.max(1, Math.ceil((n * perLabel) / room));
}

export function ErrorHistogramSvg({ h, label }: { h: Histogram2D; label: string }) {
  const nx = h.xEdges.length - 1;
  const ny = h.yEdges.length - 1;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const cw = pw / nx;
  const ch = ph / ny;
  const max = Math.max(1, ...h.counts.flat());
  const xEvery = tickEvery(nx + 1, pw, 34);
  const yEvery = tickEvery(ny + 1, ph, 16);
  return (
    <svg className="chart-svg" viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={label}>
      <rect x={M.left} y={M.top} width={pw} height={ph} fill="#10161d" stroke="#2a3340" />
      {h.counts.map((row, j) =>
        row.map((c, i) =>
          c > 0 ? (
            <g key={`${i}-${j}`}>
              <rect x={M.left + i * cw} y={M.top + (ny - 1 - j) * ch} width={cw} height={ch} fill={cellColor(c, max)} stroke="#10161d" strokeWidth={0.5}>
                <title>{`MOS ${fmtEdge(h.xEdges[i]!)}–${fmtEdge(h.xEdges[i + 1]!)}, |error| ${fmtEdge(h.yEdges[j]!)}–${fmtEdge(h.yEdges[j + 1]!)}: ${c} images`}</title>
              </rect>
              {cw >= 20 && ch >= 13 && (
                <text x={M.left + (i + 0.5) * cw} y={M.top + (ny - 0.5 - j) * ch} textAnchor="middle" dominantBaseline="central" fontSize={10} fill={c / max > 0.45 ? '#10161d' : '#e8edf4'}>
                  {c}
                </text>
              )}
            </g>
          ) : null,
        ),
      )}
      {h.xEdges.map((e, i) =>
        i % xEvery === 0 || i === nx ? (
          <g key={`x${i}`}>
            <line x1={M.left + i * cw} x2={M.left + i * cw} y1={M.top + ph} y2={M.top + ph + 4} stroke="#5b6675" />
            <text x={M.left + i * cw} y={M.top + ph + 15} textAnchor="middle" fontSize={11} fill="#aab4c3">
              {fmtEdge(e)}
            </text>
          </g>
        ) : null,
      )}
      {h.yEdges.map((e, j) =>
        j % yEvery === 0 || j === ny ? (
          <g key={`y${j}`}>
            <line x1={M.left - 4} x2={M.left} y1={M.top + (ny - j) * ch} y2={M.top + (ny - j) * ch} stroke="#5b6675" />
            <text x={M.left - 7} y={M.top + (ny - j) * ch} textAnchor="end" dominantBaseline="central" fontSize={11} fill="#aab4c3">
              {fmtEdge(e)}
            </text>
          </g>
        ) : null,
      )}
      <text x={M.left + pw / 2} y={H - 6} textAnchor="middle" fontSize={11} fill="#aab4c3">
        MOS
      </text>
      <text transform={`translate(13 ${M.top + ph / 2}) rotate(-90)`} textAnchor="middle" fontSize={11} fill="#aab4c3">
        |prediction − MOS|
      </text>
    </svg>
  );
}

interface Props {
  all: readonly NetworkErrors[];
  shown: NetworkErrors;
  view: ErrorView;
  types: TypeTable | null;
  basis: ErrorBasis;
  onBasis: (b: ErrorBasis) => void;
  onNetwork: (key: string) => void;
}

export function ErrorAnalysis({ all, shown, view, types, basis, onBasis, onNetwork }: Props) {
  const h = view.histogram;
  const label = `|prediction − MOS| against MOS, ${shown.net.label}, epoch ${shown.epoch}`;
  return (
    <section aria-labelledby="error-analysis-title" className="chart-group error-analysis">
      <div className="chart-group__head">
        <h3 id="error-analysis-title">Error analysis (test set)</h3>
        <div className="inline-fields">
          <label>
            Network{' '}
            <select value={shown.net.key} onChange={(e) => onNetwork(e.target.value)}>
              {all.map((n) => (
                <option key={n.net.key} value={n.net.key}>
                  {n.net.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Errors on{' '}
            <select value={basis} onChange={(e) => onBasis(e.target.value as ErrorBasis)}>
              <option value="raw">raw predictions</option>
              <option value="logistic">after the logistic fit</option>
            </select>
          </label>
        </div>
      </div>
      <p className="hint">
        {shown.net.label}, epoch {shown.epoch} (the newest epoch: a run keeps each image’s prediction for its last epoch only), {BASIS_WORDS[basis]}
        {basis === 'logistic' && !shown.fitted && ' — the logistic could not be fitted here, so these are the raw predictions'}. The bins are the same for every network.
      </p>
      <div className="error-analysis__grid">
        <figure className="chart-figure" aria-label={`Error histogram: ${label}`} data-testid="error-histogram">
          <figcaption>
            <ExportMenu chart="error-histogram" />
            |prediction − MOS| against MOS · {shown.net.label}, epoch {shown.epoch} · {h.counted} images
            {h.outside > 0 && ` (${h.outside} left out: no finite prediction)`}
          </figcaption>
          <ErrorHistogramSvg h={h} label={label} />
          <details>
            <summary className="hint">The counts as a table</summary>
            <table className="results-table" aria-label="Error histogram counts">
              <thead>
                <tr>
                  <th scope="col">|error| \ MOS</th>
                  {h.xEdges.slice(0, -1).map((e, i) => (
                    <th scope="col" key={i}>
                      {fmtEdge(e)}–{fmtEdge(h.xEdges[i + 1]!)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {[...h.counts.keys()].reverse().map((j) => (
                  <tr key={j}>
                    <th scope="row">
                      {fmtEdge(h.yEdges[j]!)}–{fmtEdge(h.yEdges[j + 1]!)}
                    </th>
                    {h.counts[j]!.map((c, i) => (
                      <td key={i}>{c}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </figure>
        <div>
          <table className="results-table" aria-label="Ten worst-predicted test images">
            <caption>
              The {view.worst.length} worst-predicted test images <span className="muted">· {shown.net.label}</span>
            </caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col" className="file">
                  image
                </th>
                {types && <th scope="col">type</th>}
                <th scope="col">prediction</th>
                <th scope="col">MOS</th>
                <th scope="col">prediction − MOS</th>
              </tr>
            </thead>
            <tbody>
              {view.worst.map((w, i) => (
                <tr key={w.index}>
                  <th scope="row">{i + 1}</th>
                  <td className="file">{w.file}</td>
                  {types && <td>{w.type ?? '—'}</td>}
                  <td>{formatMetric(w.prediction)}</td>
                  <td>{formatMetric(w.mos)}</td>
                  <td>{Number.isNaN(w.error) ? 'not a number' : formatSigned(w.error)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      {types ? (
        <table className="results-table" aria-label="SRCC per distortion type">
          <caption>
            SRCC per distortion type{' '}
            <span className="muted">
              · types from the image names (I&lt;ref&gt;_&lt;type&gt;_&lt;level&gt;) or the score file’s distortion-type column; a type with fewer than {types.minImages} test images
              gets no SRCC
            </span>
          </caption>
          <thead>
            <tr>
              <th scope="col">type</th>
              <th scope="col">test images</th>
              {types.byNetwork.map((b) => (
                <th scope="col" key={b.net.key}>
                  {b.net.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {types.types.map((t, r) => (
              <tr key={t.type}>
                <th scope="row">{t.type}</th>
                <td>{t.n}</td>
                {types.byNetwork.map((b) => {
                  const s = b.rows[r]?.srcc;
                  return <td key={b.net.key}>{s === null || s === undefined ? `— (${t.n} image${t.n === 1 ? '' : 's'})` : formatMetric(s)}</td>;
                })}
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="hint">
          No SRCC per distortion type: neither the test images’ names (KADID-10k / TID2013 names such as I01_03_02.png carry one) nor a distortion-type column of the
          score file (dis_type) gives a type.
        </p>
      )}
      {types && types.untyped > 0 && <p className="hint">{types.untyped} test images have no distortion type and are in no row.</p>}
    </section>
  );
}
