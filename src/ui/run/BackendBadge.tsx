/** Which compute backend runs the training and why; the candidates passed over on expand. */
import type { BackendReport } from '../../worker/protocol';

const NAMES = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'wasm', cpu: 'cpu' } as const;
const BINARIES = { 'threaded-simd': 'threaded SIMD', simd: 'SIMD', plain: 'plain' } as const;

export function BackendBadge({ report }: { report: BackendReport | null }) {
  if (!report) return null;
  const a = report.adapter;
  const w = report.wasm;
  return (
    <details className="backend-badge">
      <summary>
        <span className={`badge badge--${report.name}`}>
          Backend: {NAMES[report.name]}
          {w && ` (${BINARIES[w.binary]}, ${w.threads} thread${w.threads === 1 ? '' : 's'})`}
        </span>
        <span className="backend-badge__reason">{report.reason}</span>
      </summary>
      <div className="backend-badge__body">
        {w?.why && (
          <p>
            {w.binary === 'threaded-simd' ? `wasm: ${w.why}.` : `wasm runs its ${BINARIES[w.binary]} binary, single-threaded: ${w.why}.`}
          </p>
        )}
        {a && (
          <p>
            Adapter: {[a.vendor, a.architecture, a.description].filter(Boolean).join(' · ') || 'unnamed'}
            {a.isFallbackAdapter && ' — a software (fallback) adapter: correct but slow'}
          </p>
        )}
        {report.candidates.length > 0 && (
          <table className="mini-table">
            <caption>Backends considered</caption>
            <thead>
              <tr>
                <th scope="col">backend</th>
                <th scope="col">ms per step</th>
                <th scope="col">why not used</th>
              </tr>
            </thead>
            <tbody>
              {report.candidates.map((c) => (
                <tr key={c.name}>
                  <th scope="row">{NAMES[c.name]}</th>
                  <td>{c.msPerStep !== undefined ? c.msPerStep.toFixed(0) : '—'}</td>
                  <td>{c.name === report.name ? 'in use' : (c.skipped ?? '—')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </details>
  );
}
