/**
 * The studio's composition root: data (step 1) and experiment (step 2) on the left, the run
 * (step 3) and its live charts (step 4) on the right; below, the stored runs (step 5) and
 * scoring new images (step 6). State lives in hooks: the dataset, the config (synced with the
 * URL hash), the trainer (the worker's messages), the stored runs, and the tasks worker.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { datasetProblem } from '../core/data/datasetMeta';
import type { CheckpointSlot, RunRecord } from '../storage/runRecord';
import { ChartsPanel } from './charts/ChartsPanel';
import { DataPanel } from './data/DataPanel';
import { useDataset } from './data/useDataset';
import { ExperimentPanel } from './experiment/ExperimentPanel';
import type { ColumnChoices } from './experiment/studioConfig';
import { configProblems, splitOptionsOf } from '../core/train/config';
import { useConfigState } from './experiment/useConfigState';
import { backboneBlock, budgetBody } from './experiment/backboneChoices';
import { useBackbone } from './experiment/useBackbone';
import { RunPanel } from './run/RunPanel';
import { isActive } from './run/runState';
import { useTrainer } from './run/useTrainer';
import { ContinuePrompt } from './runs/ContinuePrompt';
import { RunsPanel } from './runs/RunsPanel';
import { useRuns } from './runs/useRuns';
import { useTasks } from './runs/useTasks';
import { ScorePanel } from './score/ScorePanel';
import { SynthPanel } from './synth/SynthPanel';
import { chooseSplits } from '../core/splitPolicy';
import { CrossDataPanel, NO_CROSS, type CrossSlot } from './data/CrossDataPanel';
import { sweepPreview } from './experiment/sweepPreview';
import { PresentView } from './present/PresentView';
import { readPresentChoices, writePresentChoices, type PresentChoices } from './present/presentUrl';

export function App() {
  const { config, setConfig, linkProblems } = useConfigState();
  const data = useDataset(config.columns);
  const trainer = useTrainer();
  const runs = useRuns(isActive(trainer.state.status) ? trainer.state.runId : null);
  const task = useTasks();
  const backbones = useBackbone(task);
  const [remeasure, setRemeasure] = useState(false);
  const [slot, setSlot] = useState<CheckpointSlot>('last');
  /** A stored run waiting for its data to be chosen again before it continues. */
  const [continuing, setContinuing] = useState<RunRecord | null>(null);
  /** The runs of its group to continue after it (continuing an experiment whole). */
  const [continueThen, setContinueThen] = useState<string[]>([]);
  /** The cross-dataset set, scored every epoch beside the test set, when one is chosen. */
  const [cross, setCross] = useState<CrossSlot>(NO_CROSS);
  const locked = isActive(trainer.state.status);
  // Presentation mode and its theme live in the address (?present&theme=light), so a speaker can prepare a link.
  const [presentChoices, setPresentChoices] = useState<PresentChoices>(() => readPresentChoices(window.location.search));
  const choosePresent = useCallback((c: PresentChoices) => {
    setPresentChoices(c);
    const search = writePresentChoices(window.location.search, c);
    window.history.replaceState(null, '', `${window.location.pathname}${search}${window.location.hash}`);
  }, []);
  const { setDetail } = trainer;
  // The presentation draws each step's batch: only then does the worker report it.
  useEffect(() => setDetail(presentChoices.present), [presentChoices.present, setDetail]);
  const items = data.state.imported?.items ?? null;
  const folder = data.state.folder;

  // The runs list follows the run: created, each checkpoint, its end.
  const { refresh } = runs;
  const runKey = `${trainer.state.runId}:${trainer.state.status}:${trainer.state.checkpoint?.epoch}`;
  useEffect(() => void refresh(), [runKey, refresh]);

  /** The split the worker will make (its fallback and warning included), or why it cannot. */
  const split = useMemo(() => {
    if (!items || items.length === 0) return null;
    try {
      // Every repeat's split, each from its own seed; the preview shows the first.
      const [first, ...more] = chooseSplits(items, splitOptionsOf(config), config.repeats);
      const each = more.length ? `${first!.split.reason} Each of the ${more.length + 1} repeats draws its own split.` : first!.split.reason;
      const reason = config.trainSizes?.length ? `${each} ${sweepPreview(items, [first!, ...more], config)}` : each;
      return { ok: true as const, reason, names: first!.names, more: more.map((c) => c.names), warning: first!.warning };
    } catch (e) {
      return { ok: false as const, error: (e as Error).message };
    }
  }, [items, config.split, config.testFrac, config.valFrac, config.seed, config.repeats, config.trainSizes]);

  const blocked = useMemo((): string | null => {
    if (!data.state.folder && !data.state.score) return 'Load a dataset first (step 1): an image folder and its score file, or the demo set.';
    if (!data.state.folder) return 'Pick the image folder too (step 1).';
    if (!data.state.score) return 'Pick the score file too (step 1).';
    if (!items || items.length === 0 || !split) return 'No usable images yet: see the message in step 1.';
    const p = configProblems(config);
    if (p.length) return `Fix the experiment settings first (step 2): ${p[0]}`;
    const b = backboneBlock(config, backbones.state);
    if (b) return `${b} (step 2)`;
    if (!split.ok) return `The split cannot be made (step 2): ${split.error}`;
    if (cross.blocked) return cross.blocked;
    return null;
  }, [data.state.folder, data.state.score, items, split, config, backbones.state, cross.blocked]);

  const onColumns = useCallback(
    (columns: ColumnChoices | undefined) =>
      setConfig((config) => {
        const { columns: _old, ...rest } = config;
        return columns && Object.keys(columns).length ? { ...rest, columns } : rest;
      }),
    [setConfig],
  );
  const { setScoreFile, loadDemo } = data;
  // Column choices belong to the score file they were made for: a new file starts from its own detected layout.
  const onScoreFile = useCallback(
    (f: File) => {
      onColumns(undefined);
      void setScoreFile(f);
    },
    [setScoreFile, onColumns],
  );
  const onDemo = useCallback(() => {
    onColumns(undefined);
    void loadDemo();
  }, [loadDemo, onColumns]);
  // `?demo` in the address (what `npm run studio` opens) loads the demo dataset at once.
  useEffect(() => {
    if (new URLSearchParams(window.location.search).has('demo')) onDemo();
  }, [onDemo]);

  /** The folder's files that the usable rows point to. */
  const usedFiles = (rows: NonNullable<typeof items>) => {
    const wanted = new Set(rows.map((it) => it.file));
    return folder ? folder.files.filter((f) => wanted.has(f.path)) : [];
  };

  const start = () => {
    if (blocked || !items || !folder || !data.state.score || !split?.ok) return;
    const dataset = { name: folder.name, scoreFileName: data.state.score.name, proxy: data.state.proxy };
    const name = `${folder.name} · ${config.mode === 'both' ? 'baseline + DML' : config.mode} · ${config.model} ${config.input.width}×${config.input.height}`;
    const backboneFiles = config.model === 'backbone' ? backbones.state.user?.files : undefined;
    trainer.start({ config, items, files: usedFiles(items), split: split.names, moreSplits: split.more, remeasure, meta: { name, dataset }, backboneFiles, body: budgetBody(config, backbones.state), ...(cross.set && { cross: cross.set }) });
    setRemeasure(false);
  };

  /** Why the data held now cannot continue `run` (null: it can). */
  const continueProblem = (run: RunRecord): string | null =>
    items && folder ? datasetProblem(run.dataset, items.map((it) => it.file)) : 'No data is loaded yet.';
  /** Continue `run`, then the runs of its experiment named in `then` (the group's unfinished runs, in order). */
  const continueRun = (run: RunRecord, then: string[] = []) => {
    setContinueThen(then);
    if (!items || continueProblem(run) !== null) return setContinuing(run);
    setContinuing(null);
    // A queued run of a custom-backbone experiment starts from the backbone picked here (checked against the run's).
    const backboneFiles = run.config.model === 'backbone' ? backbones.state.user?.files : undefined;
    trainer.continueRun({ run, items, files: usedFiles(items), backend: config.backend, then, body: budgetBody(run.config, backbones.state), ...(cross.set && { cross: cross.set }), ...(backboneFiles && { backboneFiles }) });
  };

  if (presentChoices.present)
    return (
      <PresentView
        state={trainer.state}
        loss={trainer.loss}
        lossVersion={trainer.lossVersion}
        controls={{ start, pause: trainer.pause, resume: trainer.resume, step: trainer.step, finishEpoch: trainer.finishEpoch, reset: trainer.reset, setLambda: trainer.setLambda }}
        blocked={blocked}
        lambda={config.lambda}
        peers={config.peers}
        mode={config.mode}
        onConfigLambda={(lambda) => setConfig((c) => ({ ...c, lambda }))}
        files={folder?.files ?? []}
        onDemo={onDemo}
        theme={presentChoices.theme}
        onTheme={(theme) => choosePresent({ ...presentChoices, theme })}
        onExit={() => choosePresent({ ...presentChoices, present: false })}
      />
    );

  return (
    <div className="app">
      <header className="app-header">
        <h1>DML-IQA Studio</h1>
        <p>Deep mutual learning for image quality assessment, trained in your browser. Bring a folder of images and their scores, then watch a baseline and a DML cohort learn side by side.</p>
        <button type="button" className="present-open" onClick={() => choosePresent({ ...presentChoices, present: true })}>
          Present
        </button>
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
          <SynthPanel
            locked={locked}
            onUse={(folder, scoreFile) => {
              data.setFolder(folder);
              onColumns(undefined);
              void setScoreFile(scoreFile, true);
            }}
          />
          <ExperimentPanel
            config={config}
            onChange={setConfig}
            remeasure={remeasure}
            onRemeasure={setRemeasure}
            split={split}
            locked={locked}
            linkProblems={linkProblems}
            backbones={backbones}
            dataItems={items}
            dataFiles={folder?.files}
          />
          <CrossDataPanel locked={locked} onChange={setCross} />
        </div>
        <div className="col col--run">
          <RunPanel state={trainer.state} blocked={blocked} onStart={start} onPause={trainer.pause} onResume={trainer.resume} onStop={trainer.stop} />
          <ChartsPanel
            state={trainer.state}
            loss={trainer.loss}
            lossVersion={trainer.lossVersion}
            items={items}
            proxy={data.state.proxy}
            files={folder?.files}
            runs={runs.runs}
            task={task}
            heatmapImage={config.heatmapImage}
            onHeatmapImage={(i) => {
              // The config (and link) for the next run; the worker from the next epoch of this one.
              setConfig((c) => ({ ...c, heatmapImage: i }));
              trainer.setHeatmapImage(i);
            }}
          />
        </div>
      </main>
      <div className="runs-area">
        <RunsPanel
          runs={runs}
          task={task}
          activeRunId={locked ? trainer.state.runId : null}
          training={locked}
          slot={slot}
          onSlot={setSlot}
          onContinue={(run) => continueRun(run)}
          onContinueGroup={(runs) => runs[0] && continueRun(runs[0], runs.slice(1).map((r) => r.id))}
        >
          {continuing && <ContinuePrompt run={continuing} problem={continueProblem(continuing)} onContinue={() => continueRun(continuing, continueThen)} onCancel={() => setContinuing(null)} />}
        </RunsPanel>
        <ScorePanel runs={runs.runs} task={task} slot={slot} />
      </div>
    </div>
  );
}
