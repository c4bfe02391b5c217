/** What a training-size sweep will train on, said before Start: each size's training images over the repeats. */
import type { LabelledItem } from '../../core/data/types';
import type { SplitChoice } from '../../core/splitPolicy';
import { experimentJobs, jobSplit } from '../../core/train/experiment';
import type { TrainConfig } from '../../core/train/config';

/**
 * One sentence for the split preview, from the repeats' splits (chooseSplits): the training
 * images at each size (a range when the repeats differ) and how many runs. Throws the
 * SplitError of a size the training side cannot meet, as the worker would.
 */
export function sweepPreview(items: readonly LabelledItem[], choices: readonly SplitChoice[], config: Pick<TrainConfig, 'seed' | 'trainSizes'>): string {
  const jobs = experimentJobs({ ...config, repeats: choices.length });
  const sizes = config.trainSizes ?? [];
  const parts = sizes.map((size) => {
    const n = jobs.filter((j) => j.trainSize === size).map((j) => jobSplit(choices[j.repeat]!.names, items, j).train.length);
    const lo = Math.min(...n);
    const hi = Math.max(...n);
    return `${size} → ${lo === hi ? lo : `${lo}–${hi}`}`;
  });
  return `Training-size sweep: ${parts.join(', ')} training images; ${jobs.length} runs, each size on the same validation and test images.`;
}
