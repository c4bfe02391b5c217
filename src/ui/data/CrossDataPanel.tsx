/**
 * The cross-dataset test (optional): a second labelled dataset, scored whole at every
 * evaluation beside the test set (e.g. trained on KonIQ-10k, tested on LIVE Challenge). It is
 * brought in as the first dataset is (useDataset: its names and layout detected, every guess
 * editable, every unusable row listed) and never trains or chooses anything.
 */
import { memo, useEffect, useMemo, useState } from 'react';
import type { CrossDataset } from '../../worker/protocol';
import type { ColumnChoices } from '../experiment/studioConfig';
import { ADVICE } from '../common/errorAdvice';
import { ErrorBox } from '../common/ErrorBox';
import { DropZone } from './DropZone';
import { FileInputs } from './FileInputs';
import { LayoutEditor } from './LayoutEditor';
import { useDataset } from './useDataset';
import { ValidationReport } from './ValidationReport';

/** What the page sends with Start (the set, once usable), or why Start must wait. */
export interface CrossSlot {
  set?: CrossDataset;
  blocked: string | null;
}

export const NO_CROSS: CrossSlot = { blocked: null };

interface Props {
  locked: boolean;
  onChange: (slot: CrossSlot) => void;
}

export const CrossDataPanel = memo(function CrossDataPanel({ locked, onChange }: Props) {
  // Removing the set unmounts its slot, which forgets its files; adding one again starts afresh.
  const [slot, setSlot] = useState(0);
  return (
    <section className="panel" aria-labelledby="cross-title">
      <h2 id="cross-title">Cross-dataset test <span className="muted">(optional)</span></h2>
      {slot === 0 ? (
        <>
          <p className="hint">
            A second labelled dataset, scored at every evaluation beside the test set and never used to train or choose: how the networks do on
            other images (e.g. trained on KonIQ-10k, tested on LIVE Challenge).
          </p>
          <button type="button" onClick={() => setSlot(1)} disabled={locked}>
            Add a cross-dataset set
          </button>
        </>
      ) : (
        <CrossSlotFields
          key={slot}
          locked={locked}
          onChange={onChange}
          onRemove={() => {
            setSlot(0);
            onChange(NO_CROSS);
          }}
        />
      )}
    </section>
  );
});

function CrossSlotFields({ locked, onChange, onRemove }: Props & { onRemove: () => void }) {
  const [columns, setColumns] = useState<ColumnChoices | undefined>(undefined);
  const data = useDataset(columns);
  const { folder, score, imported, layout, proxy } = data.state;

  const slot = useMemo((): CrossSlot => {
    if (!folder && !score) return { blocked: 'Choose the cross-dataset set’s folder and score file (Cross-dataset test), or remove it.' };
    if (!folder) return { blocked: 'Pick the cross-dataset image folder too, or remove the cross-dataset set.' };
    if (!score) return { blocked: 'Pick the cross-dataset score file too, or remove the cross-dataset set.' };
    if (!imported?.items.length) return { blocked: 'The cross-dataset set has no usable images: see its message, or remove it.' };
    const wanted = new Set(imported.items.map((it) => it.file));
    return { set: { name: folder.name, scoreFileName: score.name, proxy, items: imported.items, files: folder.files.filter((f) => wanted.has(f.path)) }, blocked: null };
  }, [folder, score, imported, proxy]);
  useEffect(() => onChange(slot), [slot, onChange]);

  // A score file that matches nothing: say which folder it was matched against.
  const noMatch = data.state.error?.includes('no usable rows');
  const message =
    noMatch && folder && score
      ? `The cross-dataset score file “${score.name}” matches no image in the folder “${folder.name}”: pick the folder that holds its images. ${data.state.error}`
      : data.state.error;

  return (
    <>
      <DropZone
        disabled={locked}
        onError={(m) => data.setFileError(m)}
        onDrop={(items) => {
          if (items.folder) data.setFolder(items.folder);
          if (items.scoreFile) void data.setScoreFile(items.scoreFile);
        }}
      >
        <FileInputs
          labels={{ folder: 'Cross-dataset image folder', score: 'Cross-dataset score file' }}
          onFolder={data.setFolder}
          onScoreFile={(f) => {
            setColumns(undefined);
            void data.setScoreFile(f);
          }}
          onError={(m) => data.setFileError(m)}
          disabled={locked}
        />
        <div className="demo-row">
          <span className="or">or</span>
          <button type="button" onClick={() => void data.loadDemo()} disabled={locked || data.state.busy !== null}>
            Use the demo set here
          </button>
          <button type="button" onClick={onRemove} disabled={locked}>
            Remove the cross-dataset set
          </button>
        </div>
      </DropZone>
      {data.state.busy && (
        <p className="status-line" role="status">
          {data.state.busy}
        </p>
      )}
      <p className="status-line">
        {folder ? `Cross-dataset folder “${folder.name}”: ${folder.files.length} files.` : 'No cross-dataset folder yet.'}{' '}
        {score ? `Score file “${score.name}”.` : 'No cross-dataset score file yet.'}
      </p>
      {message && <ErrorBox advice={noMatch ? ADVICE['no-match'] : ADVICE.file} message={message} />}
      {score && <LayoutEditor layout={layout} choices={columns} onChange={setColumns} />}
      {imported && folder && (
        <>
          <ValidationReport summary={imported.summary} problems={imported.problems} images={folder.files.length} name={`${folder.name}-cross`} />
          <p className="hint" data-testid="cross-ready">
            {imported.items.length} images of “{folder.name}” will be scored at every epoch beside the test set
            {proxy ? '; their scores are a formula (a proxy), not human opinions' : ''}.
          </p>
        </>
      )}
    </>
  );
}
