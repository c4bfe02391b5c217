/**
 * A training-size sweep's results: per size, its training images and the paired test SRCC
 * differences over the repeats (mean, 95% t interval, wins); the chart of them against the size;
 * the table as CSV and the whole experiment as JSON (the command line's results.json shape).
 */
import type { PairedDifference } from '../../core/metrics';
import { fileStem } from '../../core/io/fileStem';
import { datasetFromMeta, resultsFile, resultsJson } from '../../core/export/resultsFile';
import { experimentSummary, sweepCsv, sweepResults, type SweepEntry } from '../../core/train/experiment';
import { downloadText } from '../common/download';
import { formatSigned } from '../common/format';
import type { RunState } from '../run/runState';
import { SweepChart } from './SweepChart';

const COLUMNS = [
  { key: 'dml_vs_baseline', label: 'DML ensemble − baseline' },
  { key: 'dml_vs_control', label: 'DML ensemble − independent pair' },
  { key: 'peerA_vs_baseline', label: 'DML peer A − baseline' },
] as const;

function cell(d: PairedDifference | undefined): string {
  if (!d) return '—';
  const ci = Number.isFinite(d.ci95[0]) ? ` [${formatSigned(d.ci95[0])}, ${formatSigned(d.ci95[1])}]` : '';
  return `${formatSigned(d.mean)}${ci} · ${d.wins}/${d.perRepeat.length}`;
}

const range = (xs: readonly number[]) => (Math.min(...xs) === Math.max(...xs) ? String(xs[0]) : `${Math.min(...xs)}–${Math.max(...xs)}`);

/** `backend`: the one the runs trained on; the file's seconds are the runs' epochs' own. */
export function SweepResults({ sweep, experiment, backend }: { sweep: SweepEntry[]; experiment: RunState['experiment']; backend?: string }) {
  const cols = COLUMNS.filter((c) => sweep.some((e) => e.paired[c.key]));
  const meta = experiment?.meta;
  const stem = fileStem(meta?.name ?? 'sweep');
  const json = () => {
    if (!experiment) return;
    const dataset = meta?.dataset ?? { name: 'unnamed folder', scoreFileName: 'unnamed score file', proxy: false };
    const seconds = sweep.reduce((s, e) => s + e.repeats.reduce((t, r) => t + r.history.reduce((u, ev) => u + ev.seconds, 0), 0), 0);
    const file = resultsFile({
      ...(meta && { name: meta.name }),
      config: experiment.config,
      dataset: datasetFromMeta(dataset),
      ...(experiment.cross && { cross: datasetFromMeta(experiment.cross) }),
      backend: backend ?? 'unknown',
      runs: experimentSummary(sweepResults(sweep)),
      seconds,
    });
    downloadText(`${stem}-results.json`, resultsJson(file), 'application/json');
  };
  return (
    <div className="results">
      <table className="results-table" aria-label="Training-size sweep">
        <caption>
          Training-size sweep <span className="muted">— paired test SRCC differences over the repeats at each size: mean [95% interval] · wins</span>
        </caption>
        <thead>
          <tr>
            <th scope="col">training size</th>
            <th scope="col">images</th>
            {cols.map((c) => (
              <th scope="col" key={c.key}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sweep.map((e) => (
            <tr key={e.trainSize}>
              <th scope="row">{e.trainSize}</th>
              <td>{range(e.trainImages)}</td>
              {cols.map((c) => (
                <td key={c.key}>{cell(e.paired[c.key])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <SweepChart sweep={sweep} />
      <p className="hint">
        Every size is scored on the same validation and test images; an interval that contains 0 means the repeats show no difference at that size.
        {sweep.some((e) => e.paired.dml_vs_control) ? '' : ' Tick "With control" to see DML − independent pair, what mutual learning adds beyond ensembling.'}
      </p>
      <div className="button-row">
        <button type="button" onClick={() => downloadText(`${stem}-sweep.csv`, sweepCsv(sweep), 'text/csv')}>
          Download sweep (CSV)
        </button>
        <button type="button" onClick={json} disabled={!experiment}>
          Download results (JSON)
        </button>
      </div>
    </div>
  );
}
