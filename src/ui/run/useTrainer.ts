/**
 * The page's side of a training run: one TrainerClient per run, worker messages queued and
 * folded into state four times a second (the worker sends ~10 step batches a second), step
 * losses kept in a StepLossSeries ref whose charts redraw at most once a second.
 */
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { LabelledItem } from '../../core/data/types';
import { runsOf, type TrainConfig } from '../../core/train/config';
import { TrainerClient } from '../../worker/client';
import type { BackendChoice, CrossDataset, DatasetFile, FromWorker, ModelFile, RunMeta } from '../../worker/protocol';
import type { SplitNames } from '../../core/splitPolicy';
import type { RunRecord } from '../../storage/runRecord';
import { StepLossSeries } from '../charts/lossSeries';
import { StepBatcher } from '../../worker/stepBatcher';
import type { StudioConfig } from '../experiment/studioConfig';
import { initialRunState, runReducer } from './runState';
import { memoryHints } from '../experiment/MemoryBudgetLine';
import type { BodyLayers } from '../../core/models/footprint';

const FLUSH_MS = 250;
/**
 * The loss charts (three recharts charts of ~500 points each) redraw at most this often while
 * steps stream in; at 4 redraws a second they took half a core of a 2-core machine from the
 * training worker. The last steps always show: by timer within the second, at once on a run's end,
 * pause or error.
 */
const LOSS_REDRAW_MS = 1000;

export interface StartArgs {
  config: StudioConfig;
  items: LabelledItem[];
  files: DatasetFile[];
  remeasure: boolean;
  /** The run's name and data, stored with it. */
  meta: RunMeta;
  /** The split the page previewed (chooseSplit), as file names; with repeats, the others' too. */
  split: SplitNames;
  moreSplits?: SplitNames[];
  /** A user's backbone (model 'backbone'): its model.json and weight files. */
  backboneFiles?: ModelFile[];
  /** A second labelled dataset scored at every evaluation (the cross-dataset test). */
  cross?: CrossDataset;
  /** A pretrained body's layer list (budgetBody): the worker's memory budget is then the one step 2 showed. */
  body?: BodyLayers | null;
}

export interface ContinueArgs {
  run: RunRecord;
  items: LabelledItem[];
  files: DatasetFile[];
  backend: BackendChoice;
  /** More runs of the same experiment to continue after this one, in order (continuing a group). */
  then?: string[];
  cross?: CrossDataset;
  /** The backbone picked on the page (a queued run of a custom-backbone experiment starts from its weights). */
  backboneFiles?: ModelFile[];
  /** As StartArgs.body, for the run's config. */
  body?: BodyLayers | null;
}

