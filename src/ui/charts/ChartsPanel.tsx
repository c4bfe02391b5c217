/** Step 4: watch it learn — loss per step, test metrics per epoch, predictions vs MOS, and the results. */
import { useMemo } from 'react';
import type { LabelledItem } from '../../core/data/types';
import type { RunKind } from '../../core/train/events';
import { finalFrom, type FinalMetrics } from '../../core/train/final';
import { ProxyNote } from '../common/ProxyNote';
import type { RunState } from '../run/runState';
import type { LossHistory } from './lossSeries';
import { LossCharts } from './LossCharts';
import { MetricCharts } from './MetricCharts';
import { PredictionScatter } from './PredictionScatter';
import { ResultsTable } from './ResultsTable';

interface Props {
  state: RunState;
  loss: LossHistory;
  lossVersion: number;
  items: LabelledItem[] | null;
  proxy: boolean;
}

/** The final metrics to show: the worker's result, or the last finished epochs when a run ended early. */
function finalOf(state: RunState): { final: FinalMetrics; note: string } | null {
  const lastEpoch = (r: RunKind) => state.epochs[r][state.epochs[r].length - 1];
  const epochsDone = Math.max(0, ...(['baseline', 'dml'] as RunKind[]).map((r) => lastEpoch(r)?.epoch ?? 0));
  if (state.result && (state.result.final.baseline || state.result.final.dml)) {
    const note = state.result.stopped ? `stopped after epoch ${epochsDone}` : `after ${epochsDone} epoch${epochsDone === 1 ? '' : 's'}`;
    return { final: state.result.final, note };
  }
  if (state.status !== 'error' && state.status !== 'stopped') return null;
  const final = finalFrom({ baseline: lastEpoch('baseline'), dml: lastEpoch('dml') });
  if (!final.baseline && !final.dml) return null;
  return { final, note: `the run ended early; last finished epoch ${epochsDone}` };
}

export function ChartsPanel({ state, loss, lossVersion, items, proxy }: Props) {
  const testMos = useMemo(() => {
    if (!state.split || !items) return null;
    const byFile = new Map(items.map((it) => [it.file, it.mos]));
    const mos = state.split.test.map((f) => byFile.get(f));
    return mos.every((m) => m !== undefined) ? (mos as number[]) : null;
  }, [state.split, items]);
  const final = finalOf(state);
  const started = state.plan !== null && (loss.count('baseline') > 0 || loss.count('dml') > 0 || state.epochs.baseline.length + state.epochs.dml.length > 0);

  return (
    <section className="panel charts-panel" aria-labelledby="charts-title">
      <h2 id="charts-title">
        <span className="step">4</span> Learning, live {proxy && <ProxyNote />}
      </h2>
      {!started && <p className="placeholder">The charts appear here once training starts: loss per step, test metrics per epoch, predictions against MOS.</p>}
      {final && <ResultsTable final={final.final} note={final.note} />}
      <MetricCharts epochs={state.epochs} planned={state.plan?.epochs ?? 1} />
      <LossCharts loss={loss} version={lossVersion} />
      <PredictionScatter epochs={state.epochs} testMos={testMos} />
    </section>
  );
}
