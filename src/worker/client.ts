/**
 * The page's handle on the training worker: typed messages out, typed events in.
 * The worker runs all ingest, training and evaluation; the page only draws. Tasks (export,
 * import, score) are requests with an id, answered by a promise.
 */
import type { ContinueMessage, FromWorker, StartMessage, TaskReplyOf, TaskRequest, ToWorker } from './protocol';

export type WorkerListener = (msg: FromWorker) => void;

export class TrainerClient {
  private readonly worker: Worker;
  private readonly listeners = new Set<WorkerListener>();
  private nextTask = 1;
  private readonly pending = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();

  constructor() {
    this.worker = new Worker(new URL('./trainer.worker.ts', import.meta.url), { type: 'module', name: 'dml-iqa-trainer' });
    this.worker.onmessage = (e: MessageEvent<FromWorker>) => {
      const m = e.data;
      if (m.type === 'taskDone' || m.type === 'taskFailed') return this.settle(m);
      this.listeners.forEach((l) => l(m));
    };
    this.worker.onerror = (e) => {
      const message = `The training worker crashed: ${e.message}. Reload the page to start again.`;
      this.listeners.forEach((l) => l({ type: 'error', kind: 'internal', message }));
      for (const p of this.pending.values()) p.reject(new Error(message));
      this.pending.clear();
    };
  }

  private settle(m: Extract<FromWorker, { type: 'taskDone' | 'taskFailed' }>): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.type === 'taskDone') p.resolve(m.reply);
    else p.reject(new Error(m.message));
  }

  /** Subscribe to worker events; returns the unsubscribe function. */
  on(listener: WorkerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private post(msg: ToWorker): void {
    this.worker.postMessage(msg);
  }

  start(msg: Omit<StartMessage, 'type'>): void {
    this.post({ type: 'start', ...msg });
  }
  /** Continue a stored run from its last checkpoint. */
  continue(msg: Omit<ContinueMessage, 'type'>): void {
    this.post({ type: 'continue', ...msg });
  }
  pause(): void {
    this.post({ type: 'pause' });
  }
  resume(): void {
    this.post({ type: 'resume' });
  }
  stop(): void {
    this.post({ type: 'stop' });
  }
  /** While paused: one training step, then paused again. */
  step(): void {
    this.post({ type: 'step' });
  }
  finishEpoch(): void {
    this.post({ type: 'finishEpoch' });
  }
  setLambda(lambda: number): void {
    this.post({ type: 'setLambda', lambda });
  }
  setDetail(on: boolean): void {
    this.post({ type: 'detail', on });
  }
  /** Run a task in the worker; rejects with the worker's words when it fails. */
  task<R extends TaskRequest>(request: R): Promise<TaskReplyOf<R['task']>> {
    const id = this.nextTask++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject });
      this.post({ type: 'task', id, request });
    });
  }
  terminate(): void {
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new Error('The worker was stopped before it answered.'));
    this.pending.clear();
  }
}
