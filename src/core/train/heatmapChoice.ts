// No tfjs here: the page imports this, and the page never loads tfjs (the worker does).

/** The test image whose heatmaps a run records: `chosen` (a position in the test set, default the first), kept within the test set. */
export function heatmapTestPosition(testCount: number, chosen = 0): number {
  return Math.min(Math.max(0, Math.floor(chosen)), Math.max(0, testCount - 1));
}
