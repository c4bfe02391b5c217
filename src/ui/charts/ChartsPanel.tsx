/** Step 4: watch it learn — loss per step, test metrics per epoch, predictions vs MOS, and the results. */
import { useCallback, useMemo, useRef } from 'react';
import type { LabelledItem } from '../../core/data/types';
import { epochsDone, finalFrom, type FinalMetrics } from '../../core/train/history';
import { ProxyNote } from '../common/ProxyNote';
import { isActive, unfinishedNote, type RunState } from '../run/runState';
import type { DatasetFile } from '../../worker/protocol';
import type { StepLossSeries } from './lossSeries';
import { LossCharts } from './LossCharts';
import { MetricCharts } from './MetricCharts';
import { epochsByKind } from './networks';
import { FeatureHeatmaps } from './FeatureHeatmaps';
import { PredictionScatter } from './PredictionScatter';
import { PairedResults } from './PairedResults';
import { ResultsTable } from './ResultsTable';
import { CrossResults } from './CrossResults';
import { SweepResults } from './SweepResults';
import { RunAnalysis } from './RunAnalysis';
import type { RunRecord } from '../../storage/runRecord';
import type { RunTask } from '../runs/useTasks';

interface Props {
  state: RunState;
  loss: StepLossSeries;
  lossVersion: number;
  items: LabelledItem[] | null;
  proxy: boolean;
  /** The dataset's files (the heatmaps draw their test image from them). */
  files?: readonly DatasetFile[];
  /** The stored runs (this run's config and name, for the exports) and the tasks worker (the model summary). */
  runs?: readonly RunRecord[];
  task?: RunTask;
  /** The config's heatmap test image, and how the heatmaps' picker chooses another (the config and, mid-run, the worker). */
  heatmapImage?: number;
  onHeatmapImage?: (position: number) => void;
}

const NO_FILES: readonly DatasetFile[] = [];

/** The final metrics to show, from the history drawn (the worker's result is the same history's), and how far the run got. */
function finalOf(state: RunState): { final: FinalMetrics; note: string } | null {
  const final = finalFrom(state.history);
  if (!final.baseline && !final.dml) return null;
  const done = Math.max(0, ...Object.values(epochsDone(state.history)));
  if (state.result) return { final, note: state.result.stopped ? `stopped after epoch ${done}` : `after ${done} epoch${done === 1 ? '' : 's'}` };
  if (state.status !== 'error' && state.status !== 'stopped') return null;
  return { final, note: `the run ended early; last finished epoch ${done}` };
}

export function ChartsPanel({ state, loss, lossVersion, items, proxy, files, runs, task, heatmapImage, onHeatmapImage }: Props) {
  // One function for the memoised heatmaps, whatever the page passes on each render.
  const chooseRef = useRef(onHeatmapImage);
  chooseRef.current = onHeatmapImage;
  const chooseHeatmapImage = useCallback((position: number) => chooseRef.current?.(position), []);
  const testMos = useMemo(() => {
    if (!state.split || !items) return null;
    const byFile = new Map(items.map((it) => [it.file, it.mos]));
    const mos = state.split.test.map((f) => byFile.get(f));
    return mos.every((m) => m !== undefined) ? (mos as number[]) : null;
  }, [state.split, items]);
  const final = finalOf(state);
  const epochs = useMemo(() => epochsByKind(state.history), [state.history]);
  const runName = runs?.find((r) => r.id === state.runId)?.name;
  const started = state.plan !== null && (loss.count('baseline') > 0 || loss.count('dml') > 0 || state.history.length > 0);

  return (
    <section className="panel charts-panel" aria-labelledby="charts-title" data-run-name={runName}>
      <h2 id="charts-title">
        <span className="step">4</span> Learning, live {proxy && <ProxyNote />}
      </h2>
      {!started && <p className="placeholder">The charts appear here once training starts: loss per step, test metrics per epoch, predictions against MOS.</p>}
      {state.repeats && <PairedResults finals={state.repeats.finals} paired={state.repeats.paired} />}
      {state.sweep && <SweepResults sweep={state.sweep} experiment={state.experiment} backend={state.backend?.name} />}
      {state.runs && state.runs.finished < state.runs.planned && <p className="hint" role="status">{unfinishedNote(state.runs)}</p>}
      {state.repeat && !state.repeats && !state.sweep && (
        <p className="hint" role="status">
          {state.repeat.trainSize !== undefined
            ? `Run ${state.repeat.index + 1} of ${state.repeat.count} (training size ${state.repeat.trainSize}): the charts show this run; the sweep's chart comes when every run is done.`
            : `Repeat ${state.repeat.index + 1} of ${state.repeat.count}: the charts show this repeat; the paired table comes when every repeat is done.`}
        </p>
      )}
      {final && <ResultsTable final={final.final} note={state.repeats || state.sweep ? `${final.note}, last run` : final.note} />}
      {final && <CrossResults final={final.final} set={state.experiment?.cross} />}
      <MetricCharts epochs={epochs} planned={state.plan?.epochs ?? 1} />
      <LossCharts loss={loss} version={lossVersion} />
      <PredictionScatter epochs={epochs} testMos={testMos} />
      <FeatureHeatmaps
        epochs={epochs}
        testFiles={state.split?.test ?? null}
        files={files ?? NO_FILES}
        chosen={heatmapImage}
        onChoose={onHeatmapImage ? chooseHeatmapImage : undefined}
        running={isActive(state.status)}
      />
      <RunAnalysis state={state} epochs={epochs} items={items} runs={runs} task={task} />
    </section>
  );
}
