/** The heatmap panel's choice of test image: its option labels and what the page says about a choice not yet mapped. */
import { heatmapTestPosition } from '../../core/train/heatmapChoice';

/** An option's label: its 1-based position in the test set and the file's name without its folders. */
export function heatmapImageLabel(path: string, position: number): string {
  return `${position + 1}. ${path.slice(path.lastIndexOf('/') + 1)}`;
}

/**
 * What the picker shows as chosen: the config's position, kept within the test set the way the
 * worker keeps it (past the end: the last image).
 */
export function pickedPosition(testCount: number, chosen: number | undefined): number {
  return heatmapTestPosition(testCount, chosen);
}

/**
 * Why the maps shown are not of the chosen image yet: while a run trains the worker maps it from
 * the next epoch; otherwise the run is over and the choice is the next run's. null when they match.
 */
export function heatmapChoiceNote(picked: number, shown: number, running: boolean): string | null {
  if (picked === shown) return null;
  return running ? `Test image ${picked + 1} is mapped from the next epoch on.` : `Test image ${picked + 1} is mapped in the next run.`;
}
