/** Step 1: bring the data — pick or drop a folder and a score file, or take the demo set — and check it. */
import { memo } from 'react';
import type { ColumnChoices } from '../experiment/studioConfig';
import { ADVICE } from '../common/errorAdvice';
import { ErrorBox } from '../common/ErrorBox';
import { DropZone } from './DropZone';
import { FileInputs } from './FileInputs';
import { LayoutEditor } from './LayoutEditor';
import { MosHistogram } from './MosHistogram';
import { Thumbnails } from './Thumbnails';
import type { DatasetState, Folder } from './useDataset';
import { ValidationReport } from './ValidationReport';

interface Props {
  data: DatasetState;
  columns: ColumnChoices | undefined;
  onColumns: (c: ColumnChoices | undefined) => void;
  onFolder: (f: Folder) => void;
  onScoreFile: (f: File) => void;
  onDemo: () => void;
  onError: (message: string | null) => void;
  locked: boolean;
}

export const DataPanel = memo(function DataPanel({ data, columns, onColumns, onFolder, onScoreFile, onDemo, onError, locked }: Props) {
  const { folder, score, imported, layout } = data;
  const noMatch = data.error?.includes('no usable rows');
  return (
    <section className="panel" aria-labelledby="data-title">
      <h2 id="data-title">
        <span className="step">1</span> Data
      </h2>
      <DropZone
        disabled={locked}
        onError={(m) => onError(m)}
        onDrop={(items) => {
          if (items.folder) onFolder(items.folder);
          if (items.scoreFile) onScoreFile(items.scoreFile);
          if (items.ignoredFolders.length)
            onError(`Only the first folder is used; ignored: ${items.ignoredFolders.join(', ')}. Drop one folder at a time.`);
        }}
      >
        <FileInputs onFolder={onFolder} onScoreFile={onScoreFile} onError={(m) => onError(m)} disabled={locked} />
        <div className="demo-row">
          <span className="or">or</span>
          <button type="button" onClick={onDemo} disabled={locked || data.busy !== null}>
            Try the demo dataset
          </button>
        </div>
      </DropZone>
      {data.busy && (
        <p className="status-line" role="status">
          {data.busy}
        </p>
      )}
      <p className="status-line">
        {folder ? `Folder “${folder.name}”: ${folder.files.length} files.` : 'No image folder yet.'}{' '}
        {score ? `Score file “${score.name}”.` : 'No score file yet.'}
      </p>
      {data.error && (
        <ErrorBox advice={noMatch ? ADVICE['no-match'] : ADVICE.file} message={data.error} />
      )}
      {score && <LayoutEditor layout={layout} choices={columns} onChange={onColumns} />}
      {imported && folder && (
        <>
          <ValidationReport summary={imported.summary} problems={imported.problems} images={folder.files.length} name={folder.name} />
          <MosHistogram items={imported.items} proxy={data.proxy} />
          <Thumbnails items={imported.items} files={folder.files} />
        </>
      )}
    </section>
  );
});
