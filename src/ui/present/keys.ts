/** The presentation's keys, as a pure function of the run's status: what each one does now. */
import type { SessionStatus } from '../run/runState';

export type PresentKey = 'space' | 'step' | 'epoch' | 'reset';
export type PresentAction =
  | 'start'
  | 'pause'
  | 'resume'
  | 'step'
  /** Start paused, then one step: → before anything ran. */
  | 'startAndStep'
  | 'finishEpoch'
  /** Start, train the first epoch, pause. */
  | 'startAndFinishEpoch'
  | 'reset'
  | 'none';

/** Space starts or pauses/resumes, → runs one step (pausing first when training), E finishes the epoch then pauses, R resets. */
export function keyAction(key: PresentKey, status: SessionStatus, canStart: boolean): PresentAction {
  const ended = status === 'idle' || status === 'done' || status === 'stopped' || status === 'error';
  if (key === 'reset') return status === 'idle' ? 'none' : 'reset';
  if (status === 'stopping') return 'none';
  if (ended) {
    if (!canStart) return 'none';
    return key === 'space' ? 'start' : key === 'step' ? 'startAndStep' : 'startAndFinishEpoch';
  }
  if (key === 'space') return status === 'paused' ? 'resume' : 'pause';
  if (key === 'step') return status === 'paused' ? 'step' : 'pause';
  return 'finishEpoch';
}

/** The key of a keyboard event, or null for keys the presentation leaves alone. */
export function presentKeyOf(e: { key: string; ctrlKey?: boolean; metaKey?: boolean; altKey?: boolean }): PresentKey | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (e.key === ' ' || e.key === 'Spacebar') return 'space';
  if (e.key === 'ArrowRight') return 'step';
  if (e.key === 'e' || e.key === 'E') return 'epoch';
  if (e.key === 'r' || e.key === 'R') return 'reset';
  return null;
}
