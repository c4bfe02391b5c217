import { openDB, type IDBPDatabase } from 'idb';
import type { BackendCandidateReport, BackendName } from './protocol';

/** An "auto" measurement kept for one device and model, until the user asks to re-measure. */
export interface RememberedChoice {
  name: BackendName;
  candidates: BackendCandidateReport[];
  /** ms since the epoch, when it was measured. */
  measuredAt: number;
}

export interface ChoiceMemory {
  get(key: string): Promise<RememberedChoice | undefined>;
  set(key: string, value: RememberedChoice): Promise<void>;
}

// Its own database: the checkpoint store's schema and versions are none of this module's business.
const DB = 'dml-iqa-backend-choice';
const STORE = 'choices';

/**
 * The choices in IndexedDB (reachable from a worker, unlike localStorage). When storage is
 * unavailable (private windows, blocked cookies) nothing is remembered and every run measures.
 */
export function indexedDbChoiceMemory(): ChoiceMemory {
  let db: Promise<IDBPDatabase | null> | null = null;
  const open = () =>
    (db ??= openDB(DB, 1, { upgrade: (d) => void d.createObjectStore(STORE) }).catch(() => null));
  return {
    async get(key) {
      try {
        return ((await (await open())?.get(STORE, key)) as RememberedChoice | undefined) ?? undefined;
      } catch {
        return undefined;
      }
    },
    async set(key, value) {
      try {
        await (await open())?.put(STORE, value, key);
      } catch {
        // Not remembering only costs a re-measurement next time.
      }
    },
  };
}

/** A memory that forgets (tests, and where IndexedDB is missing). */
export function inMemoryChoiceMemory(): ChoiceMemory {
  const m = new Map<string, RememberedChoice>();
  return { get: async (k) => m.get(k), set: async (k, v) => void m.set(k, v) };
}
