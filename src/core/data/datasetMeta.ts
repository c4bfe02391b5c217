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
