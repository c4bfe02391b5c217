/**
 * The score file cannot be used at all (unknown layout, no rows, nothing usable).
 * Row-level trouble is an ImportProblem instead; this is for "stop and fix the file".
 */
export class ImportError extends Error {
  /** The score file's name, as the user picked it. */
  readonly file: string;
  /** 1-based line of the score file, when one line is to blame. */
  readonly line?: number;

  constructor(file: string, message: string, line?: number) {
    super(message);
    this.name = 'ImportError';
    this.file = file;
    if (line !== undefined) this.line = line;
  }
}
