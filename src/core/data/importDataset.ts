/** Score file + folder listing → labelled items and the full problem report, in one call. */
import { IMAGE_EXTENSIONS, isImagePath } from './cells';
import { ImportError } from './importError';
import { matchImages } from './matchImages';
import { parseScoreFile, type ScoreFileLayout } from './scoreFile';
import type { ImportProblem, LabelledItem } from './types';

export interface ImportDatasetInput {
  scoreFileName: string;
  scoreText: string;
  /** Relative paths of every file in the picked folder, e.g. "koniq/1024x768/10004473376.jpg". */
  files: readonly string[];
  overrides?: Partial<ScoreFileLayout>;
}

export interface ImportSummary {
  /** Data rows in the score file (header and blank lines not counted). */
  rows: number;
  usable: number;
  byKind: Record<ImportProblem['kind'], number>;
}

export interface ImportedDataset {
  layout: ScoreFileLayout;
  items: LabelledItem[];
  problems: ImportProblem[];
  summary: ImportSummary;
}

/** How many problems an "unusable" error quotes. */
const QUOTED = 5;

function countByKind(problems: readonly ImportProblem[]): Record<ImportProblem['kind'], number> {
  const byKind: Record<ImportProblem['kind'], number> = {
    'missing-image': 0,
    'unreadable-image': 0,
    'bad-score': 0,
    'missing-score': 0,
    'duplicate-row': 0,
    'unlabelled-image': 0,
    'malformed-row': 0,
    'not-image': 0,
  };
  for (const p of problems) byKind[p.kind]++;
  return byKind;
}

/** Throws ImportError when the layout is unknown or when no row is usable. */
export function importDataset({ scoreFileName, scoreText, files, overrides }: ImportDatasetInput): ImportedDataset {
  if (files.length === 0)
    throw new ImportError(scoreFileName, 'The chosen folder is empty: there are no images to match the score file to. Pick the folder that holds the images.');
  const parsed = parseScoreFile(scoreFileName, scoreText, overrides, { files });
  const matched = matchImages(parsed.rows, files, {
    higherIsBetter: parsed.layout.higherIsBetter,
    scoreFileName,
  });
  const problems = [...parsed.problems, ...matched.problems];
  const rows = parsed.rows.length + parsed.problems.filter((p) => p.kind === 'malformed-row').length;

  if (matched.items.length === 0) {
    const rowProblems = problems.filter((p) => p.line !== undefined);
    const quoted = (rowProblems.length ? rowProblems : problems).slice(0, QUOTED).map((p) => `• ${p.message}`);
    const more = problems.length > QUOTED ? `\n(${problems.length - QUOTED} more problems in the report.)` : '';
    if (!files.some(isImagePath))
      throw new ImportError(
        scoreFileName,
        `The chosen folder holds ${files.length} file${files.length === 1 ? '' : 's'} and none is an image (${IMAGE_EXTENSIONS.join(', ')}), ` +
          `e.g. ${files.slice(0, 3).map((f) => `"${f}"`).join(', ')}. Pick the folder that holds the images.`,
      );
    throw new ImportError(
      scoreFileName,
      `${scoreFileName}: no usable rows — none of its ${rows} rows gave an image in the folder with a numeric score. ` +
        `Check you picked the right folder and columns. First problems:\n${quoted.join('\n')}${more}`,
    );
  }

  return {
    layout: parsed.layout,
    items: matched.items,
    problems,
    summary: { rows, usable: matched.items.length, byKind: countByKind(problems) },
  };
}
