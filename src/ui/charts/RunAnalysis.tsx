/**
 * After (or during) a run: its results as files (CSV, results.json, a one-page HTML report with
 * every chart), the error analysis and the model summary. Mounted at the foot of the charts panel.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { LabelledItem } from '../../core/data/types';
import { resultsJson } from '../../core/export/resultsFile';
import { resultsCsv } from '../../core/export/resultsTable';
import { runReportHtml, type ReportChart } from '../../core/export/runReport';
import { fileStem } from '../../core/io/fileStem';
import type { ErrorBasis } from '../../core/metrics/errorAnalysis';
import { srccByType } from '../../core/metrics/errorAnalysis';
import { epochsDone, finalFrom, type EpochEvent, type RunKind } from '../../core/train/history';
import { groupRunList } from '../../storage/runGroups';
import type { RunRecord } from '../../storage/runRecord';
import { downloadText } from '../common/download';
import { isActive, type RunState } from '../run/runState';
import type { RunTask } from '../runs/useTasks';
import { chartSvgIn, figureLegend, figureTitle, serializeChart } from './chartExport';
import { ErrorAnalysis } from './ErrorAnalysis';
import { BASIS_WORDS, errorView, networkErrors, sharedEdges, testSetOf, typeTable } from './errorAnalysisData';
import './exports.css';
import { ModelSummary, type SummaryState } from './ModelSummary';
import { runResultsFile } from './runResultsFile';

interface Props {
  state: RunState;
  epochs: Record<RunKind, EpochEvent[]>;
  items: LabelledItem[] | null;
  /** The stored runs: this run's record (config, name, dataset) and its repeats'. */
  runs?: readonly RunRecord[];
  task?: RunTask;
}

/** This run's stored record and, when it is one run of an experiment (repeats, a sweep), that experiment's group. */
function recordsOf(runs: readonly RunRecord[] | undefined, runId: string | null) {
  const record = runId ? runs?.find((r) => r.id === runId) : undefined;
  const entry = record?.group && groupRunList(runs ?? []).find((e) => e.kind === 'group' && e.group.id === record.group!.id);
  return { record, group: entry && entry.kind === 'group' ? entry.group : undefined };
}

