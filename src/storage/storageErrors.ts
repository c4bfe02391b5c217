/** Errors of the run store, typed so the trainer and the page can react to each. */

/** The browser's storage quota is used up: the write did not happen, nothing else is harmed. */
export class StorageFullError extends Error {
  constructor(
    readonly what: string,
    cause?: unknown,
  ) {
    super(
      `The browser's storage for this site is full, so ${what} was not saved. ` +
        'Delete old runs in the runs list (or free disk space) to make room; training goes on meanwhile.',
      { cause },
    );
    this.name = 'StorageFullError';
  }
}

export class RunNotFoundError extends Error {
  constructor(readonly runId: string) {
    super(`Run ${runId} is not in this browser's storage (it may have been deleted in another tab).`);
    this.name = 'RunNotFoundError';
  }
}

function isQuotaError(e: unknown): boolean {
  const name = (e as { name?: unknown } | null)?.name;
  // Firefox used its own name before adopting the standard one.
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED';
}

/**
 * A quota failure as StorageFullError, anything else unchanged. Browsers report it either on
 * the request or, with the request's error an AbortError, on the aborted transaction.
 */
export function storageError(err: unknown, what: string, tx?: { error: DOMException | null }): unknown {
  if (isQuotaError(err)) return new StorageFullError(what, err);
  let txError: unknown = null;
  try {
    txError = tx?.error ?? null;
  } catch {
    // Older engines throw when reading .error of a transaction that is still active.
  }
  return isQuotaError(txError) ? new StorageFullError(what, txError) : err;
}
