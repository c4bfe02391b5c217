/**
 * The stored runs as the page sees them (the same IndexedDB the worker writes): listed
 * newest first, runs whose worker died marked "interrupted", renamed and deleted here.
 * Also the storage usage and quota, and the request for persistent storage.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { liveRunIds } from '../../storage/runLock';
import { deleteGroup } from '../../storage/runGroups';
import { openRunStore, requestPersistence, storageEstimate, type RunRecord, type RunStore, type StorageEstimate } from '../../storage/runStore';

/** While a run is listed as running, look again this often (ms): its worker may have died since. */
const POLL_MS = 3000;

export interface RunsState {
  runs: RunRecord[];
  estimate: StorageEstimate | null;
  /** Why the runs cannot be read or changed, in words. */
  error: string | null;
  loaded: boolean;
}

/** `activeRunId`: the run this page trains now; its own messages refresh the list, so it is not polled for. */
export function useRuns(activeRunId: string | null = null) {
  const store = useRef<Promise<RunStore> | null>(null);
  const [state, setState] = useState<RunsState>({ runs: [], estimate: null, error: null, loaded: false });

  const open = useCallback(() => (store.current ??= openRunStore()), []);

  const refresh = useCallback(async () => {
    try {
      const s = await open();
      // A run still "running" whose worker holds no lock any more was cut off (reload, crash, closed tab).
      await s.markInterrupted(30, liveRunIds);
      const [runs, estimate] = await Promise.all([s.listRuns(), storageEstimate().catch(() => null)]);
      setState({ runs, estimate, error: null, loaded: true });
    } catch (e) {
      store.current = null;
      setState((st) => ({ ...st, loaded: true, error: `The stored runs cannot be read: ${(e as Error).message}. Training still works, but runs are not kept.` }));
    }
  }, [open]);

  useEffect(() => void refresh(), [refresh]);

  const anyRunning = state.runs.some((r) => r.status === 'running' && r.id !== activeRunId);
  useEffect(() => {
    if (!anyRunning) return;
    const id = window.setInterval(() => void refresh(), POLL_MS);
    return () => window.clearInterval(id);
  }, [anyRunning, refresh]);

  /** Run a change, then list again; a failure is shown, not thrown. */
  const change = useCallback(
    async (what: string, act: (s: RunStore) => Promise<unknown>) => {
      try {
        await act(await open());
      } catch (e) {
        setState((st) => ({ ...st, error: `${what} did not work: ${(e as Error).message}` }));
        return;
      }
      await refresh();
    },
    [open, refresh],
  );

  const rename = useCallback((id: string, name: string) => change('Renaming the run', (s) => s.renameRun(id, name)), [change]);
  const remove = useCallback((id: string) => change('Deleting the run', (s) => s.deleteRun(id)), [change]);
  /** Every run of an experiment (its repeats, a sweep's runs) with their checkpoints. */
  const removeGroup = useCallback((groupId: string) => change('Deleting the experiment', (s) => deleteGroup(s, groupId)), [change]);
  const persist = useCallback(async () => {
    const granted = await requestPersistence().catch(() => null);
    await refresh();
    return granted;
  }, [refresh]);
  const dismissError = useCallback(() => setState((st) => ({ ...st, error: null })), []);

  return { ...state, refresh, rename, remove, removeGroup, persist, dismissError };
}
