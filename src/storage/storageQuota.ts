/** The site's storage usage and quota, and persistent storage: what the browser allows, where it allows it. */

export interface StorageEstimate {
  /** Bytes this site uses (all IndexedDB, caches, …). */
  usage: number;
  /** Bytes it may use before writes fail with QuotaExceededError. */
  quota: number;
  /** Whether the browser promised not to evict the data under storage pressure; null when unknown (e.g. in a worker). */
  persisted: boolean | null;
}

/** persist() is on pages' StorageManager only (not in workers' typings nor their objects). */
type AnyStorageManager = StorageManager & { persist?: () => Promise<boolean> };

function storageManager(): AnyStorageManager | undefined {
  return (globalThis as { navigator?: { storage?: AnyStorageManager } }).navigator?.storage;
}

/** null where navigator.storage.estimate does not exist (old browsers, Node). */
export async function storageEstimate(): Promise<StorageEstimate | null> {
  const sm = storageManager();
  if (!sm?.estimate) return null;
  const e = await sm.estimate();
  const persisted = typeof sm.persisted === 'function' ? await sm.persisted().catch(() => null) : null;
  return { usage: e.usage ?? 0, quota: e.quota ?? 0, persisted };
}

/**
 * Ask that the site's data not be evicted. true: granted (now or before); false: refused;
 * null: not possible here (persist() exists on pages only, not in workers). Call it from a
 * user gesture on the page: some browsers grant it only then, or only to bookmarked sites.
 */
export async function requestPersistence(): Promise<boolean | null> {
  const sm = storageManager();
  if (typeof sm?.persist !== 'function') return null;
  if (typeof sm.persisted === 'function' && (await sm.persisted())) return true;
  return sm.persist();
}
