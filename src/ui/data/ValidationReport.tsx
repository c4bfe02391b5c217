/** What the import made of the data: counts per kind, every problem with its reason, as CSV too. */
import type { ImportSummary } from '../../core/data/importDataset';
import { isInfoProblem, problemsToCsv } from '../../core/data/matchImages';
import type { ImportProblem } from '../../core/data/types';
import { useId } from 'react';
import { downloadText } from '../common/download';

const KIND_WORDS: Record<ImportProblem['kind'], string> = {
  'missing-image': 'rows whose image is not in the folder',
  'unreadable-image': 'images that could not be read',
  'bad-score': 'rows with a score that is not a number',
  'missing-score': 'rows without a score',
  'duplicate-row': 'duplicate rows (first kept)',
  'unlabelled-image': 'images without a score row (not used)',
  'malformed-row': 'rows that could not be split into columns',
  'not-image': 'note on the files that are not images (ignored)',
};

interface Props {
  summary: ImportSummary;
  problems: ImportProblem[];
  images: number;
  /** Base name for the downloaded report. */
  name: string;
}

export function ValidationReport({ summary, problems, images, name }: Props) {
  const errors = problems.filter((p) => !isInfoProblem(p)).length;
  const kinds = (Object.keys(summary.byKind) as ImportProblem['kind'][]).filter((k) => summary.byKind[k] > 0);
  const id = useId();
  return (
    <section className="report" aria-labelledby={id}>
      <h3 id={id}>Validation report</h3>
      <p className="report__summary">
        <strong>{summary.usable}</strong> of {summary.rows} score rows are usable ({images} files in the folder).
        {errors === 0 ? ' Nothing to fix.' : ` ${errors} row${errors === 1 ? '' : 's'} need${errors === 1 ? 's' : ''} a look.`}
      </p>
      {kinds.length > 0 && (
        <ul className="report__counts">
          {kinds.map((k) => (
            <li key={k} className={k === 'unlabelled-image' || k === 'not-image' ? 'info' : 'warn'}>
              <span className="count">{summary.byKind[k]}</span> {KIND_WORDS[k]}
            </li>
          ))}
        </ul>
      )}
      {problems.length > 0 && (
        <>
          <ul className="report__problems" tabIndex={0} aria-label="Every problem with its reason">
            {problems.map((p, i) => (
              <li key={i} className={isInfoProblem(p) ? 'info' : 'warn'}>
                <span className="tag">{isInfoProblem(p) ? 'info' : 'fix'}</span> {p.message}
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => downloadText(`${name}-import-report.csv`, problemsToCsv(problems), 'text/csv')}>
            Download report (CSV)
          </button>
        </>
      )}
    </section>
  );
}