export function RunAnalysis({ state, epochs, items, runs, task }: Props) {
  const root = useRef<HTMLDivElement>(null);
  const [basis, setBasis] = useState<ErrorBasis>('raw');
  const [netKey, setNetKey] = useState('');
  const [summary, setSummary] = useState<SummaryState>({ status: 'idle' });
  const [exportError, setExportError] = useState<string | null>(null);
  const { record, group } = recordsOf(runs, state.runId);
  const active = isActive(state.status);

  const test = useMemo(() => testSetOf(state.split?.test, items), [state.split, items]);
  const all = useMemo(() => (test ? networkErrors(epochs, test, basis) : []), [epochs, test, basis]);
  const shown = all.find((n) => n.net.key === netKey) ?? all.find((n) => n.net.key === 'ensemble') ?? all[0];
  const analysis = useMemo(() => {
    if (!test || !shown) return null;
    return { view: errorView(shown, test, sharedEdges(all, test)), types: typeTable(all, test) };
  }, [all, shown, test]);

  // A new run forgets the last one's summary; a finished one gets its own (built in the tasks worker, so not while training competes for the cores).
  const runId = state.runId;
  useEffect(() => setSummary({ status: 'idle' }), [runId]);
  const loadSummary = useCallback(() => {
    if (!task || !runId) return;
    setSummary({ status: 'loading' });
    task({ task: 'modelSummary', runId }).then(
      (r) => setSummary({ status: 'done', networks: r.networks }),
      (e: unknown) => setSummary({ status: 'error', message: (e as Error).message }),
    );
  }, [task, runId]);
  const stored = !!record;
  useEffect(() => {
    if (!active && stored && summary.status === 'idle' && state.history.length > 0) loadSummary();
  }, [active, stored, summary.status, state.history.length, loadSummary]);

  if (state.history.length === 0) return null;
  const final = finalFrom(state.history);
  const lastEpochs = epochsDone(state.history);
  const runName = record?.name ?? 'run';
  const stem = fileStem(runName);

  const attempt = (what: string, act: () => void) => {
    setExportError(null);
    try {
      act();
    } catch (e) {
      setExportError(`${what} did not work: ${(e as Error).message}`);
    }
  };

  const json = () =>
    attempt('The results.json download', () => {
      const file = runResultsFile(record, group, {
        split: state.split,
        history: state.history,
        final,
        backend: state.backend,
        seconds: state.startedAt !== null ? ((state.endedAt ?? performance.now()) - state.startedAt) / 1000 : 0,
        problems: state.problems,
      });
      downloadText(`${stem}-results.json`, resultsJson(file), 'application/json');
    });

  const csv = () => attempt('The CSV download', () => downloadText(`${stem}-results.csv`, resultsCsv({ final, lastEpochs, ...(state.repeats && { repeats: state.repeats }) }), 'text/csv'));

  const html = () =>
    attempt('The HTML report', () => {
      const panel = root.current?.closest('.charts-panel') ?? document;
      const charts: ReportChart[] = [];
      for (const figure of panel.querySelectorAll('figure')) {
        const svg = chartSvgIn(figure);
        if (svg) charts.push({ title: figureTitle(figure), svg: serializeChart(svg, { legend: figureLegend(figure) }).svg });
      }
      const errors =
        analysis && shown && test
          ? {
              caption: `${shown.net.label}, epoch ${shown.epoch}; errors on ${BASIS_WORDS[basis]}.`,
              ...(analysis.types && { byType: { ...srccByType(shown.raw, test.mos, test.types), minImages: analysis.types.minImages } }),
              worst: analysis.view.worst,
            }
          : null;
      const text = runReportHtml({
        runName,
        generated: new Date().toLocaleString('en-GB'),
        dataset: { name: record?.dataset.name ?? '—', scoreFile: record?.dataset.scoreFileName ?? '', ...(record && { images: record.dataset.imageCount }), proxy: record?.dataset.proxy ?? false },
        config: record?.config ?? {},
        ...(state.backend && { backend: state.backend.name }),
        ...(state.split && { split: { train: state.split.train.length, val: state.split.val.length, test: state.split.test.length, reason: state.split.reason } }),
        status: active ? `in progress (${state.status})` : state.status === 'done' ? 'finished' : state.status,
        final: final.baseline || final.dml ? final : null,
        lastEpochs,
        repeats: state.repeats,
        errorAnalysis: errors,
        model:
          summary.status === 'done'
            ? { networks: summary.networks.map((x) => ({ network: x.network, layers: x.layers.length, trainable: x.trainableParams, frozen: x.frozenParams, statistics: x.statisticsParams })) }
            : null,
        charts,
      });
      downloadText(`${stem}-report.html`, text, 'text/html');
    });

  return (
    <div className="run-analysis" ref={root}>
      <section aria-labelledby="exports-title" className="chart-group">
        <div className="chart-group__head">
          <h3 id="exports-title">Export the results</h3>
        </div>
        <div className="results-export" role="group" aria-label="Export the results">
          <button type="button" onClick={csv}>
            Results (CSV)
          </button>
          <button type="button" onClick={json} disabled={!record} title={record ? undefined : 'This run is not stored, so its config is not known.'}>
            Results (JSON)
          </button>
          <button type="button" onClick={html}>
            HTML report
          </button>
          <span className="hint">
            {active ? 'The run is still going: the files hold the epochs finished so far. ' : ''}
            The report is one page with the config, the results and every chart; it opens offline. Each chart also has its own Export menu (SVG, PNG).
          </span>
        </div>
        {exportError && (
          <p className="warning-inline" role="alert">
            {exportError}
          </p>
        )}
      </section>
      {analysis && shown && (
        <ErrorAnalysis all={all} shown={shown} view={analysis.view} types={analysis.types} basis={basis} onBasis={setBasis} onNetwork={setNetKey} />
      )}
      {task && <ModelSummary state={summary} onLoad={loadSummary} canLoad={stored} />}
    </div>
  );
}
