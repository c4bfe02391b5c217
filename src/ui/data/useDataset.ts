/**
 * The data the user brought: a folder listing and a score file, imported on the page
 * (cheap: text and file names) so the layout, report and previews show at once.
 * Decoding the images is the worker's job.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { importDataset, type ImportedDataset } from '../../core/data/importDataset';
import { ImportError } from '../../core/data/importError';
import { parseScoreFile, type ScoreFileLayout } from '../../core/data/scoreFile';
import type { DatasetFile } from '../../worker/protocol';
import { columnsToOverrides, type ColumnChoices } from '../experiment/studioConfig';
import { isDemoScoreText, loadDemoDataset } from './demoDataset';

export interface Folder {
  name: string;
  files: DatasetFile[];
}

export interface ScoreText {
  name: string;
  text: string;
}

export interface DatasetState {
  folder: Folder | null;
  score: ScoreText | null;
  /** The scores are the demo's formula, not human opinions. */
  proxy: boolean;
  /** Detected (or chosen) layout, when the score file could be read. */
  layout: ScoreFileLayout | null;
  imported: ImportedDataset | null;
  /** Why nothing can be used yet, in words. */
  error: string | null;
  /** Something is loading: words for the user. */
  busy: string | null;
}

/** Score files are text; anything this large is almost certainly not one. */
const MAX_SCORE_BYTES = 64 * 1024 * 1024;

async function readScoreFile(file: File): Promise<ScoreText> {
  if (file.size > MAX_SCORE_BYTES)
    throw new Error(`${file.name} is ${Math.round(file.size / 1e6)} MB: too big for a score file. Pick the CSV or TXT that lists each image with its score.`);
  const text = await file.text();
  if (text.includes('\u0000'))
    throw new Error(`${file.name} is not a text file (it looks like an image or a spreadsheet). Pick the CSV or TXT score file; save a spreadsheet as CSV first.`);
  return { name: file.name, text };
}

export function useDataset(columns: ColumnChoices | undefined) {
  const [folder, setFolderState] = useState<Folder | null>(null);
  const [score, setScore] = useState<ScoreText | null>(null);
  const [proxy, setProxy] = useState(false);
  /** The score file in use was made by the studio's own formula (a set made from the user's photos). */
  const [madeByFormula, setMadeByFormula] = useState(false);
  const [fileError, setFileError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    if (!score) setProxy(false);
    else if (madeByFormula) setProxy(true);
    else void isDemoScoreText(score.text).then((p) => live && setProxy(p));
    return () => {
      live = false;
    };
  }, [score, madeByFormula]);

  const setFolder = useCallback((f: Folder) => {
    setFolderState(f);
    setFileError(null);
  }, []);

  /** `formula`: the studio made these scores (MS-SSIM proxy), so they are marked as such wherever they show. */
  const setScoreFile = useCallback(async (file: File, formula = false) => {
    try {
      setMadeByFormula(formula);
      setScore(await readScoreFile(file));
      setFileError(null);
    } catch (e) {
      setFileError((e as Error).message);
    }
  }, []);

  const loadDemo = useCallback(async () => {
    setBusy('Downloading the demo dataset…');
    try {
      const demo = await loadDemoDataset((done, total) => setBusy(`Downloading the demo dataset… ${done} of ${total} images`));
      setFolderState({ name: 'demo', files: demo.files });
      setMadeByFormula(false);
      setScore(await readScoreFile(demo.scoreFile));
      setFileError(null);
    } catch (e) {
      setFileError(`The demo dataset could not be loaded: ${(e as Error).message} Check your connection and try again.`);
    } finally {
      setBusy(null);
    }
  }, []);

  const overrides = useMemo(() => columnsToOverrides(columns), [columns]);
  const paths = useMemo(() => folder?.files.map((f) => f.path) ?? [], [folder]);

  const derived = useMemo(() => {
    let layout: ScoreFileLayout | null = null;
    let imported: ImportedDataset | null = null;
    let error: string | null = null;
    if (score) {
      try {
        // One parse per change: the import's own layout when there are files to match, else the layout alone.
        if (folder && paths.length > 0) {
          imported = importDataset({ scoreFileName: score.name, scoreText: score.text, files: paths, overrides });
          layout = imported.layout;
        } else {
          layout = parseScoreFile(score.name, score.text, overrides).layout;
          if (folder) error = `The folder "${folder.name}" is empty. Pick the folder that holds the images.`;
        }
      } catch (e) {
        error = e instanceof ImportError ? e.message : `${score.name} could not be read: ${(e as Error).message}`;
      }
    }
    return { layout, imported, error };
  }, [score, folder, paths, overrides]);

  // One object per real change, so memoised panels skip the renders the training progress causes.
  const state = useMemo<DatasetState>(
    () => ({ folder, score, proxy, layout: derived.layout, imported: derived.imported, error: fileError ?? derived.error, busy }),
    [folder, score, proxy, derived, fileError, busy],
  );
  return { state, setFolder, setScoreFile, loadDemo, setFileError };
}
