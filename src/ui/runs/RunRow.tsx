/** One stored run in the runs table: what it is, how it ended, and what can be done with it. */
import { useState } from 'react';
import type { RunRecord } from '../../storage/runRecord';
import { formatMetric } from '../common/format';

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
}

const MODE_WORDS = { baseline: 'baseline', dml: 'DML', both: 'baseline + DML' } as const;
const RESUMABLE = new Set(['interrupted', 'stopped', 'failed']);

function epochsDone(run: RunRecord): number {
  return Math.max(0, ...run.history.map((e) => e.epoch));
}

function finalText(run: RunRecord): string {
  const f = run.final;
  const parts = [f?.baseline && `baseline ${formatMetric(f.baseline.srcc)}`, f?.dml && `DML ${formatMetric(f.dml.ensemble.srcc)}`].filter(Boolean);
  return parts.length ? `SRCC ${parts.join(' · ')}` : '—';
}

export function RunRow({ run, active, training, selected, busy, onSelect, onRename, onDelete, onContinue, onExport }: Props) {
  const [editing, setEditing] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const status = active ? 'training here' : run.status;
  return (
    <tr className={`run-row run-row--${run.status}`}>
      <td>
        <input type="checkbox" aria-label={`Compare ${run.name}`} checked={selected} onChange={(e) => onSelect(e.currentTarget.checked)} />
      </td>
      <th scope="row">
        {editing === null ? (
          run.name
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
        </span>
      </td>
      <td>{finalText(run)}</td>
      <td className="row-actions">
        {RESUMABLE.has(run.status) && !active && (
          <button type="button" className="primary" onClick={onContinue} disabled={training}>
            Continue run
          </button>
        )}
        <button type="button" onClick={() => setEditing(run.name)} disabled={editing !== null}>
          Rename
        </button>
        <button type="button" onClick={onExport} disabled={busy || !run.checkpoints.last}>
          Export model
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
