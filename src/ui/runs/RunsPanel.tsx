/**
 * Step 5: every stored run — rename, delete, continue, compare on the same charts, export its
 * model as a zip, import such a zip, export the experiment as a PyTorch project and import the
 * results.json its train.py writes — and the storage the runs take.
 */
import { useMemo, useState, type ReactNode } from 'react';
import type { CheckpointSlot, RunRecord } from '../../storage/runRecord';
import { downloadBlob } from '../common/download';
import { ErrorBox } from '../common/ErrorBox';
import { formatBytes } from '../common/format';
import { CompareCharts } from './CompareCharts';
import { GroupRows } from './GroupRows';
import { groupRunList } from '../../storage/runGroups';
import { RunRow } from './RunRow';
import { StorageBar } from './StorageBar';
import type { useRuns } from './useRuns';
import type { RunTask } from './useTasks';
import { SelectField } from '../common/SelectField';

interface Props {
  runs: ReturnType<typeof useRuns>;
  task: RunTask;
  /** The run this page trains now, and whether any is training. */
  activeRunId: string | null;
  training: boolean;
  slot: CheckpointSlot;
  onSlot: (slot: CheckpointSlot) => void;
  onContinue: (run: RunRecord) => void;
  /** Continue an experiment whole: its unfinished runs, in order. */
  onContinueGroup: (runs: RunRecord[]) => void;
  /** The continue prompt, when a run waits for its data. */
  children?: ReactNode;
}

const TASK_ADVICE = { title: 'That did not work', next: 'Read the message above; try again, or choose another file.' };

export function RunsPanel({ runs, task, activeRunId, training, slot, onSlot, onContinue, onContinueGroup, children }: Props) {
  const [selected, setSelected] = useState<string[]>([]);
  const [busy, setBusy] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const compared = useMemo(() => runs.runs.filter((r) => selected.includes(r.id)), [runs.runs, selected]);
  // Each experiment's runs together, under a row of their own.
  const entries = useMemo(() => groupRunList(runs.runs), [runs.runs]);

  const act = async (what: string, job: () => Promise<string>) => {
    setBusy(what);
    setError(null);
    setNote(null);
    try {
      setNote(await job());
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };
  const exportRun = (run: RunRecord) =>
    act(`Exporting “${run.name}”…`, async () => {
      const r = await task({ task: 'export', runId: run.id, slot });
      downloadBlob(r.fileName, new Blob([r.zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
      return `Exported ${r.fileName} (${formatBytes(r.zip.byteLength)}).`;
    });
  const exportPytorch = (run: RunRecord) =>
    act(`Exporting “${run.name}” as a PyTorch project…`, async () => {
      const r = await task({ task: 'exportPytorch', runId: run.id });
      downloadBlob(r.fileName, new Blob([r.zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
      const repeats = r.repeats > 1 ? ` with all ${r.repeats} repeats of the experiment` : '';
      return `Exported ${r.fileName} (${formatBytes(r.zip.byteLength)})${repeats}: unzip it and run python train.py --images <the image folder> (its README.md says more), then import the results.json it writes here.`;
    });
  const importResults = (file: File) =>
    act(`Importing ${file.name}…`, async () => {
      const r = await task({ task: 'importPytorch', file, fileName: file.name });
      await runs.refresh();
      const what = r.runs.length > 1 ? `${r.runs.length} runs (one per repeat)` : `“${r.runs[0]!.name}”`;
      return `Imported ${what} trained in PyTorch from ${file.name}: listed below, to compare with the runs trained here.`;
    });
  const importZip = (file: File) =>
    act(`Importing ${file.name}…`, async () => {
      const r = await task({ task: 'import', file, fileName: file.name });
      await runs.refresh();
      return `Imported “${r.name}” from ${file.name}: it is listed below and can score images.`;
    });

  return (
    <section className="panel runs-panel" aria-labelledby="runs-title">
      <h2 id="runs-title">
        <span className="step">5</span> Runs
      </h2>
      <StorageBar estimate={runs.estimate} onPersist={runs.persist} />
      <div className="runs-tools">
        <SelectField<CheckpointSlot>
          label="Weights to export and score"
          value={slot}
          options={[
            ['last', 'last epoch'],
            ['best', 'best test SRCC'],
          ]}
          onChange={onSlot}
        />
        <div className="field">
          <label htmlFor="model-zip">Model zip</label>
          <input
            id="model-zip"
            type="file"
            accept=".zip,application/zip"
            disabled={busy !== null}
            onChange={(e) => {
              const f = e.currentTarget.files?.[0];
              e.currentTarget.value = '';
              if (f) void importZip(f);
            }}
          />
          <span className="hint">Import model: a zip exported by the studio becomes a run.</span>
        </div>
        <div className="field">
          <label htmlFor="pytorch-results">PyTorch results.json</label>
          <input
            id="pytorch-results"
            type="file"
            accept=".json,application/json"
            disabled={busy !== null}
            onChange={(e) => {
              const f = e.currentTarget.files?.[0];
              e.currentTarget.value = '';
              if (f) void importResults(f);
            }}
          />
          <span className="hint">Import results.json: what an exported PyTorch project's train.py wrote becomes a run per repeat, marked “trained in PyTorch”.</span>
        </div>
      </div>
      {busy && (
        <p className="status-line" role="status">
          {busy}
        </p>
      )}
      {note && <p className="hint">{note}</p>}
      {error && <ErrorBox advice={TASK_ADVICE} message={error} onDismiss={() => setError(null)} />}
      {runs.error && <ErrorBox advice={TASK_ADVICE} message={runs.error} onDismiss={runs.dismissError} />}
      {children}
      {runs.loaded && runs.runs.length === 0 ? (
        <p className="placeholder">No runs yet. Every run you start is kept here, with its checkpoints, until you delete it.</p>
      ) : (
        <div className="runs-scroll">
          <table className="runs-table" aria-label="Runs">
            <thead>
              <tr>
                <th scope="col">compare</th>
                <th scope="col">name</th>
                <th scope="col">date</th>
                <th scope="col">dataset</th>
                <th scope="col">mode</th>
                <th scope="col">status</th>
                <th scope="col">final test metrics</th>
                <th scope="col">actions</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => {
                const row = (run: RunRecord) => (
                  <RunRow
                    key={run.id}
                    run={run}
                    active={run.id === activeRunId}
                    training={training}
                    selected={selected.includes(run.id)}
                    busy={busy !== null}
                    onSelect={(on) => setSelected((s) => (on ? [...s, run.id] : s.filter((id) => id !== run.id)))}
                    onRename={(name) => void runs.rename(run.id, name)}
                    onDelete={() => void runs.remove(run.id).then(() => setSelected((s) => s.filter((id) => id !== run.id)))}
                    onContinue={() => onContinue(run)}
                    onExport={() => void exportRun(run)}
                    onExportPytorch={() => void exportPytorch(run)}
                  />
                );
                if (entry.kind === 'run') return row(entry.run);
                const g = entry.group;
                const ids = new Set(g.runs.map((r) => r.id));
                return (
                  <GroupRows
                    key={`group:${g.id}`}
                    group={g}
                    active={activeRunId !== null && ids.has(activeRunId)}
                    training={training}
                    onContinue={onContinueGroup}
                    onDelete={() => void runs.removeGroup(g.id).then(() => setSelected((s) => s.filter((id) => !ids.has(id))))}
                  >
                    {g.runs.map(row)}
                  </GroupRows>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {compared.length === 1 && <p className="hint">Select one more run to compare them on the same charts.</p>}
      {compared.length >= 2 && <CompareCharts runs={compared} />}
    </section>
  );
}
