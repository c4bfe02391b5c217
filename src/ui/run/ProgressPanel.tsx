/** Ingest and training progress: bars with epoch, step, images/s and time left. */
import { RUN_NAMES, type EpochEvent } from '../../core/train/history';
import { Bar } from '../common/Bar';
import { formatBytes, formatDuration } from '../common/format';
import { isActive, type Progress, type RunState } from './runState';


export function ProgressPanel({ state, progress }: { state: RunState; progress: Progress | null }) {
  const ingest = state.ingest;
  const running = isActive(state.status);
  const ingesting = ingest && (state.status === 'ingesting' || ingest.done < ingest.total);
  const last = state.history.at(-1);
  return (
    <div className="progress-panel">
      {ingest && (
        <div className="progress-row">
          <Bar role="progressbar" className="bar--ingest" label="Reading images" value={ingest.done} max={ingest.total} />
          <span className="progress-text">
            {ingesting ? 'Reading images' : 'Images read'}: {ingest.done} / {ingest.total}
            {ingest.imagesPerSec > 0 && ` · ${ingest.imagesPerSec.toFixed(0)} images/s`}
            {ingesting && ingest.etaSeconds !== undefined && ` · about ${formatDuration(ingest.etaSeconds)} left`}
            {ingest.workers ? ` · ${ingest.workers} decoders` : ''} · {formatBytes(ingest.bytes)}
          </span>
        </div>
      )}
      {state.cache && (
        <div className="progress-row">
          <Bar role="progressbar" className="bar--ingest" label="Caching the frozen body's output" value={state.cache.done} max={state.cache.total} />
          <span className="progress-text">
            {state.cache.done < state.cache.total ? "Caching the frozen body's output" : "Frozen body's output cached"}: {state.cache.done} / {state.cache.total} images and their mirrors
          </span>
        </div>
      )}
      {progress && (
        <div className="progress-row">
          <Bar
            role="progressbar"
            label="Training progress"
            value={Math.round(progress.fraction * 100)}
            max={100}
            valueText={`${Math.round(progress.fraction * 100)} %, epoch ${progress.epoch} of ${progress.epochs}`}
          />
          {running ? (
            <span className="progress-text">
              {Math.round(progress.fraction * 100)} % · epoch {progress.epoch || '—'} / {progress.epochs}
              {progress.stepsPerEpoch > 0 && ` · step ${progress.step} / ${progress.stepsPerEpoch}`}
              {progress.run && state.plan && state.plan.runs.length > 1 && ` (${RUN_NAMES[progress.run]})`}
              {progress.imagesPerSec !== null && ` · ${progress.imagesPerSec.toFixed(1)} images/s`}
              {` · about ${formatDuration(progress.etaSeconds)} left`}
            </span>
          ) : (
            <span className="progress-text">
              {Math.round(progress.fraction * 100)} % of {progress.epochs} epoch{progress.epochs === 1 ? '' : 's'}
              {state.plan && state.plan.runs.length > 1 ? ' × 2 runs' : ''} · {state.status === 'done' ? 'finished' : state.status}
            </span>
          )}
        </div>
      )}
      {last && <p className="progress-text memory-line">{memoryLine(last)}</p>}
    </div>
  );
}

/** tf.memory() after the latest epoch: live tensors and their bytes, and on webgpu the GPU buffers it holds. */
export function memoryLine(e: EpochEvent): string {
  const m = e.memory;
  const gpu = m.numBytesAllocatedInGPU !== undefined ? ` · GPU buffers allocated ${formatBytes(m.numBytesAllocatedInGPU)}` : '';
  return `Memory after epoch ${e.epoch}: ${m.numTensors} tensors, ${formatBytes(m.numBytes)}${gpu}`;
}
