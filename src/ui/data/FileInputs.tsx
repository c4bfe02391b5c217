/** The two pickers: the image folder (webkitdirectory) and the score file. */
import { useId } from 'react';
import type { Folder } from './useDataset';
import { filesFromFolderInput } from './relativePath';

interface Props {
  onFolder: (f: Folder) => void;
  onScoreFile: (f: File) => void;
  onError: (message: string) => void;
  disabled: boolean;
  /** The two labels (a second data slot, the cross-dataset set, has its own). */
  labels?: { folder: string; score: string };
}

/** React does not know webkitdirectory; it passes lower-case attributes through as they are. */
const DIRECTORY_ATTRS = { webkitdirectory: '', directory: '' } as Record<string, string>;

export function FileInputs({ onFolder, onScoreFile, onError, disabled, labels = { folder: 'Image folder', score: 'Score file' } }: Props) {
  const id = useId();
  return (
    <div className="file-inputs">
      <div className="field">
        <label htmlFor={`${id}-folder`}>{labels.folder}</label>
        <input
          id={`${id}-folder`}
          type="file"
          multiple
          disabled={disabled}
          {...DIRECTORY_ATTRS}
          onChange={(e) => {
            const list = e.currentTarget.files;
            if (!list || list.length === 0) return;
            const folder = filesFromFolderInput(list);
            if (folder.files.length === 0) onError('That folder has no files. Pick the folder that holds the images.');
            else onFolder({ name: folder.name || 'folder', files: folder.files });
          }}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-score`}>{labels.score}</label>
        <input
          id={`${id}-score`}
          type="file"
          accept=".csv,.txt,.tsv,.dat,text/csv,text/plain"
          disabled={disabled}
          onChange={(e) => {
            const f = e.currentTarget.files?.[0];
            if (f) onScoreFile(f);
          }}
        />
      </div>
    </div>
  );
}
