/**
 * The page's handle on the training worker: typed messages out, typed events in.
 * The worker runs all ingest, training and evaluation; the page only draws. Tasks (export,
 * import, score) are requests with an id, answered by a promise.
 */
import type { ContinueMessage, FromWorker, StartMessage, TaskReplyOf, TaskRequest, ToWorker, WorkerLifeline } from './protocol';

export type WorkerListener = (msg: FromWorker) => void;

/** What the page says when the worker died without a word (its lifeline lock came free). */
export const WORKER_GONE =
  'The training worker ended without a word (the browser closed it, it ran out of memory, or it crashed). ' +
  'The run is kept up to its last saved checkpoint: “Continue run” in the runs list goes on from there.';

export class TrainerClient {
  private readonly worker: Worker;
  private readonly listeners = new Set<WorkerListener>();
  private nextTask = 1;
  private readonly pending = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();
  /** Ends the wait on the worker's lifeline when the page itself ends the worker. */
  private readonly watch = new AbortController();
  private ended = false;

  constructor() {
    this.worker = new Worker(new URL('./trainer.worker.ts', import.meta.url), { type: 'module', name: 'dml-iqa-trainer' });
    this.worker.onmessage = (e: MessageEvent<FromWorker | WorkerLifeline>) => {
      const m = e.data;
      if (m.type === 'lifeline') return this.waitForEnd(m.lock);
      if (m.type === 'taskDone' || m.type === 'taskFailed') return this.settle(m);
      this.listeners.forEach((l) => l(m));
    };
    this.worker.onerror = (e) => this.fail(`The training worker crashed: ${e.message}. The run is kept up to its last saved checkpoint: “Continue run” in the runs list goes on from there.`);
  }

  /** false once the worker is gone or ended: a new client is needed then. */
  get alive(): boolean {
    return !this.ended;
  }

  /**
   * The worker holds `lock` for as long as it lives; the request queues behind it and is granted
   * the moment the worker is gone, however it went (a crash, the browser killing it for memory),
   * when no error event may come.
   */
  private waitForEnd(lock: string): void {
    const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
    if (!locks || this.ended) return;
    locks.request(lock, { signal: this.watch.signal }, () => this.fail(WORKER_GONE, 'interrupted')).catch(() => {});
  }

  /** The worker is gone: every listener hears it once, and every pending task fails. */
  private fail(message: string, kind: 'internal' | 'interrupted' = 'internal'): void {
    if (this.ended) return;
    this.ended = true;
    this.watch.abort();
    this.listeners.forEach((l) => l({ type: 'error', kind, message }));
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
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
  setHeatmapImage(index: number): void {
    this.post({ type: 'setHeatmapImage', index });
  }
  setDetail(on: boolean): void {
    this.post({ type: 'detail', on });
  }
  /** Run a task in the worker; rejects with the worker's words when it fails. */
  task<R extends TaskRequest>(request: R): Promise<TaskReplyOf<R['task']>> {
    if (this.ended) return Promise.reject(new Error('The worker has ended: try again.'));
    const id = this.nextTask++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject });
      this.post({ type: 'task', id, request });
    });
  }
  terminate(): void {
    this.ended = true;
    this.watch.abort();
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new Error('The worker was stopped before it answered.'));
    this.pending.clear();
  }
}
