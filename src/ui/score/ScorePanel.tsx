/**
 * Step 6: score new images — pick a stored run (or a TF.js model the user brings) and a
 * folder of images; the worker predicts them, the page shows the table and offers the CSV.
 */
import { memo, useState } from 'react';
import type { DatasetFile, ModelFile, ScoreModel, ScoreTable as Table } from '../../worker/protocol';
import type { CheckpointSlot, RunRecord } from '../../storage/runRecord';
import { ErrorBox } from '../common/ErrorBox';
import { filesFromFolderInput } from '../data/relativePath';
import type { RunTask } from '../runs/useTasks';
import { ScoreTable } from './ScoreTable';

interface Props {
  runs: RunRecord[];
  task: RunTask;
  slot: CheckpointSlot;
}

interface UserModel {
  files: ModelFile[];
  name: string;
  inputSize: [number, number] | null;
}

const ADVICE = { title: 'The images could not be scored', next: 'Read the message above, then choose another model or folder and press Score again.' };
/** React does not know webkitdirectory; it passes lower-case attributes through as they are. */
const DIRECTORY_ATTRS = { webkitdirectory: '', directory: '' } as Record<string, string>;

// memo: the page re-renders on every progress flush; this only needs its own props.
export const ScorePanel = memo(function ScorePanel({ runs, task, slot }: Props) {
  const scorable = runs.filter((r) => r.checkpoints.last);
  const [choice, setChoice] = useState('');
  const [user, setUser] = useState<UserModel | null>(null);
  const [size, setSize] = useState({ width: 224, height: 224 });
  const [images, setImages] = useState<{ name: string; files: DatasetFile[] } | null>(null);
  const [result, setResult] = useState<{ table: Table; images: DatasetFile[]; label: string } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The choice made, or the newest scorable run when that one is gone.
  const stillThere = (choice === 'user' && user !== null) || scorable.some((r) => `run:${r.id}` === choice);
  const current = stillThere ? choice : scorable[0] ? `run:${scorable[0].id}` : user ? 'user' : '';
  const runOf = (value: string) => scorable.find((r) => `run:${r.id}` === value);

  const work = async (what: string, job: () => Promise<void>) => {
    setBusy(what);
    setError(null);
    try {
      await job();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };
  const loadModel = (list: File[]) =>
    work('Loading the model…', async () => {
      const files = list.map((f) => ({ name: f.webkitRelativePath || f.name, file: f }));
      const r = await task({ task: 'checkModel', files });
      setUser({ files, name: r.name, inputSize: r.inputSize });
      setChoice('user');
    });
  const score = () =>
    work('Scoring the images…', async () => {
      if (!images || !current) return;
      setResult(null);
      const run = runOf(current);
      const model: ScoreModel = run
        ? { kind: 'run', runId: run.id, slot }
        : { kind: 'user', files: user!.files, size: user!.inputSize ? undefined : size };
      const table = await task({ task: 'score', model, images: images.files });
      setResult({ table, images: images.files, label: run?.name ?? user!.name });
    });

  return (
    <section className="panel score-panel" aria-labelledby="score-title">
      <h2 id="score-title">
        <span className="step">6</span> Score images
      </h2>
      <div className="score-fields">
        <div className="field">
          <label htmlFor="score-with">Score with</label>
          <select id="score-with" value={current} onChange={(e) => setChoice(e.currentTarget.value)}>
            {!current && <option value="">no model yet: train a run or load one</option>}
            {scorable.map((r) => (
              <option key={r.id} value={`run:${r.id}`}>
                {r.name} — epoch {(r.checkpoints[slot] ?? r.checkpoints.last)!.epoch} ({slot === 'best' && r.checkpoints.best ? 'best' : 'last'})
              </option>
            ))}
            {user && <option value="user">TF.js model: {user.name}</option>}
          </select>
        </div>
        <div className="field">
          <label htmlFor="tfjs-model">Load TF.js model</label>
          <input
            id="tfjs-model"
            type="file"
            multiple
            accept=".json,.bin,application/json,application/octet-stream"
            disabled={busy !== null}
            onChange={(e) => {
              const list = [...(e.currentTarget.files ?? [])];
              e.currentTarget.value = '';
              if (list.length) void loadModel(list);
            }}
          />
          <span className="hint">model.json and its .bin weight files, together.</span>
        </div>
        {current === 'user' && user && !user.inputSize && (
          <div className="field inline-fields">
            <label>
              Resize width <input type="number" min={8} value={size.width} onChange={(e) => setSize({ ...size, width: Number(e.currentTarget.value) })} />
            </label>
            <label>
              Resize height <input type="number" min={8} value={size.height} onChange={(e) => setSize({ ...size, height: Number(e.currentTarget.value) })} />
            </label>
          </div>
        )}
        <div className="field">
          <label htmlFor="score-images">Images to score</label>
          <input
            id="score-images"
            type="file"
            multiple
            {...DIRECTORY_ATTRS}
            onChange={(e) => {
              const list = e.currentTarget.files;
              if (list?.length) setImages(filesFromFolderInput(list));
            }}
          />
          {images && <span className="hint">Folder “{images.name}”: {images.files.length} files.</span>}
        </div>
      </div>
      <div className="button-row">
        <button type="button" className="primary" disabled={!current || !images || busy !== null} onClick={() => void score()}>
          Score
        </button>
        {busy && (
          <span className="status-line" role="status">
            {busy}
          </span>
        )}
      </div>
      {error && <ErrorBox advice={ADVICE} message={error} onDismiss={() => setError(null)} />}
      {result?.table.problems.map((p) => (
        <p className="hint" key={p}>
          {p}
        </p>
      ))}
      {result && <ScoreTable table={result.table} images={result.images} fileName={`scores-${result.label.replace(/[^\w.-]+/g, '_')}.csv`} />}
    </section>
  );
});
