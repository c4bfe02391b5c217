/**
 * The studio's composition root: data (step 1) and experiment (step 2) on the left, the run
 * (step 3) and its live charts (step 4) on the right. State lives in three hooks: the dataset,
 * the config (synced with the URL hash), and the trainer (the worker's messages).
 */
import { useCallback, useEffect, useState } from 'react';
import { ChartsPanel } from './charts/ChartsPanel';
import { DataPanel } from './data/DataPanel';
import { useDataset } from './data/useDataset';
import { ExperimentPanel } from './experiment/ExperimentPanel';
import { studioConfigProblems, type ColumnChoices } from './experiment/studioConfig';
import { useConfigState } from './experiment/useConfigState';
import { RunPanel } from './run/RunPanel';
import { isActive } from './run/runState';
import { useTrainer } from './run/useTrainer';
import { makeSplit } from '../core/splits';

export function App() {
  const { config, setConfig, linkProblems } = useConfigState();
  const data = useDataset(config.columns);
  const trainer = useTrainer();
  const [remeasure, setRemeasure] = useState(false);
  const locked = isActive(trainer.state.status);
  const items = data.state.imported?.items ?? null;

  const blocked = ((): string | null => {
    if (!data.state.folder && !data.state.score) return 'Load a dataset first (step 1): an image folder and its score file, or the demo set.';
    if (!data.state.folder) return 'Pick the image folder too (step 1).';
    if (!data.state.score) return 'Pick the score file too (step 1).';
    if (!items || items.length === 0) return 'No usable images yet: see the message in step 1.';
    const p = studioConfigProblems(config);
    if (p.length) return `Fix the experiment settings first (step 2): ${p[0]}`;
    try {
      makeSplit(items, { kind: config.split, testFrac: config.testFrac, seed: config.seed });
    } catch (e) {
      return `The split cannot be made (step 2): ${(e as Error).message}`;
    }
    return null;
  })();

  const onColumns = useCallback(
    (columns: ColumnChoices | undefined) =>
      setConfig((config) => {
        const { columns: _old, ...rest } = config;
        return columns && Object.keys(columns).length ? { ...rest, columns } : rest;
      }),
    [setConfig],
  );
  const { setScoreFile, loadDemo } = data;
  const onScoreFile = useCallback((f: File) => void setScoreFile(f), [setScoreFile]);
  const onDemo = useCallback(() => void loadDemo(), [loadDemo]);
  // `?demo` in the address (what `npm run studio` opens) loads the demo dataset at once.
  useEffect(() => {
    if (new URLSearchParams(window.location.search).has('demo')) onDemo();
  }, [onDemo]);

  const start = () => {
    if (blocked || !items || !data.state.folder) return;
    const wanted = new Set(items.map((it) => it.file));
    const files = data.state.folder.files.filter((f) => wanted.has(f.path));
    trainer.start({ config, items, files, remeasure });
    setRemeasure(false);
  };

  return (
    <div className="app">
      <header className="app-header">
        <h1>DML-IQA Studio</h1>
        <p>Deep mutual learning for image quality assessment, trained in your browser. Bring a folder of images and their scores, then watch a baseline and a DML cohort learn side by side.</p>
      </header>
      <main className="layout">
        <div className="col col--setup">
          <DataPanel
            data={data.state}
            columns={config.columns}
            onColumns={onColumns}
            onFolder={data.setFolder}
            onScoreFile={onScoreFile}
            onDemo={onDemo}
            onError={data.setFileError}
            locked={locked}
          />
          <ExperimentPanel
            config={config}
            onChange={setConfig}
            remeasure={remeasure}
            onRemeasure={setRemeasure}
            items={items}
            locked={locked}
            linkProblems={linkProblems}
          />
        </div>
        <div className="col col--run">
          <RunPanel state={trainer.state} blocked={blocked} onStart={start} onPause={trainer.pause} onResume={trainer.resume} onStop={trainer.stop} />
          <ChartsPanel state={trainer.state} loss={trainer.loss} lossVersion={trainer.lossVersion} items={items} proxy={data.state.proxy} />
        </div>
      </main>
    </div>
  );
}
