/**
 * One experiment of several runs (its repeats, or a training-size sweep's sizes × repeats) in
 * the runs table: a heading row with what it is and how far it got, and the actions on the
 * whole experiment — continue its unfinished runs in order, export its results as one JSON
 * (and a sweep's table as CSV), delete every run of it after a confirmation — above its runs' rows.
 */
import { useState, type ReactNode } from 'react';
import { fileStem } from '../../core/io/fileStem';
import { sweepCsv, sweepEntries } from '../../core/train/experiment';
import { groupName, groupReport, groupResults, unfinishedRuns, type RunGroup } from '../../storage/runGroups';
import type { RunRecord } from '../../storage/runRecord';
import { downloadText } from '../common/download';

interface Props {
  group: RunGroup;
  /** A run of the group trains in this page now. */
  active: boolean;
  /** Some run trains in this page: no other can be continued. */
  training: boolean;
  onContinue: (runs: RunRecord[]) => void;
  onDelete: () => void;
  /** The group's own run rows. */
  children: ReactNode;
}

const COLUMNS = 8;

/** "3 finished · 1 stopped · 2 queued". */
function progressWords(group: RunGroup): string {
  const counts = new Map<string, number>();
  for (const r of group.runs) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const missing = group.count - group.runs.length;
  const parts = [...counts].map(([s, n]) => `${n} ${s}`);
  return missing > 0 ? [...parts, `${missing} deleted`].join(' · ') : parts.join(' · ');
}

export function GroupRows({ group, active, training, onContinue, onDelete, children }: Props) {
  const [confirming, setConfirming] = useState(false);
  const name = groupName(group);
  const todo = unfinishedRuns(group);
  const running = group.runs.some((r) => r.status === 'running');
  const report = () => groupReport(group);
  const stem = fileStem(name);
  const kind = group.trainSizes.length
    ? `training-size sweep: sizes ${group.trainSizes.join(', ')} × ${Math.round(group.count / group.trainSizes.length)} repeats`
    : `${group.count} repeats`;
  const finished = groupResults(group).length;
  return (
    <>
      <tr className="run-group__head" data-testid="run-group" data-group={group.id}>
        <th scope="rowgroup" colSpan={COLUMNS}>
          <div className="run-group__line">
            <span>
              <strong>{name}</strong> <span className="muted">— {kind}; {progressWords(group)}</span>
            </span>
            <span className="row-actions" role="group" aria-label={`Experiment ${name}`}>
              {todo.length > 0 && !active && (
                <button type="button" className="primary" onClick={() => onContinue(todo)} disabled={training || running} title={`Trains ${todo.map((r) => r.name).join(', ')} in turn`}>
                  Continue experiment ({todo.length} run{todo.length === 1 ? '' : 's'})
                </button>
              )}
              <button
                type="button"
                disabled={finished === 0}
                title={finished === 0 ? 'No run of this experiment has finished yet.' : 'The experiment as one results.json: config, every finished run, the paired differences'}
                onClick={() => {
                  const r = report();
                  if (r) downloadText(`${stem}-results.json`, JSON.stringify(r, null, 1), 'application/json');
                }}
              >
                Export results (JSON)
              </button>
              {group.trainSizes.length > 0 && (
                <button type="button" disabled={finished === 0} onClick={() => downloadText(`${stem}-sweep.csv`, sweepCsv(sweepEntries(groupResults(group))), 'text/csv')}>
                  Export sweep (CSV)
                </button>
              )}
              {confirming ? (
                <>
                  <button type="button" className="danger" onClick={onDelete}>
                    Delete all {group.runs.length} runs
                  </button>
                  <button type="button" onClick={() => setConfirming(false)}>
                    Keep them
                  </button>
                </>
              ) : (
                <button type="button" onClick={() => setConfirming(true)} disabled={active || running}>
                  Delete experiment
                </button>
              )}
            </span>
          </div>
          {confirming && (
            <p className="warning-inline" role="alert">
              This deletes every run of “{name}” ({group.runs.length}), with their checkpoints and networks. Export its results first to keep them.
            </p>
          )}
        </th>
      </tr>
      {children}
    </>
  );
}
