/**
 * The page's handle on the training worker: typed messages out, typed events in.
 * The worker runs all ingest, training and evaluation; the page only draws.
 */
import type { FromWorker, StartMessage, ToWorker } from './protocol';

export type WorkerListener = (msg: FromWorker) => void;

export class TrainerClient {
  private readonly worker: Worker;
  private readonly listeners = new Set<WorkerListener>();

  constructor() {
    this.worker = new Worker(new URL('./trainer.worker.ts', import.meta.url), { type: 'module', name: 'dml-iqa-trainer' });
    this.worker.onmessage = (e: MessageEvent<FromWorker>) => this.listeners.forEach((l) => l(e.data));
    this.worker.onerror = (e) =>
      this.listeners.forEach((l) => l({ type: 'error', kind: 'internal', message: `The training worker crashed: ${e.message}. Reload the page to start again.` }));
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
  pause(): void {
    this.post({ type: 'pause' });
  }
  resume(): void {
    this.post({ type: 'resume' });
  }
  stop(): void {
    this.post({ type: 'stop' });
  }
  terminate(): void {
    this.worker.terminate();
  }
}
