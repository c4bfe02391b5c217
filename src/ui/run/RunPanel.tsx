/** Step 3: run it — Start, Pause, Resume, Stop — with progress, the backend in use, and every message from the worker. */
import { LeftOutImages } from './LeftOutImages';
import { ADVICE } from '../common/errorAdvice';
import { ErrorBox } from '../common/ErrorBox';
import { formatBytes, formatDuration } from '../common/format';
import { BackendBadge } from './BackendBadge';
import { ProgressPanel } from './ProgressPanel';
import { isActive, progressOf, type RunState } from './runState';

interface Props {
  state: RunState;
  /** Why Start cannot be pressed now, or null when it can. */
  blocked: string | null;
  onStart: () => void;
  onPause: () => void;
  onResume: () => void;
  onStop: () => void;
}

const STATUS_WORDS: Record<RunState['status'], string> = {
  idle: 'Ready',
  starting: 'Starting the worker…',
  ingesting: 'Reading images…',
  measuring: 'Timing the backends…',
  training: 'Training',
  paused: 'Paused',
  stopping: 'Stopping after this step…',
  done: 'Finished',
  stopped: 'Stopped',
  error: 'Stopped by an error',
};

export function RunPanel({ state, blocked, onStart, onPause, onResume, onStop }: Props) {
  const active = isActive(state.status);
  const progress = progressOf(state);
  const took = state.startedAt !== null && state.endedAt !== null ? (state.endedAt - state.startedAt) / 1000 : null;
  return (
    <section className="panel run-panel" aria-labelledby="run-title">
      <h2 id="run-title">
        <span className="step">3</span> Run
      </h2>
      <div className="run-bar">
        <div className="button-row" role="group" aria-label="Run controls">
          <button type="button" className="primary" onClick={onStart} disabled={active || blocked !== null}>
            Start
          </button>
          <button type="button" onClick={onPause} disabled={state.status !== 'training'}>
            Pause
          </button>
          <button type="button" onClick={onResume} disabled={state.status !== 'paused'}>
            Resume
          </button>
          <button type="button" onClick={onStop} disabled={!active || state.status === 'stopping'}>
            Stop
          </button>
        </div>
        <p className="run-status" role="status" aria-live="polite">
          <span className={`dot dot--${state.status}`} aria-hidden="true" />
          {STATUS_WORDS[state.status]}
          {took !== null && (state.status === 'done' || state.status === 'stopped') && ` in ${formatDuration(took)}`}
        </p>
        <BackendBadge report={state.backend} />
      </div>
      {blocked && !active && <p className="hint">{blocked}</p>}
      <ProgressPanel state={state} progress={state.plan ? progress : null} />
      {state.storage && (
        <p className={state.storage.fits ? 'hint' : 'warning-inline'} data-testid="storage-line" data-mode={state.storage.mode}>
          <strong>{state.storage.mode === 'memory' ? 'Images held in memory' : 'Images streamed from disk'}.</strong> {state.storage.why}
        </p>
      )}
      {state.split && <p className="hint">{state.split.reason}</p>}
      {state.continuedFrom !== null && (
        <p className="hint">
          {state.continuedFrom > 0
            ? `Continued from the checkpoint of epoch ${state.continuedFrom}: the charts show the stored epochs, then the new ones.`
            : 'Continued from the start: the run had no checkpoint yet.'}
        </p>
      )}
      {state.checkpoint && (
        <p className="hint" data-testid="checkpoint-line" data-bytes={state.checkpoint.bytes} data-ms={state.checkpoint.ms.toFixed(1)}>
          Checkpoint of epoch {state.checkpoint.epoch} saved in this browser: {formatBytes(state.checkpoint.bytes)}, read off the backend in{' '}
          {state.checkpoint.exportMs.toFixed(0)} ms, written in {state.checkpoint.ms.toFixed(0)} ms.
        </p>
      )}
      {state.error && <ErrorBox advice={ADVICE[state.error.kind]} message={state.error.message} />}
      {state.warnings.length > 0 && (
        <ul className="warnings" aria-label="Warnings">
          {state.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      <LeftOutImages problems={state.problems} crossName={state.experiment?.cross?.name} />
    </section>
  );
}
