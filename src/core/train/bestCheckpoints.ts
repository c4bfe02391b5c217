/**
 * Which state of each run kind is its best: the one at the epoch of its highest validation SRCC
 * (the baseline's network, a cohort's ensemble). The test set plays no part. Ties go to the later
 * epoch (same quality, more training). No tfjs here: the states are whatever the caller keeps.
 */
import type { EpochEvent, History, RunKind } from './history';

/** The validation SRCC a kind's epoch is ranked by; undefined without a validation set. */
export function validationScore(e: EpochEvent): number | undefined {
  const m = e.val && (e.run === 'baseline' ? e.val.peers[0] : e.val.ensemble);
  return m?.srcc;
}

/** NaN (e.g. constant predictions) ranks below any real SRCC. */
const rank = (srcc: number) => (Number.isFinite(srcc) ? srcc : -Infinity);

/** What the store is to do with its best checkpoint after an epoch. */
export type BestUpdate<S> = { states: Partial<Record<RunKind, S>>; epochs: Partial<Record<RunKind, number>> } | 'unchanged' | 'last';

export class BestCheckpoints<S> {
  private best: Partial<Record<RunKind, { score: number; epoch: number; state: S }>> = {};
  /** A best handed out by offer that the store has not confirmed (written): offered again until it is. */
  private unwritten = false;

  /**
   * Offer every kind's state after an epoch, with that epoch's events. 'last' when there is no
   * validation set (the last checkpoint is the best), 'unchanged' when no kind improved, else
   * every kind's best state and epoch.
   */
  offer(epoch: number, states: Partial<Record<RunKind, S>>, events: Partial<Record<RunKind, EpochEvent>>): BestUpdate<S> {
    let improved = false;
    let validated = false;
    for (const run of Object.keys(states) as RunKind[]) {
      const state = states[run];
      const e = events[run];
      const score = e && validationScore(e);
      if (!state || score === undefined) continue;
      validated = true;
      const held = this.best[run];
      if (!held || rank(score) >= rank(held.score)) {
        this.best[run] = { score, epoch, state };
        improved = true;
      }
    }
    if (!validated) return 'last';
    if (!improved && !this.unwritten) return 'unchanged';
    this.unwritten = true;
    return this.current();
  }

  /** The store kept the last update offered (a failed write leaves it to be offered again). */
  written(): void {
    this.unwritten = false;
  }

  /** Continue from a stored best: its states, the epoch each came from, and the history that scored them. */
  restore(states: Partial<Record<RunKind, S>>, epochs: Partial<Record<RunKind, number>>, history: History): void {
    for (const run of Object.keys(states) as RunKind[]) {
      const e = history.find((h) => h.run === run && h.epoch === epochs[run]);
      const score = e && validationScore(e);
      const state = states[run];
      if (e && state && score !== undefined) this.best[run] = { score, epoch: e.epoch, state };
    }
  }

  private current(): BestUpdate<S> {
    const states: Partial<Record<RunKind, S>> = {};
    const epochs: Partial<Record<RunKind, number>> = {};
    for (const [run, b] of Object.entries(this.best) as [RunKind, { epoch: number; state: S }][]) {
      states[run] = b.state;
      epochs[run] = b.epoch;
    }
    return { states, epochs };
  }
}
