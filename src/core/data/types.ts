/** One usable labelled image after import and matching. */
export interface LabelledItem {
  /** The image's path relative to the chosen folder, as found on disk (e.g. "images/I01_01_01.png"). */
  file: string;
  /** The score, oriented so that higher is better (DMOS files are negated-or-flipped at import). */
  mos: number;
  /**
   * Reference / content id (used to split by content): from the score file's reference
   * column, or from I<ref>_<type>_<level> image names when the file has none ("01").
   */
  ref?: string;
  /** Distortion type from I<ref>_<type>_<level> image names ("08"), for results per distortion type. */
  distortion?: string;
  /** Official split label from the score file ("train" | "test" | other raw value), when present. */
  officialSplit?: string;
  /** 1-based line number in the score file, for messages. */
  line: number;
}

/** A problem with one row of the score file or one file of the folder. Nothing is dropped without one. */
export interface ImportProblem {
  kind:
    | 'missing-image'
    | 'unreadable-image'
    | 'bad-score'
    | 'missing-score'
    | 'duplicate-row'
    | 'unlabelled-image'
    | 'malformed-row'
    /** One line for all the folder's files that are not images (information only). */
    | 'not-image';
  /** Score-file line (1-based) when the problem is a row. */
  line?: number;
  /** Image file (relative path) when the problem is a file. */
  file?: string;
  /** Plain words: what is wrong and what to do. */
  message: string;
  /** 'cross': a problem of the cross-dataset set (a second folder), not of the training data. */
  set?: 'cross';
}

/** An image decoded and resized to the dataset's storage size: HxWx3 uint8, row-major RGB. */
export interface DecodedImage {
  width: number;
  height: number;
  data: Uint8Array;
}
