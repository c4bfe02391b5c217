/**
 * Which public IQA dataset a score file probably comes from, and what that says about
 * score direction. Only a suggestion: the user can override every guess.
 */
import { baseName, normalizePath } from './cells';

export interface DatasetGuess {
  name: string;
  /** Set only when the dataset is known to score the other way round (CSIQ: DMOS, lower is better). */
  higherIsBetter?: boolean;
  reason: string;
}

interface Clues {
  fileName: string;
  /** Header names in lower case; empty when the file has no header. */
  header: string[];
  /** Some values of the image column. */
  images: string[];
}

/** Most image paths start with this folder, as in the IQA-Dataset collection ("CSIQ/dst_imgs/..."). */
function pathsStartWith(images: string[], folder: string): boolean {
  if (images.length === 0) return false;
  const f = folder.toLowerCase() + '/';
  const hits = images.filter((p) => normalizePath(p).toLowerCase().startsWith(f)).length;
  return hits >= images.length / 2;
}

export function guessDataset({ fileName, header, images }: Clues): DatasetGuess | undefined {
  const name = fileName.toLowerCase();
  const has = (h: string) => header.includes(h);

  if (pathsStartWith(images, 'CSIQ'))
    return {
      name: 'CSIQ',
      higherIsBetter: false,
      reason:
        'Image paths start with "CSIQ/", so this looks like CSIQ, whose scores are DMOS: lower is better. ' +
        'If your file is different, switch the direction to "higher is better".',
    };
  if (/csiq/.test(name))
    return {
      name: 'CSIQ',
      higherIsBetter: false,
      reason:
        'The file name mentions CSIQ, whose scores are DMOS: lower is better. ' +
        'If your file is different, switch the direction to "higher is better".',
    };
  if (pathsStartWith(images, 'KADID-10k') || /kadid/.test(name) || (has('dist_img') && has('ref_img')))
    return { name: 'KADID-10k', reason: 'Looks like KADID-10k (its scores are higher-is-better, 1–5).' };
  if (pathsStartWith(images, 'TID2013') || /tid2013|mos_with_names/.test(name))
    return { name: 'TID2013', reason: 'Looks like TID2013 (MOS, higher is better).' };
  if (pathsStartWith(images, 'LIVE_Challenge') || /live.?challenge|clive/.test(name))
    return { name: 'LIVE Challenge', reason: 'Looks like LIVE Challenge (MOS, higher is better; no reference images).' };
  if (/koniq/.test(name) || (has('image_name') && has('c_total')))
    return { name: 'KonIQ-10k', reason: 'Looks like KonIQ-10k (MOS, higher is better).' };
  return undefined;
}

/** What a TID2013/KADID-style distorted-image name says about the image. */
export interface NameParts {
  /** Reference content, digits as written ("01"). */
  ref: string;
  /** Distortion type, digits as written ("08"). */
  distortion: string;
  /** Distortion level ("3"). */
  level: string;
}

/** `I<ref>_<type>_<level>.<ext>`, any case: TID2008/TID2013 (i01_08_3.bmp) and KADID-10k (I01_03_02.png). */
const DISTORTED_NAME = /^i(\d+)_(\d+)_(\d+)\.[a-z0-9]+$/i;

/** Reference, distortion type and level from the base name of `path`, or null when it does not follow the pattern. */
export function parseDistortedName(path: string): NameParts | null {
  const m = DISTORTED_NAME.exec(baseName(path));
  return m ? { ref: m[1]!, distortion: m[2]!, level: m[3]! } : null;
}
