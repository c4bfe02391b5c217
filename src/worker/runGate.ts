import type { RunControl } from '../core/train/loop';
import { yieldToEventLoop } from './yieldToEventLoop';

/**
 * Pause, resume and stop for one run, plus what a presenter needs: one step at a time, pause at
 * the end of the epoch, λ changed mid-run, and the batch in detail. The trainer asks between
 * steps, so a request acts before the next step starts (at most the step in flight finishes).
 */
export class RunGate implements RunControl {
  private paused = false;
  private stopped = false;
  private wake: (() => void) | null = null;
  /** Steps allowed to run while paused, one per request. */
  private permits = 0;
  /** The step about to run (or running) was let through by a permit. */
  private stepping = false;
  private pauseAtEpochEnd = false;
  private lambdaValue: number | undefined;
  private detailWanted = false;
  private heatmapImageValue: number | undefined;

  get isPaused(): boolean {
    return this.paused && !this.stopped;
  }
  get isStopped(): boolean {
    return this.stopped;
  }
  /** The step in flight runs on a permit (so it pauses again after it). */
  get isStepping(): boolean {
    return this.stepping;
  }
  get finishingEpoch(): boolean {
    return this.pauseAtEpochEnd;
  }

  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
    this.permits = 0;
    this.release();
  }
  stop(): void {
    this.stopped = true;
    this.release();
  }

  /** While paused: let exactly one more step run, then hold again. Ignored unless paused. */
  step(): boolean {
    if (!this.isPaused) return false;
    this.permits++;
    this.release();
    return true;
  }

  /** Pause right after the last step of the epoch (see atStepEnd); a paused run resumes until then. */
  finishEpoch(): void {
    this.pauseAtEpochEnd = true;
    if (this.isPaused) this.resume();
  }

  /**
   * Called after every step with whether it was the last of its epoch; true when the gate
   * paused because of it (the end of a requested epoch), so the caller can say so.
   */
  atStepEnd(lastOfEpoch: boolean): boolean {
    this.stepping = false;
    if (!lastOfEpoch || !this.pauseAtEpochEnd || this.stopped) return false;
    this.pauseAtEpochEnd = false;
    this.paused = true;
    return true;
  }

  setLambda(lambda: number): void {
    if (Number.isFinite(lambda) && lambda >= 0) this.lambdaValue = lambda;
  }
  /** Back to the config's λ (a new repeat runs the experiment's protocol). */
  clearLambda(): void {
    this.lambdaValue = undefined;
  }

  lambda(): number | undefined {
    return this.lambdaValue;
  }

  /** The test image (its position in the test set) of the heatmaps from the next epoch on; kept across repeats, as the config's is. */
  setHeatmapImage(index: number): void {
    if (Number.isInteger(index) && index >= 0) this.heatmapImageValue = index;
  }
  heatmapImage(): number | undefined {
    return this.heatmapImageValue;
  }

  /** Report each step's batch (for the presentation's cohort picture). */
  setDetail(on: boolean): void {
    this.detailWanted = on;
  }
  detail(): 'none' | 'batch' | 'full' {
    if (this.stepping) return 'full';
    return this.detailWanted ? 'batch' : 'none';
  }

  shouldStop(): boolean {
    return this.stopped;
  }

  async waitWhilePaused(): Promise<void> {
    // Read the page's messages first: a pause sent during the last step lands here.
    await yieldToEventLoop();
    this.stepping = false;
    while (this.paused && !this.stopped) {
      if (this.permits > 0) {
        this.permits--;
        this.stepping = true;
        return;
      }
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  private release(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}
