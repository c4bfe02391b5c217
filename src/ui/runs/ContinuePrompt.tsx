/** Continuing a stored run whose data the page no longer holds: which folder and score file to choose again, and whether they match. */
import type { RunRecord } from '../../storage/runRecord';

interface Props {
  run: RunRecord;
  /** What is wrong with the data held now (datasetProblem's words), or null when it matches. */
  problem: string | null;
  onContinue: () => void;
  onCancel: () => void;
}

export function ContinuePrompt({ run, problem, onContinue, onCancel }: Props) {
  const d = run.dataset;
  return (
    <div className="resume-prompt" role="region" aria-label="Continue a run">
      <p>
        To continue <strong>{run.name}</strong>, the studio needs its data again. In step 1, choose the folder <strong>“{d.name}”</strong> ({d.imageCount}{' '}
        images) and the score file <strong>“{d.scoreFileName}”</strong>.
      </p>
      {problem ? (
        <p className="error-inline">{problem}</p>
      ) : (
        <p className="hint">The data matches: the same {d.imageCount} images.</p>
      )}
      <div className="button-row">
        <button type="button" className="primary" disabled={problem !== null} onClick={onContinue}>
          Continue with this data
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
