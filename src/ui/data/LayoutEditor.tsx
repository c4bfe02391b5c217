/** The detected score-file layout, every guess editable; a change re-runs the import. */
import { useId } from 'react';
import type { ScoreFileLayout } from '../../core/data/scoreFile';
import { WHITESPACE } from '../../core/data/scoreFile';
import type { ColumnChoices } from '../experiment/studioConfig';

interface Props {
  layout: ScoreFileLayout | null;
  choices: ColumnChoices | undefined;
  onChange: (c: ColumnChoices | undefined) => void;
}

const DELIMITERS: [string, string][] = [
  [',', 'comma ,'],
  ['\t', 'tab'],
  [';', 'semicolon ;'],
  [WHITESPACE, 'spaces'],
];

export function LayoutEditor({ layout, choices, onChange }: Props) {
  // Ids of its own: a second data slot (the cross-dataset set) has an editor too.
  const uid = useId();
  const set = (patch: ColumnChoices) => {
    const next = { ...(choices ?? {}), ...patch };
    onChange(next);
  };
  // A new delimiter or header changes the columns themselves: old column choices no longer apply.
  const setStructure = (patch: ColumnChoices) => {
    const { delimiter, hasHeader, higherIsBetter } = { ...(choices ?? {}), ...patch };
    const next: ColumnChoices = {};
    if (delimiter !== undefined) next.delimiter = delimiter;
    if (hasHeader !== undefined) next.hasHeader = hasHeader;
    if (higherIsBetter !== undefined) next.higherIsBetter = higherIsBetter;
    onChange(next);
  };
  const cols = layout?.columns ?? [];
  const colOptions = cols.map((name, i) => (
    <option key={i} value={i}>
      {layout?.hasHeader ? `${name} (${i + 1})` : name}
    </option>
  ));
  const hasChoices = choices !== undefined && Object.keys(choices).length > 0;

  return (
    <fieldset className="layout-editor">
      <legend>Score-file columns</legend>
      <div className="grid-fields">
        <div className="field">
          <label htmlFor={`${uid}-delimiter`}>Delimiter</label>
          <select
            id={`${uid}-delimiter`}
            value={layout?.delimiter ?? choices?.delimiter ?? ','}
            onChange={(e) => setStructure({ delimiter: e.target.value })}
          >
            {DELIMITERS.map(([v, name]) => (
              <option key={name} value={v}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${uid}-header`}>First line</label>
          <select
            id={`${uid}-header`}
            value={String(layout?.hasHeader ?? choices?.hasHeader ?? true)}
            onChange={(e) => setStructure({ hasHeader: e.target.value === 'true' })}
          >
            <option value="true">is a header</option>
            <option value="false">is data</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${uid}-image`}>Image column</label>
          <select id={`${uid}-image`} disabled={!layout} value={layout?.imageColumn ?? ''} onChange={(e) => set({ imageColumn: Number(e.target.value) })}>
            {colOptions}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${uid}-score`}>Score column</label>
          <select id={`${uid}-score`} disabled={!layout} value={layout?.scoreColumn ?? ''} onChange={(e) => set({ scoreColumn: Number(e.target.value) })}>
            {colOptions}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${uid}-ref`}>Reference column</label>
          <select
            id={`${uid}-ref`}
            disabled={!layout}
            value={layout?.refColumn ?? 'none'}
            onChange={(e) => set({ refColumn: e.target.value === 'none' ? null : Number(e.target.value) })}
          >
            <option value="none">none</option>
            {colOptions}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${uid}-split`}>Official split column</label>
          <select
            id={`${uid}-split`}
            disabled={!layout}
            value={layout?.splitColumn ?? 'none'}
            onChange={(e) => set({ splitColumn: e.target.value === 'none' ? null : Number(e.target.value) })}
          >
            <option value="none">none</option>
            {colOptions}
          </select>
        </div>
        <div className="field field--wide">
          <label htmlFor={`${uid}-direction`}>Scores</label>
          <select
            id={`${uid}-direction`}
            value={String(layout?.higherIsBetter ?? choices?.higherIsBetter ?? true)}
            onChange={(e) => set({ higherIsBetter: e.target.value === 'true' })}
          >
            <option value="true">higher is better (MOS)</option>
            <option value="false">lower is better (DMOS, e.g. CSIQ)</option>
          </select>
        </div>
      </div>
      {hasChoices && (
        <button type="button" className="link-button" onClick={() => onChange(undefined)}>
          Reset to the detected layout
        </button>
      )}
      {layout && (
        <details className="layout-reasons">
          <summary>
            Why these columns{layout.datasetGuess ? ` — looks like ${layout.datasetGuess}` : ''}
          </summary>
          <ul>
            {layout.reasons.map((r, i) => (
              <li key={i}>{r}</li>
            ))}
          </ul>
        </details>
      )}
    </fieldset>
  );
}
