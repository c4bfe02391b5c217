/**
 * The networks a run reports — the baseline, each DML peer, the DML ensemble, and the
 * independent pair's ensemble (the control, when trained) — with their
 * names and colours, and per-epoch metric rows for the charts.
 */
import type { IqaMetrics } from '../../core/metrics';
import type { EpochEvent, RunKind } from '../../core/train/history';
import { peerLetter, RUN_KINDS } from '../../core/train/history';

export type MetricKey = 'srcc' | 'plcc' | 'krcc' | 'rmse';

export interface Network {
  key: string;
  label: string;
  color: string;
  run: RunKind;
  /** Index into the run's peers, or 'ensemble'. */
  which: number | 'ensemble';
  /** Drawn dashed; by default the DML peers are. */
  dashed?: boolean;
}

export const isDashed = (n: Network) => n.dashed ?? (n.run === 'dml' && n.which !== 'ensemble');

/** A stored history (both run kinds, any order) as the charts take it: per kind, by epoch. */
export function epochsByKind(history: readonly EpochEvent[]): Record<RunKind, EpochEvent[]> {
  const sorted = [...history].sort((a, b) => a.epoch - b.epoch);
  const of = (run: RunKind) => sorted.filter((e) => e.run === run);
  return { baseline: of('baseline'), dml: of('dml'), control: of('control') };
}

const PEER_COLORS = ['#4fa8ff', '#5fd68f', '#c79bff', '#ff8fb8', '#60e0e0', '#e6c85c', '#a0b4ff', '#ffb36b'];
const BASELINE_COLOR = '#ff9f43';
const ENSEMBLE_COLOR = '#f4f6fa';


export function peerNetwork(k: number): Network {
  return { key: `peer${k}`, label: `DML peer ${peerLetter(k)}`, color: PEER_COLORS[k % PEER_COLORS.length]!, run: 'dml', which: k };
}
export const BASELINE: Network = { key: 'baseline', label: 'Baseline', color: BASELINE_COLOR, run: 'baseline', which: 0 };
export const ENSEMBLE: Network = { key: 'ensemble', label: 'DML ensemble', color: ENSEMBLE_COLOR, run: 'dml', which: 'ensemble' };
/** The control: the DML cohort trained with λ = 0, so its ensemble is what ensembling alone gives. */
export const CONTROL: Network = { key: 'control', label: 'Independent pair (λ = 0)', color: '#9aa3b2', run: 'control', which: 'ensemble', dashed: true };

/** The networks present in the epochs so far, in a fixed order: baseline, peers, ensemble. */
export function networksOf(epochs: Record<RunKind, EpochEvent[]>): Network[] {
  const out: Network[] = [];
  if (epochs.baseline.length) out.push(BASELINE);
  const d = epochs.dml[epochs.dml.length - 1];
  if (d) {
    d.test.peers.forEach((_, k) => out.push(peerNetwork(k)));
    if (d.test.ensemble) out.push(ENSEMBLE);
  }
  if (epochs.control.at(-1)?.test.ensemble) out.push(CONTROL);
  return out;
}

export function metricsOf(e: EpochEvent, n: Network): IqaMetrics | undefined {
  return n.which === 'ensemble' ? e.test.ensemble : e.test.peers[n.which];
}

export function predictionsOf(e: EpochEvent, n: Network): number[] | undefined {
  return n.which === 'ensemble' ? e.predictions.ensemble : e.predictions.peers[n.which];
}

/** One row per epoch: { epoch, baseline, peer0, peer1, ensemble } for one metric; NaN → null (a gap). */
export function metricRows(epochs: Record<RunKind, EpochEvent[]>, metric: MetricKey): Record<string, number | null>[] {
  const rows = new Map<number, Record<string, number | null>>();
  const nets = networksOf(epochs);
  for (const run of RUN_KINDS)
    for (const e of epochs[run]) {
      let row = rows.get(e.epoch);
      if (!row) rows.set(e.epoch, (row = { epoch: e.epoch }));
      for (const n of nets) {
        if (n.run !== run) continue;
        const v = metricsOf(e, n)?.[metric];
        row[n.key] = v !== undefined && Number.isFinite(v) ? v : null;
      }
    }
  return [...rows.values()].sort((a, b) => a.epoch! - b.epoch!);
}
