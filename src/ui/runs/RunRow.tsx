/** One stored run in the runs table: what it is, how it ended, and what can be done with it. */
import { useState } from 'react';
import type { RunRecord } from '../../storage/runRecord';
import { formatMetric } from '../common/format';
import { CONTINUABLE } from '../../storage/runGroups';

interface Props {
  run: RunRecord;
  /** This page's worker is training it now. */
  active: boolean;
  /** A run is training in this page: no other can be continued. */
  training: boolean;
  selected: boolean;
  busy: boolean;
  onSelect: (on: boolean) => void;
  onRename: (name: string) => void;
  onDelete: () => void;
  onContinue: () => void;
  onExport: () => void;
  onExportPytorch: () => void;
}

const MODE_WORDS = { baseline: 'baseline', dml: 'DML', both: 'baseline + DML' } as const;
/** Why a run brought back from PyTorch has only some of the actions. */
const PYTORCH_ONLY =
  'Trained in PyTorch (an exported project’s results.json): the studio has its metrics, not its networks, so it cannot export its model, score images or continue it.';

/** Why "Export as PyTorch project" is off for this run, or null when it is on. */
function pytorchExportBlock(run: RunRecord): string | null {
  if (run.source === 'pytorch') return `${PYTORCH_ONLY} Export the studio run it came from instead.`;
  if (!run.scores) return 'This run was stored before the studio kept each image’s score with it, which train.py needs: train it again to export it.';
  return null;
}

function epochsDone(run: RunRecord): number {
  return Math.max(0, ...run.history.map((e) => e.epoch));
}

function finalText(run: RunRecord): string {
  const f = run.final;
  const parts = [f?.baseline && `baseline ${formatMetric(f.baseline.srcc)}`, f?.dml && `DML ${formatMetric(f.dml.ensemble.srcc)}`].filter(Boolean);
  return parts.length ? `SRCC ${parts.join(' · ')}` : '—';
}

export function RunRow({ run, active, training, selected, busy, onSelect, onRename, onDelete, onContinue, onExport, onExportPytorch }: Props) {
  const [editing, setEditing] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const status = active ? 'training here' : run.status;
  const pytorch = run.source === 'pytorch';
  const pytorchBlock = pytorchExportBlock(run);
  return (
    <tr className={`run-row run-row--${run.status}`}>
      <td>
        <input type="checkbox" aria-label={`Compare ${run.name}`} checked={selected} onChange={(e) => onSelect(e.currentTarget.checked)} />
      </td>
      <th scope="row">
        {editing === null ? (
          <>
            {run.name}
            {pytorch && (
              <>
                {' '}
                <span className="tag" title={PYTORCH_ONLY}>
                  trained in PyTorch
                </span>
              </>
            )}
          </>
        ) : (
          <form
            className="inline-fields"
            onSubmit={(e) => {
              e.preventDefault();
              onRename(editing);
              setEditing(null);
            }}
          >
            <input aria-label="New name" value={editing} onChange={(e) => setEditing(e.currentTarget.value)} autoFocus />
            <button type="submit">Save</button>
            <button type="button" onClick={() => setEditing(null)}>
              Cancel
            </button>
          </form>
        )}
      </th>
      <td>{new Date(run.createdAt).toLocaleString()}</td>
      <td>
        {run.dataset.name} {run.dataset.proxy && <span className="tag" title="Scores from a formula, not human opinions">proxy</span>}
      </td>
      <td>
        {MODE_WORDS[run.config.mode]}, {run.config.model}
      </td>
      <td>
        <span className={`run-status-tag run-status-tag--${run.status}`} title={run.error}>
          {status}
        </span>{' '}
        <span className="muted">
          {epochsDone(run)}/{run.config.epochs} epochs
          {/* A full storage refused the later checkpoints: export and continue use this one. */}
          {run.status !== 'running' && run.checkpoints.last && run.checkpoints.last.epoch < epochsDone(run) && ` · networks saved up to epoch ${run.checkpoints.last.epoch}`}
        </span>
      </td>
      <td>{finalText(run)}</td>
      <td className="row-actions">
        {CONTINUABLE.has(run.status) && !active && !pytorch && (
          <button type="button" className="primary" onClick={onContinue} disabled={training}>
            Continue run
          </button>
        )}
        <button type="button" onClick={() => setEditing(run.name)} disabled={editing !== null}>
          Rename
        </button>
        <button type="button" onClick={onExport} disabled={busy || !run.checkpoints.last} title={pytorch ? PYTORCH_ONLY : undefined}>
          Export model
        </button>
        <button type="button" onClick={onExportPytorch} disabled={busy || pytorchBlock !== null} title={pytorchBlock ?? 'train.py, the config, the split, the scores and the initial weights: the same experiment in PyTorch'}>
          Export as PyTorch project
        </button>
        {confirming ? (
          <>
            <button type="button" className="danger" onClick={onDelete}>
              Confirm delete
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </>
        ) : (
          <button type="button" onClick={() => setConfirming(true)} disabled={active || run.status === 'running'}>
            Delete
          </button>
        )}
      </td>
    </tr>
  );
}
