import type { StepEvent } from '../core/train/history';

/**
 * Collects step events and hands them on in batches, at most one batch per `intervalMs`
 * (10 per second by default), so the page's charts redraw at a pace they can keep: the worker
 * posts its steps through one, the page feeds its loss charts through another (once a second).
 * Leftovers go out by timer, or at once with flush() (before an epoch event, a state
 * change or the end) so the page always sees steps in order.
 */
export class StepBatcher {
  private pending: StepEvent[] = [];
  private lastSent = -Infinity;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly send: (steps: StepEvent[]) => void,
    private readonly intervalMs = 100,
    private readonly now: () => number = () => performance.now(),
  ) {}

  push(...steps: StepEvent[]): void {
    this.pending.push(...steps);
    const wait = this.lastSent + this.intervalMs - this.now();
    if (wait <= 0) this.flush();
    else if (this.timer === null) this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Drops what waits (a new run's page forgets the old worker's steps); nothing is sent. */
  discard(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.pending = [];
  }

  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending.length) return;
    const steps = this.pending;
    this.pending = [];
    this.lastSent = this.now();
    this.send(steps);
  }
}
