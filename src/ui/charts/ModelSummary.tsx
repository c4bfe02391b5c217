/**
 * The run's networks: per network its parameters (trainable, frozen, BatchNorm statistics) and,
 * for the one chosen, every layer with its output shape and parameters.
 */
import { useState } from 'react';
import type { NetworkSummary } from '../../core/models/summary';

export type SummaryState =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'done'; networks: NetworkSummary[] }
  | { status: 'error'; message: string };

const n = (v: number) => v.toLocaleString('en');
const shape = (s: NetworkSummary['layers'][number]['outputShape']) =>
  (Array.isArray(s[0]) ? (s as (number | null)[][]) : [s as (number | null)[]]).map((x) => `[${x.map((d) => d ?? 'batch').join(', ')}]`).join(' ');

export function ModelSummary({ state, onLoad, canLoad }: { state: SummaryState; onLoad: () => void; canLoad: boolean }) {
  const [chosen, setChosen] = useState(0);
  return (
    <section aria-labelledby="model-summary-title" className="chart-group model-summary">
      <div className="chart-group__head">
        <h3 id="model-summary-title">Model summary</h3>
      </div>
      {state.status === 'idle' && (
        <p className="hint">
          The networks are built in the background worker to count their layers.{' '}
          <button type="button" onClick={onLoad} disabled={!canLoad}>
            Show the model summary
          </button>
        </p>
      )}
      {state.status === 'loading' && (
        <p className="hint" role="status">
          Building the run’s networks to summarise them…
        </p>
      )}
      {state.status === 'error' && (
        <p className="warning-inline" role="alert">
          The model summary could not be made: {state.message}
        </p>
      )}
      {state.status === 'done' && <Summary networks={state.networks} chosen={Math.min(chosen, state.networks.length - 1)} onChoose={setChosen} />}
    </section>
  );
}

function Summary({ networks, chosen, onChoose }: { networks: NetworkSummary[]; chosen: number; onChoose: (i: number) => void }) {
  const net = networks[chosen];
  if (!net) return <p className="hint">This run has no networks.</p>;
  return (
    <>
      <table className="results-table" aria-label="Parameters per network">
        <caption>
          Parameters per network <span className="muted">· input {shape(net.inputShape)}</span>
        </caption>
        <thead>
          <tr>
            <th scope="col">network</th>
            <th scope="col">layers</th>
            <th scope="col">trainable</th>
            <th scope="col">frozen</th>
            <th scope="col">BatchNorm statistics</th>
            <th scope="col">total</th>
          </tr>
        </thead>
        <tbody>
          {networks.map((x) => (
            <tr key={x.network}>
              <th scope="row">{x.network}</th>
              <td>{x.layers.length}</td>
              <td>{n(x.trainableParams)}</td>
              <td>{n(x.frozenParams)}</td>
              <td>{n(x.statisticsParams)}</td>
              <td>{n(x.totalParams)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">
        Trainable: what the optimizer updates. Frozen: the weights of layers that never train (a pretrained body below the trainable layer), their BatchNorm statistics
        included. BatchNorm statistics: the moving mean and variance of trainable BatchNorm layers, updated by batches, not by gradients.
      </p>
      <details open={networks.length === 1}>
        <summary>
          Layers of{' '}
          <select aria-label="Network whose layers are listed" value={chosen} onChange={(e) => onChoose(Number(e.target.value))} onClick={(e) => e.stopPropagation()}>
            {networks.map((x, i) => (
              <option key={x.network} value={i}>
                {x.network}
              </option>
            ))}
          </select>{' '}
          ({net.layers.length})
        </summary>
        <table className="results-table layers" aria-label={`Layers of ${net.network}`}>
          <thead>
            <tr>
              <th scope="col">layer</th>
              <th scope="col">type</th>
              <th scope="col">output shape</th>
              <th scope="col">parameters</th>
              <th scope="col">trains</th>
            </tr>
          </thead>
          <tbody>
            {net.layers.map((l) => (
              <tr key={l.name}>
                <th scope="row">{l.name}</th>
                <td>{l.className}</td>
                <td>{shape(l.outputShape)}</td>
                <td>{n(l.params)}</td>
                <td className={l.trainable ? undefined : 'frozen'}>{l.className === 'InputLayer' ? '—' : l.trainable ? 'yes' : 'frozen'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </>
  );
}