export function useTrainer() {
  const [state, dispatch] = useReducer(runReducer, initialRunState);
  const loss = useRef(new StepLossSeries());
  const [lossVersion, setLossVersion] = useState(0);
  const client = useRef<TrainerClient | null>(null);
  const queue = useRef<FromWorker[]>([]);
  const timer = useRef<number | null>(null);
  /** Steps reach the loss series (and its charts redraw) in batches, at most one a second, the last by timer. */
  const lossSteps = useRef<StepBatcher | null>(null);
  lossSteps.current ??= new StepBatcher((steps) => {
    loss.current.add(steps);
    setLossVersion((v) => v + 1);
  }, LOSS_REDRAW_MS);
  /** Whether step events should carry their batch (the presentation shows it); sent to every new worker. */
  const detail = useRef(false);
  /** Unsubscribes the page from the current worker's messages. */
  const off = useRef<(() => void) | null>(null);

  const flush = useCallback((urgent = false) => {
    timer.current = null;
    const msgs = queue.current;
    if (msgs.length === 0) return;
    queue.current = [];
    for (const m of msgs) if (m.type === 'steps') lossSteps.current!.push(...m.steps);
    dispatch({ type: 'messages', msgs, now: performance.now() });
    if (urgent) lossSteps.current!.flush();
  }, []);

  const onMessage = useCallback(
    (m: FromWorker) => {
      queue.current.push(m);
      // Errors, the end of a run, checkpoints and a resume show at once; progress waits for the next flush.
      if (m.type === 'error' || m.type === 'done' || m.type === 'state' || m.type === 'checkpoint' || m.type === 'continued') flush(true);
      else timer.current ??= window.setTimeout(flush, FLUSH_MS);
    },
    [flush],
  );

  /** A fresh worker for a run: the old one (and its queued messages) is dropped first. */
  const launch = useCallback(
    (runId: string, train: TrainConfig, post: (c: TrainerClient) => void, experiment?: { config: TrainConfig; meta?: RunMeta }) => {
      client.current?.terminate();
      client.current = null;
      if (timer.current !== null) window.clearTimeout(timer.current);
      timer.current = null;
      queue.current = [];
      lossSteps.current!.discard();
      loss.current.clear();
      setLossVersion((v) => v + 1);
      dispatch({
        type: 'reset',
        runId,
        plan: { epochs: train.epochs, runs: runsOf(train), batchSize: train.batchSize },
        now: performance.now(),
        ...(experiment && { experiment }),
      });
      try {
        const c = new TrainerClient();
        client.current = c;
        off.current = c.on(onMessage);
        post(c);
        if (detail.current) c.setDetail(true);
      } catch (e) {
        dispatch({
          type: 'fail',
          kind: 'internal',
          message: `The training worker could not be started (${(e as Error).message}). Use a current Chrome, Edge or Firefox, and reload the page.`,
        });
      }
    },
    [onMessage],
  );

  const start = useCallback(
    ({ config, items, files, remeasure, meta, split, moreSplits, backboneFiles, cross, body }: StartArgs) => {
      const runId = crypto.randomUUID();
      const { backend, columns: _columns, ...train } = config;
      const more = { ...(moreSplits?.length ? { moreSplits } : {}), ...(backboneFiles ? { backboneFiles } : {}), ...(cross ? { cross } : {}) };
      const crossSet = cross && { name: cross.name, scoreFileName: cross.scoreFileName, proxy: cross.proxy, imageCount: cross.items.length };
      launch(runId, train, (c) => c.start({ runId, memory: memoryHints(train, body ?? null), config: train, items, files, split, ...more, backend, remeasure, meta }), { config: train, meta, ...(crossSet && { cross: crossSet }) });
    },
    [launch],
  );

  /** Continue a stored run from its last checkpoint, on the data supplied again. */
  const continueRun = useCallback(
    ({ run, items, files, backend, then, cross, backboneFiles, body }: ContinueArgs) =>
      launch(run.id, run.config, (c) =>
        c.continue({ runId: run.id, memory: memoryHints(run.config, body ?? null), items, files, backend, ...(then?.length ? { then } : {}), ...(cross ? { cross } : {}), ...(backboneFiles ? { backboneFiles } : {}) }),
      ),
    [launch],
  );

  const pause = useCallback(() => client.current?.pause(), []);
  const resume = useCallback(() => client.current?.resume(), []);
  const stop = useCallback(() => client.current?.stop(), []);
  /** While paused: one training step, then paused again. */
  const step = useCallback(() => client.current?.step(), []);
  /** Pause at the end of the current epoch. */
  const finishEpoch = useCallback(() => client.current?.finishEpoch(), []);
  /** The DML cohort's λ from the next step on. */
  const setLambda = useCallback((lambda: number) => client.current?.setLambda(lambda), []);
  /** The feature heatmaps' test image from the next epoch on. */
  const setHeatmapImage = useCallback((index: number) => client.current?.setHeatmapImage(index), []);
  const setDetail = useCallback((on: boolean) => {
    detail.current = on;
    client.current?.setDetail(on);
  }, []);

  /**
   * Back to before the run: it is stopped (the worker still records it as stopped, then is
   * dropped) and the page forgets it, so the next Start is a fresh run.
   */
  const reset = useCallback(() => {
    const c = client.current;
    client.current = null;
    off.current?.();
    off.current = null;
    if (c) {
      c.stop();
      c.on((m) => (m.type === 'done' || m.type === 'error') && c.terminate());
    }
    if (timer.current !== null) window.clearTimeout(timer.current);
    timer.current = null;
    queue.current = [];
    loss.current.clear();
    setLossVersion((v) => v + 1);
    dispatch({ type: 'clear' });
  }, []);

  useEffect(
    () => () => {
      client.current?.terminate();
      if (timer.current !== null) window.clearTimeout(timer.current);
      lossSteps.current?.discard();
    },
    [],
  );

  return { state, loss: loss.current, lossVersion, start, continueRun, pause, resume, stop, step, finishEpoch, setLambda, setHeatmapImage, setDetail, reset };
}
