import type { RunControl } from '../core/train/loop';
import { yieldToEventLoop } from './yieldToEventLoop';

/**
 * Pause, resume and stop for one run. The trainer asks between steps, so a request
 * acts before the next step starts (at most the step in flight finishes).
 */
export class RunGate implements RunControl {
  private paused = false;
  private stopped = false;
  private wake: (() => void) | null = null;

  get isPaused(): boolean {
    return this.paused && !this.stopped;
  }
  get isStopped(): boolean {
    return this.stopped;
  }

  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
    this.release();
  }
  stop(): void {
    this.stopped = true;
    this.release();
  }

  shouldStop(): boolean {
    return this.stopped;
  }

  async waitWhilePaused(): Promise<void> {
    // Read the page's messages first: a pause sent during the last step lands here.
    await yieldToEventLoop();
    while (this.paused && !this.stopped) await new Promise<void>((r) => (this.wake = r));
  }

  private release(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}
