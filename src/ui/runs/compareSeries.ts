/**
 * Several stored runs on the same metric charts: each run in its own colour, its baseline
 * dashed and its DML ensemble solid; one row per epoch with every run's values.
 */
import type { EpochEvent } from '../../core/train/history';
import { BASELINE, ENSEMBLE, epochsByKind, metricRows, type MetricKey, type Network } from '../charts/networks';

const RUN_COLORS = ['#4fa8ff', '#ff9f43', '#5fd68f', '#c79bff', '#ff8fb8', '#60e0e0', '#e6c85c', '#a0b4ff'];

export interface ComparedRun {
  name: string;
  history: readonly EpochEvent[];
}

const key = (i: number, net: 'baseline' | 'ensemble') => `r${i}_${net}`;

export function compareNetworks(runs: readonly ComparedRun[]): Network[] {
  return runs.flatMap((r, i) => {
    const color = RUN_COLORS[i % RUN_COLORS.length]!;
    const { baseline, dml } = epochsByKind(r.history);
    const label = `${i + 1}. ${r.name}`;
    const out: Network[] = [];
    if (baseline.length) out.push({ ...BASELINE, key: key(i, 'baseline'), label: `${label} · baseline`, color, dashed: true });
    if (dml.some((e) => e.test.ensemble)) out.push({ ...ENSEMBLE, key: key(i, 'ensemble'), label: `${label} · DML ensemble`, color, dashed: false });
    return out;
  });
}

/** { epoch, r0_baseline, r0_ensemble, r1_baseline, … } per epoch any run reached; null where a value is NaN. */
export function compareRows(runs: readonly ComparedRun[], metric: MetricKey): Record<string, number | null>[] {
  const rows = new Map<number, Record<string, number | null>>();
  runs.forEach((r, i) => {
    for (const row of metricRows(epochsByKind(r.history), metric)) {
      const epoch = row.epoch!;
      const merged = rows.get(epoch) ?? { epoch };
      if (row.baseline !== undefined) merged[key(i, 'baseline')] = row.baseline;
      if (row.ensemble !== undefined) merged[key(i, 'ensemble')] = row.ensemble;
      rows.set(epoch, merged);
    }
  });
  return [...rows.values()].sort((a, b) => a.epoch! - b.epoch!);
}
