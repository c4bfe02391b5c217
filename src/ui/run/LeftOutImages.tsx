import { isInfoProblem } from '../../core/data/matchImages';
import type { ImportProblem } from '../../core/data/types';

interface Props {
  problems: readonly ImportProblem[];
  /** The cross-dataset set's name, heading its own problems. */
  crossName?: string;
}

/** The images the worker could not use, the training data's and the cross set's apart (a cross file is not a training file). */
export function LeftOutImages({ problems, crossName }: Props) {
  const used = problems.filter((p) => !isInfoProblem(p));
  const groups = [
    { key: 'main', title: '', list: used.filter((p) => p.set !== 'cross') },
    { key: 'cross', title: `Cross-dataset set ${crossName ?? '(second folder)'}: `, list: used.filter((p) => p.set === 'cross') },
  ];
  return (
    <>
      {groups.map(
        (g) =>
          g.list.length > 0 && (
            <details className="warnings" key={g.key} data-set={g.key}>
              <summary>
                {g.title}
                {g.list.length} image{g.list.length === 1 ? '' : 's'} could not be used and {g.list.length === 1 ? 'was' : 'were'} left out
              </summary>
              <ul className="report__problems" tabIndex={0}>
                {g.list.map((p, i) => (
                  <li key={i}>{p.message}</li>
                ))}
              </ul>
            </details>
          ),
      )}
    </>
  );
}
