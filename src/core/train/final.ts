/**
 * A run's results from its epoch events. No tfjs here (types only), so the page can use it
 * without pulling in the training code.
 */
import type { IqaMetrics } from '../metrics';
import type { EpochEvent, HistoryRow, RunKind } from './events';

export interface FinalMetrics {
  baseline?: IqaMetrics;
  dml?: { ensemble: IqaMetrics; peers: IqaMetrics[] };
}

export function historyRow(e: EpochEvent): HistoryRow {
  const loss = e.trainLoss.total.reduce((a, b) => a + b, 0) / e.trainLoss.total.length;
  return { mode: e.run, epoch: e.epoch, loss, test: e.test };
}

/** The last event of each run kind in a history. */
export function lastEvents(history: readonly EpochEvent[]): Partial<Record<RunKind, EpochEvent>> {
  const last: Partial<Record<RunKind, EpochEvent>> = {};
  for (const e of history) if (!last[e.run] || last[e.run]!.epoch <= e.epoch) last[e.run] = e;
  return last;
}

/** Final metrics from each kind's last event; a kind whose metrics are missing (e.g. a DML event without an ensemble) is left out. */
export function finalFrom(last: Partial<Record<RunKind, EpochEvent>>): FinalMetrics {
  const final: FinalMetrics = {};
  if (last.baseline?.test.peers[0]) final.baseline = last.baseline.test.peers[0];
  if (last.dml?.test.ensemble) final.dml = { ensemble: last.dml.test.ensemble, peers: last.dml.test.peers };
  return final;
}
