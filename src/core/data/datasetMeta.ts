/** The dataset a run was trained on, as a stored run keeps it, and the check that a folder supplied again is that dataset. */

export interface DatasetMeta {
  /** The folder's name, as the user picked it. */
  name: string;
  scoreFileName: string;
  imageCount: number;
  /** Relative paths of the images used, to check a folder supplied again on resume. */
  files: string[];
  /** Scores come from a formula (e.g. the demo's MS-SSIM), not from human opinion. */
  proxy: boolean;
}

/**
 * Whether the files supplied again to continue a run are the run's dataset: same count and every
 * image path present. null when they match; otherwise what is wrong, naming the folder, the
 * score file and a few missing files.
 */
export function datasetProblem(meta: DatasetMeta, supplied: readonly string[]): string | null {
  const have = new Set(supplied);
  const missing = meta.files.filter((f) => !have.has(f));
  const where = `the folder "${meta.name}" (with the score file "${meta.scoreFileName}")`;
  if (missing.length) {
    const shown = missing.slice(0, 3).join(', ') + (missing.length > 3 ? ` and ${missing.length - 3} more` : '');
    return `This run was trained on ${where}: ${missing.length} of its ${meta.files.length} images are not among the files given (${shown}). Choose that folder again.`;
  }
  if (supplied.length !== meta.imageCount)
    return `This run was trained on ${meta.imageCount} images of ${where}; ${supplied.length} were given. Choose the same folder and score file as before.`;
  return null;
}

/** A run's cross-dataset set as stored: its folder, score file and images (the image list is absent in runs stored before it was kept). */
export interface CrossMeta {
  name: string;
  scoreFileName: string;
  imageCount: number;
  files?: string[];
}

/**
 * Whether the cross-dataset set given to continue a run is the one it was scored on from its
 * first epoch: none for none, else same folder, score file and images. Another set (or none)
 * would give later epochs other (or no) cross metrics under the stored name. null when they match;
 * otherwise both sets named and what to do.
 */
export function crossDatasetProblem(stored: CrossMeta | undefined, given: { name: string; scoreFileName: string; files: readonly string[] } | undefined): string | null {
  const named = (c: { name: string; scoreFileName: string }) => `"${c.name}" (score file "${c.scoreFileName}")`;
  if (!stored && !given) return null;
  if (!stored)
    return `This run was trained without a cross-dataset set, and ${named(given!)} is in the cross-dataset slot now: its metrics would start mid-run. Remove it from the slot, then continue.`;
  if (!given)
    return `This run was scored on the cross-dataset set ${named(stored)} at every epoch, and the cross-dataset slot is empty: later epochs would have no cross-dataset metrics. Choose that set again in the slot, then continue.`;
  const again = `Choose ${named(stored)} again in the cross-dataset slot, then continue.`;
  if (stored.name !== given.name || stored.scoreFileName !== given.scoreFileName)
    return `This run's cross-dataset set is ${named(stored)}, and ${named(given)} is in the cross-dataset slot now: its metrics would go on under the other set's name. ${again}`;
  const have = new Set(given.files);
  const missing = (stored.files ?? []).filter((f) => !have.has(f));
  if (missing.length || given.files.length !== stored.imageCount) {
    const shown = missing.slice(0, 3).join(', ') + (missing.length > 3 ? ` and ${missing.length - 3} more` : '');
    const what = missing.length ? `${missing.length} of its ${stored.imageCount} images are not in it (${shown})` : `it has ${given.files.length} images, not ${stored.imageCount}`;
    return `This run's cross-dataset set is ${named(stored)}, and the set in the cross-dataset slot has the same names but other images: ${what}. ${again}`;
  }
  return null;
}
