/**
 * A Web Lock per run, held by the worker that trains it. The browser releases it the moment
 * that worker dies (reload, crash, closed tab), so the page can tell a live run from an
 * interrupted one at once, without waiting for its heartbeat to go stale — and a long
 * training step that delays the heartbeat cannot make a live run look dead.
 */

const PREFIX = 'dml-iqa-run:';

export interface RunLock {
  /** false where the Web Locks API is missing: then only the heartbeat tells. */
  held: boolean;
  release(): void;
}

export class RunBusyError extends Error {
  constructor(readonly runId: string) {
    super('This run is being trained right now in another tab or window: stop it there first, or wait for it to finish.');
    this.name = 'RunBusyError';
  }
}

function lockManager(): LockManager | undefined {
  return (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
}

/** Take the run's lock for as long as it trains; throws RunBusyError when another context holds it. */
export function holdRunLock(runId: string): Promise<RunLock> {
  const locks = lockManager();
  if (!locks) return Promise.resolve({ held: false, release: () => {} });
  return new Promise((resolve, reject) => {
    locks
      .request(PREFIX + runId, { ifAvailable: true }, (lock) => {
        if (!lock) {
          reject(new RunBusyError(runId));
          return undefined;
        }
        // The lock lasts until this promise settles.
        return new Promise<void>((release) => resolve({ held: true, release: () => release() }));
      })
      .catch(reject);
  });
}

/** Ids of the runs whose lock is held somewhere in this browser; undefined without the Web Locks API. */
export async function liveRunIds(): Promise<Set<string> | undefined> {
  const locks = lockManager();
  if (!locks) return undefined;
  const { held = [] } = await locks.query();
  return new Set(held.flatMap((l) => (l.name?.startsWith(PREFIX) ? [l.name.slice(PREFIX.length)] : [])));
}
