/**
 * One training run inside the worker, from a 'start' (or 'continue') message to 'done' or
 * 'error': decode the images, split, choose the backend, train, report — and keep the run in
 * the run store (config, split, history, checkpoints). Every effect on the outside goes
 * through `send`, and the platform (decoder, backends, store) is injected, so the whole
 * sequence also runs in Node tests.
 */
import type { ImageDecoder, LoadedImages } from '../core/data/loadImages';
import type { LabelledItem } from '../core/data/types';
import { crossDatasetProblem, datasetProblem } from '../core/data/datasetMeta';
import { splitFromNames, type SplitNames } from '../core/splitPolicy';
import type { Split } from '../core/splits';
import { makeRng } from '../core/rng';
import { configProblems, runsOf, type TrainConfig } from '../core/train/config';
import { experimentJobs, jobSplit, sweepEntries, type ExperimentJob, type JobResult } from '../core/train/experiment';
import { pairedSummary, type History, type TrainEvent } from '../core/train/history';
import { epochBatches } from '../core/train/inputs';
import { experimentData, train, type Checkpoint, type ExperimentData, type Recovery, type TrainResult } from '../core/train/loop';
import { groupResults, groupRunList } from '../storage/runGroups';
import { storedConfig, type NewRun, type RunRecord, type RunStore } from '../storage/runStore';
import type { BackendSelection, SelectOptions } from './backendSelection';
import { SelectionStopped } from './backendSelection';
import type { DeviceLossWatch } from './backends';
import { loadRunBase, storedRunBase, type BuiltinModelReader, type LoadedBase } from './backbone';
import { DataError, describeError } from './describeError';
import type { BackendName, MemoryHints, ContinueMessage, CrossDataset, DatasetFile, FromWorker, StartMessage } from './protocol';
import { RunGate } from './runGate';
import { RunRecorder } from './runRecorder';
import { StepBatcher } from './stepBatcher';
import { ingestImages, type StoragePlatform } from './ingest';

export interface SessionPlatform extends StoragePlatform {
  decoder(files: ReadonlyMap<string, Blob>): ImageDecoder;
  selectBackend(o: Pick<SelectOptions, 'choice' | 'config' | 'backbone' | 'remeasure' | 'shouldStop'>): Promise<BackendSelection>;
  startBackend(name: BackendName): Promise<string | null>;
  /** A watch on the active backend when it can be lost (WebGPU), else null. */
  watchDeviceLoss(): DeviceLossWatch | null;
  /** Where runs are kept (IndexedDB in the browser); without it nothing is stored and nothing can be continued. */
  runStore?(): Promise<RunStore>;
  /** The built-in pretrained models' files, by path under models/ (fetched from the site). */
  readBuiltinModel?: BuiltinModelReader;
}

type Phase = 'ingesting' | 'measuring' | 'training';

/** Progress messages at most this often (ms), so the page's charts keep up. */
const PROGRESS_INTERVAL_MS = 100;

const STOPPED_BEFORE_TRAINING: TrainResult = { history: [], final: {}, stopped: true };

/** One run of a new experiment, made before any trains: its id, job, config, split (indices and, after decoding, names), group and planned steps. */
interface PlannedRun {
  runId: string;
  job: ExperimentJob;
  config: TrainConfig;
  split: Split;
  names: SplitNames & { val: string[] };
  group: RunRecord['group'];
  steps: number;
}

type Done = Extract<FromWorker, { type: 'done' }>;

/**
 * What 'done' says of an experiment of several runs: every finished repeat's finals and paired
 * differences, or a sweep's rows, and how many of the planned runs finished. Only finished runs
 * count: a stopped run's networks can be at other epochs than its pair's.
 */
function experimentDone(results: readonly JobResult[], planned: number): Pick<Done, 'repeats' | 'sweep' | 'runs'> {
  const runs = { finished: results.length, planned };
  if (!results.length) return { runs };
  return { ...pairedDone(results), runs };
}

function pairedDone(results: readonly JobResult[]): Pick<Done, 'repeats' | 'sweep'> {
  if (results.some((r) => r.trainSize !== undefined)) return { sweep: sweepEntries(results) };
  const finals = results.map((r) => r.result.final);
  return { repeats: { finals, paired: pairedSummary(finals) } };
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

export class TrainerSession {
  private readonly gate = new RunGate();
  private readonly steps: StepBatcher;
  private phase: Phase = 'ingesting';
  /** Stops the decodes in flight (while ingesting). */
  private cancelDecode: (() => void) | null = null;
  private ingestOptions: { backend: BackendName | 'auto'; hints?: MemoryHints } = { backend: 'auto' };
  private backend: BackendName | undefined;
  /** The decoded images' file names, by store index (to name a step's batch). */
  private files: string[] = [];
  /** Images decoded once per session, by their rows: a group continued run by run decodes its data once. */
  private readonly decoded = new Map<readonly LabelledItem[], { width: number; height: number; loaded: LoadedImages }>();

  constructor(
    private send: (msg: FromWorker) => void,
    private readonly platform: SessionPlatform,
  ) {
    this.steps = new StepBatcher((steps) => send({ type: 'steps', steps }), PROGRESS_INTERVAL_MS);
  }

  pause(): void {
    if (this.gate.isStopped) return;
    this.gate.pause();
    this.steps.flush();
    this.send({ type: 'state', state: 'paused' });
  }

  resume(): void {
    if (this.gate.isStopped || !this.gate.isPaused) return;
    this.gate.resume();
    this.send({ type: 'state', state: this.phase });
  }

  /** While paused: one training step, then paused again. */
  step(): void {
    if (this.gate.isStopped) return;
    this.gate.step();
  }

  /** Train to the end of the current epoch (every run kind's), then pause. */
  finishEpoch(): void {
    if (this.gate.isStopped) return;
    const wasPaused = this.gate.isPaused;
    this.gate.finishEpoch();
    if (wasPaused) this.send({ type: 'state', state: this.phase });
  }

  /** λ of the DML cohort from the next step on; each step and epoch event says which λ it trained with. */
  setLambda(lambda: number): void {
    this.gate.setLambda(lambda);
  }

  /** The feature heatmaps' test image (a position in the test set) from the next epoch on. */
  setHeatmapImage(index: number): void {
    this.gate.setHeatmapImage(index);
  }

  /** Each step reports its batch (images, MOS, predictions, gradient norms). */
  setDetail(on: boolean): void {
    this.gate.setDetail(on);
  }

  stop(): void {
    if (this.gate.isStopped) return;
    this.gate.stop();
    // Decodes in flight end now, not when each file is done.
    this.cancelDecode?.();
    this.steps.flush();
    this.send({ type: 'state', state: 'stopping' });
  }

  /** Runs to the end; never throws (failures become 'error' messages). */
  async run(msg: StartMessage | ContinueMessage): Promise<void> {
    let rec: RunRecorder | null = null;
    this.ingestOptions = { backend: msg.backend, hints: msg.memory };
    // 'done' and 'error' wait until the stores are disposed: the page may end the worker on them, which would leave a file on disk.
    const out = this.send;
    let last: FromWorker | null = null;
    this.send = (m) => (m.type === 'done' || m.type === 'error' ? void (last = m) : out(m));
    try {
      if (msg.type === 'start') return await this.start(msg);
      // Continuing a group: its unfinished runs one after another, on the data decoded once.
      const ids = [msg.runId, ...(msg.then ?? [])];
      for (const [i, runId] of ids.entries()) {
        if (i > 0) this.gate.clearLambda();
        rec = await this.openRecorder({ ...msg, runId });
        const result = await this.continue({ ...msg, runId }, rec!, ids.length > 1 ? { index: i, count: ids.length } : undefined);
        this.steps.flush();
        await rec?.end(result.stopped ? 'stopped' : 'finished', result.final);
        rec = null;
        if (result.stopped || i === ids.length - 1) return this.send({ type: 'done', result, ...(ids.length > 1 ? await this.groupDone(runId) : {}) });
      }
    } catch (err) {
      await this.fail(err, rec);
    } finally {
      this.send = out;
      // A store on disk deletes its file.
      await Promise.all([...this.decoded.values()].map((d) => Promise.resolve(d.loaded.store.dispose?.()).catch(() => {})));
      if (last) out(last);
    }
  }

  /** How a run that cannot go on ends: stopped before training, or failed with the error in words. */
  private async fail(err: unknown, rec: RunRecorder | null): Promise<void> {
    this.steps.flush();
    if (err instanceof SelectionStopped) {
      await rec?.end('stopped');
      this.send({ type: 'done', result: STOPPED_BEFORE_TRAINING });
      return;
    }
    const error = describeError(err, this.backend);
    await rec?.end('failed', undefined, error.message);
    this.send(error);
  }

  /**
   * A new experiment: decode once, then each of its runs in turn (the repeats, or for a
   * training-size sweep every size × every repeat), each with its own seed, split and stored run
   * ("… · repeat i/N"), under one progress; 'done' carries every run's results and the paired
   * differences (per size for a sweep). The later runs are stored 'queued' before the first
   * trains, so a stopped or interrupted experiment can be continued whole.
   */
  private async start(msg: StartMessage): Promise<void> {
    const { config } = msg;
    const splits = [msg.split, ...(msg.moreSplits ?? [])];
    let rec: RunRecorder | null = null;
    try {
      this.checkSettings(config, msg.items);
      const loaded = await this.ingest(config, msg.items, msg.files);
      if (!loaded) return this.send({ type: 'done', result: STOPPED_BEFORE_TRAINING });
      const cross = await this.ingestCross(config, msg.cross);
      if (this.gate.isStopped) return this.send({ type: 'done', result: STOPPED_BEFORE_TRAINING });
      const pretrained = await loadRunBase(config, msg.backboneFiles, this.readBuiltin());
      const results: JobResult[] = [];
      try {
        // Every run's split before any trains: a training size the data cannot meet is said at once.
        const plans = experimentJobs({ ...config, repeats: splits.length }).map((job) => this.planRun(msg, job, splits[job.repeat]!, loaded));
        const queued = await this.queueRuns(plans.slice(1).map((p) => this.newRun(msg, p, loaded, pretrained, p.runId)));
        const steps = plans.map((p) => p.steps);
        for (const [i, plan] of plans.entries()) {
          const { runId, job } = plan;
          const size = job.trainSize !== undefined ? { trainSize: job.trainSize } : {};
          if (plans.length > 1) this.send({ type: 'repeat', index: i, count: plans.length, seed: job.seed, runId, ...size, steps: { before: sum(steps.slice(0, i)), total: sum(steps) } });
          // A λ moved with the slider belongs to the repeat it was moved in.
          if (i > 0) this.gate.clearLambda();
          rec = await this.openRecorder({ ...msg, runId });
          // The backends are timed (if asked) before the first run only.
          const one = { ...msg, runId, config: plan.config, remeasure: i === 0 && msg.remeasure };
          const result = await this.startRepeat(one, rec, loaded, pretrained, plan, queued.has(runId), cross);
          this.steps.flush();
          await rec?.end(result.stopped ? 'stopped' : 'finished', result.final);
          rec = null;
          if (!result.stopped) results.push({ ...size, result: { seed: job.seed, split: plan.names, history: result.history, final: result.final } });
          if (result.stopped || i === plans.length - 1) return this.send({ type: 'done', result, ...(plans.length > 1 ? experimentDone(results, plans.length) : {}) });
        }
      } finally {
        pretrained?.base.dispose();
      }
    } catch (err) {
      await this.fail(err, rec);
    }
  }

  private readBuiltin(): BuiltinModelReader {
    const read = this.platform.readBuiltinModel;
    if (!read) return async () => Promise.reject(new Error('this worker cannot reach the built-in models'));
    return read;
  }

  private setPhase(phase: Phase): void {
    this.phase = phase;
    if (!this.gate.isPaused) this.send({ type: 'state', state: phase });
  }

  /** The run's link to the store, holding its lock; null (with a warning) when runs cannot be stored here. */
  private async openRecorder(msg: StartMessage | ContinueMessage): Promise<RunRecorder | null> {
    let store: RunStore | null = null;
    try {
      store = (await this.platform.runStore?.()) ?? null;
    } catch (err) {
      if (msg.type === 'continue') throw err;
      this.send({ type: 'warning', message: `Runs cannot be saved in this browser (${(err as Error).message}): this one trains, but a reload loses it.` });
    }
    if (!store) {
      if (msg.type === 'continue') throw new DataError('This browser keeps no stored runs here, so there is nothing to continue.');
      return null;
    }
    if (msg.type === 'start' && msg.debug?.storeByteLimit !== undefined) store.setByteLimit(msg.debug.storeByteLimit);
    return RunRecorder.open(store, msg.runId, this.send);
  }

  private checkSettings(config: TrainConfig, items: readonly LabelledItem[]): void {
    const bad = configProblems(config);
    if (bad.length) throw new DataError(`The training settings cannot be used: ${bad.join(' ')}`);
    if (!items.length) throw new DataError('There are no labelled images to train on: choose a folder and a score file first.');
  }

  /**
   * One run of a new experiment before it trains. The page made the split from the imported rows;
   * images that failed to decode (reported) leave it, and a sweep cuts its training side to the run's size.
   */
  private planRun(msg: StartMessage, job: ExperimentJob, split: SplitNames, loaded: LoadedImages): PlannedRun {
    const made = jobSplit(split, loaded.items, job);
    if (made.train.length < 2 || made.test.length < 1)
      throw new DataError(
        `After leaving out the images that could not be decoded, ${made.train.length} remain for training and ${made.test.length} for test: ` +
          'at least 2 and 1 are needed. Fix or remove the unreadable files (listed above) and start again.',
      );
    const used = (idx: number[]) => idx.map((i) => loaded.items[i]!.file);
    // Each run trains as one run of its own: its seed, no repeats, no sweep (its split holds its size).
    const { trainSizes: _sweep, ...own } = msg.config;
    const config = { ...own, seed: job.seed, repeats: 1 };
    const size = job.trainSize !== undefined ? { trainSize: job.trainSize } : {};
    return {
      runId: job.index === 0 ? msg.runId : `${msg.runId}~${job.index + 1}`,
      job,
      config,
      split: made,
      names: { ...split, train: used(made.train), val: used(made.val), test: used(made.test) },
      group: job.count > 1 ? { id: msg.runId, index: job.index, count: job.count, repeat: job.repeat, ...size } : undefined,
      steps: epochBatches(made.train, config.batchSize, makeRng(0)).length * config.epochs * runsOf(config).length,
    };
  }

  /** The stored record of a planned run: its name ("… · size S · repeat i/N" in an experiment), config, data, split and scores. */
  private newRun(msg: StartMessage, plan: PlannedRun, loaded: LoadedImages, pretrained: LoadedBase | null, id?: string): NewRun {
    const { config, split, job, group } = plan;
    const dataset = msg.meta?.dataset ?? { name: 'unnamed folder', scoreFileName: 'unnamed score file', proxy: false };
    const name = msg.meta?.name ?? `${dataset.name} · ${config.mode} · ${config.model}`;
    const repeats = 1 + (msg.moreSplits?.length ?? 0);
    const c = msg.cross;
    return {
      ...(id !== undefined && { id }),
      name: group ? `${name}${job.trainSize !== undefined ? ` · size ${job.trainSize}` : ''} · repeat ${job.repeat + 1}/${repeats}` : name,
      group,
      config,
      dataset: { ...dataset, imageCount: msg.items.length, files: msg.items.map((it) => it.file) },
      split: plan.names,
      // Kept so the run can be exported as a PyTorch project (its scores.csv) without the data loaded.
      scores: Object.fromEntries([...split.train, ...split.val, ...split.test].map((i) => [loaded.items[i]!.file, loaded.items[i]!.mos])),
      backboneJson: pretrained?.json,
      // Its image list too: continuing checks the set given again is this one.
      ...(c && { cross: { name: c.name, scoreFileName: c.scoreFileName, imageCount: c.items.length, proxy: c.proxy, files: c.items.map((it) => it.file) } }),
    };
  }

  /** The experiment's later runs, stored 'queued': what continuing a stopped experiment trains. Returns the ids stored (the others are created when they start). */
  private async queueRuns(runs: NewRun[]): Promise<Set<string>> {
    const queued = new Set<string>();
    if (!runs.length) return queued;
    // Without a store (said by openRecorder) nothing is queued.
    const store = await Promise.resolve(this.platform.runStore?.()).catch(() => undefined);
    for (const r of runs) {
      if (!store) break;
      try {
        await store.createRun({ ...r, status: 'queued' });
        queued.add(r.id!);
      } catch {
        // Created when its turn comes instead.
      }
    }
    return queued;
  }

  /** One run of a new experiment, on the images decoded once for all of them; a queued record is taken over, any other created. */
  private async startRepeat(
    msg: StartMessage,
    rec: RunRecorder | null,
    loaded: LoadedImages,
    pretrained: LoadedBase | null,
    plan: PlannedRun,
    queued: boolean,
    cross: ExperimentData['cross'],
  ): Promise<TrainResult> {
    const { split, names } = plan;
    this.send({ type: 'split', train: names.train, val: names.val, test: names.test, reason: split.reason });
    if (rec && queued) await rec.commitResume().catch(() => rec.create(this.newRun(msg, plan, loaded, pretrained)));
    else await rec?.create(this.newRun(msg, plan, loaded, pretrained));
    this.files = loaded.items.map((it) => it.file);
    return this.trainOn(plan.config, { ...experimentData(loaded, split, pretrained?.base), ...(cross && { cross }) }, msg, rec, undefined);
  }

  /** After continuing a group: every finished run's results read back from the store (earlier ones included), as 'done' gives them. */
  private async groupDone(runId: string): Promise<Pick<Done, 'repeats' | 'sweep' | 'runs'>> {
    try {
      const store = await this.platform.runStore?.();
      const runs = (await store?.listRuns()) ?? [];
      const id = runs.find((r) => r.id === runId)?.group?.id;
      const entry = groupRunList(runs).find((e) => e.kind === 'group' && e.group.id === id);
      if (entry?.kind !== 'group') return {};
      return experimentDone(groupResults(entry.group), entry.group.count);
    } catch {
      return {};
    }
  }

  /** A stored run from its last checkpoint: its config, its split (by file name), its history. `position`: its place among the group's runs continued now. */
  private async continue(msg: ContinueMessage, rec: RunRecorder, position?: { index: number; count: number }): Promise<TrainResult> {
    // Everything that can fail before training (checks, decoding, the split) comes before the
    // record changes: a failed attempt leaves the stored run as it was.
    const { run, checkpoint } = await rec.prepareResume((r) => {
      if (r.status === 'finished') throw new DataError(`"${r.name}" has already trained all its epochs: there is nothing to continue.`);
      const problem = datasetProblem(r.dataset, msg.items.map((it) => it.file));
      if (problem) throw new DataError(problem);
      const c = msg.cross?.items.length ? msg.cross : undefined;
      const crossProblem = crossDatasetProblem(r.cross, c && { name: c.name, scoreFileName: c.scoreFileName, files: c.items.map((it) => it.file) });
      if (crossProblem) throw new DataError(crossProblem);
    });
    const config = storedConfig(run);
    this.checkSettings(config, msg.items);
    let from: { checkpoint: Checkpoint; history: History } | undefined;
    if (checkpoint) {
      const missing = runsOf(config).filter((r) => !checkpoint.states[r]);
      if (missing.length) throw new DataError(`The checkpoint of "${run.name}" lacks the ${missing.join(' and ')} networks, so it cannot be continued.`);
      from = { checkpoint: { epoch: checkpoint.ref.epoch, states: checkpoint.states as Checkpoint['states'] }, history: run.history };
    }
    if (position) {
      const size = run.group?.trainSize !== undefined ? { trainSize: run.group.trainSize } : {};
      this.send({ type: 'repeat', ...position, seed: config.seed, runId: run.id, ...size });
    }
    // Said before decoding: a run without a checkpoint needs its backbone's pretrained weights from the page.
    if (!from) this.restartBackboneProblem(run, msg.backboneFiles);
    this.send({ type: 'continued', fromEpoch: from?.checkpoint.epoch ?? 0, history: run.history });
    const loaded = await this.ingest(config, msg.items, msg.files);
    if (!loaded) return STOPPED_BEFORE_TRAINING;
    const cross = await this.ingestCross(config, msg.cross);
    if (this.gate.isStopped) return STOPPED_BEFORE_TRAINING;
    const split = splitFromNames(run.split, loaded.items);
    this.send({ type: 'split', train: run.split.train, val: run.split.val ?? [], test: run.split.test, reason: run.split.reason });
    // Every weight comes from the checkpoint; without one the run starts over and needs the pretrained weights.
    const base = from ? await storedRunBase(run) : await this.restartBase(run, msg.backboneFiles);
    this.files = loaded.items.map((it) => it.file);
    try {
      await rec.commitResume();
      return await this.trainOn(config, { ...experimentData(loaded, split, base), ...(cross && { cross }) }, msg, rec, from);
    } finally {
      base?.dispose();
    }
  }

  /** A custom-backbone run that starts over (it has no checkpoint, e.g. queued): refused, in words, when the page has no backbone files. */
  private restartBackboneProblem(run: RunRecord, files: ContinueMessage['backboneFiles']): void {
    if (run.config.model !== 'backbone' || files?.length) return;
    throw new DataError(
      `"${run.name}" has not trained yet, so it starts from the pretrained weights of its own backbone, which runs do not store. ` +
        'Pick that backbone’s model.json and weight files in the experiment settings (the same ones the experiment started with), then continue.',
    );
  }

  /** The pretrained body a run without a checkpoint starts from; a user's backbone must be the one the run was planned with. */
  private async restartBase(run: RunRecord, files: ContinueMessage['backboneFiles']): Promise<LoadedBase['base'] | undefined> {
    const config = storedConfig(run);
    this.restartBackboneProblem(run, files);
    const loaded = await loadRunBase(config, config.model === 'backbone' ? files : undefined, this.readBuiltin());
    if (loaded && config.model === 'backbone' && run.backboneJson !== undefined && loaded.json !== run.backboneJson) {
      loaded.base.dispose();
      throw new DataError(
        `The backbone picked now is not the one "${run.name}" was planned with (its model.json differs). ` +
          'Pick the backbone the experiment started with in the experiment settings, then continue.',
      );
    }
    return loaded?.base;
  }

  private async trainOn(
    config: TrainConfig,
    data: ExperimentData,
    msg: StartMessage | ContinueMessage,
    rec: RunRecorder | null,
    from: { checkpoint: Checkpoint; history: History } | undefined,
  ): Promise<TrainResult> {
    this.setPhase('measuring');
    const selection = await this.platform.selectBackend({
      choice: msg.backend,
      config,
      backbone: data.backbone,
      remeasure: msg.type === 'start' ? msg.remeasure : undefined,
      shouldStop: () => this.gate.isStopped,
    });
    this.backend = selection.report.name;
    this.send(selection.report);
    if (this.gate.isStopped) return STOPPED_BEFORE_TRAINING;

    this.setPhase('training');
    const loseAt = msg.type === 'start' ? msg.debug?.loseDeviceAfterEpoch : undefined;
    return this.train(config, data, selection, rec, from, loseAt);
  }

  /** Decoded images, or null when stopped meanwhile. Throws when none decodes. */
  private async ingest(config: TrainConfig, items: LabelledItem[], datasetFiles: DatasetFile[]) {
    const loaded = await this.decode(config, items, datasetFiles);
    if (!loaded) return null;
    if (!loaded.items.length)
      throw new DataError(
        `None of the ${items.length} images could be decoded, so there is nothing to train on. ` +
          'Check that the folder holds JPEG, PNG, BMP or WebP files (the list of problems names each file).',
      );
    return loaded;
  }

  /** The cross-dataset set at the run's storage size, or undefined without one (or when stopped meanwhile). Throws, naming its folder, when none of its images decodes. */
  private async ingestCross(config: TrainConfig, cross: CrossDataset | undefined): Promise<ExperimentData['cross']> {
    if (!cross?.items.length) return undefined;
    const loaded = await this.decode(config, cross.items, cross.files);
    if (!loaded) return undefined;
    if (!loaded.items.length)
      throw new DataError(
        `None of the ${cross.items.length} images of the cross-dataset score file "${cross.scoreFileName}" could be decoded from the folder "${cross.name}": ` +
          'choose that set again, or remove it.',
      );
    return { store: loaded.store, mos: Float64Array.from(loaded.items, (it) => it.mos) };
  }

  /** Rows' images decoded at the config's storage size (once per session and size), their problems sent; null when stopped meanwhile. */
  private async decode(config: TrainConfig, items: LabelledItem[], datasetFiles: DatasetFile[]): Promise<LoadedImages | null> {
    this.setPhase('ingesting');
    const { width, height } = config.input;
    const seen = this.decoded.get(items);
    if (seen && seen.width === width && seen.height === height) return seen.loaded;
    // Into memory or onto disk, as the memory budget says; the cross-dataset set (decoded after the first) reports no budget of its own.
    const loaded = await ingestImages({
      config,
      items,
      files: datasetFiles,
      ...this.ingestOptions,
      platform: this.platform,
      send: this.send,
      isStopped: () => this.gate.isStopped,
      onCancel: (cancel) => (this.cancelDecode = cancel),
      quiet: this.decoded.size > 0,
      held: [...this.decoded.values()].map((d) => d.loaded.store),
    });
    if (!loaded) return null;
    this.decoded.set(items, { width, height, loaded });
    return loaded;
  }

  private async train(
    config: TrainConfig,
    data: ExperimentData,
    selection: BackendSelection,
    rec: RunRecorder | null,
    from: { checkpoint: Checkpoint; history: History } | undefined,
    loseAt: number | undefined,
  ): Promise<TrainResult> {
    let watch = this.platform.watchDeviceLoss();
    let lostOnPurpose = false;
    const lastRun = runsOf(config).at(-1);
    const emit = (e: TrainEvent) => {
      if (e.type === 'step') {
        if (e.batch) e.batch.files = e.batch.idxs.map((i) => this.files[i] ?? '');
        this.steps.push(e);
        // A single step shows at once; so does the end of an epoch the page asked to finish.
        const stepped = this.gate.isStepping;
        const last = e.step === e.stepsPerEpoch - 1 && e.run === lastRun;
        if (this.gate.atStepEnd(last)) {
          this.steps.flush();
          this.send({ type: 'state', state: 'paused' });
        } else if (stepped) this.steps.flush();
        rec?.beat();
        // Test hook: the first step after epoch N, once every run has a checkpoint of epoch N.
        if (loseAt !== undefined && !lostOnPurpose && e.epoch === loseAt && e.step === 0 && watch) {
          lostOnPurpose = true;
          watch.lose();
        }
        return;
      }
      if (e.type === 'cache') return this.send(e);
      if (e.type === 'warning') return this.send({ type: 'warning', message: e.message });
      this.steps.flush();
      this.send({ type: 'epoch', event: e });
    };
    // Only a backend that can be lost (WebGPU) needs a way on.
    const fallbacks = [...selection.fallbacks];
    const recovery: Recovery = {
      recover: async (_err, fromEpoch) => {
        const lost = watch ? await watch.lostWithin(1000) : null;
        if (lost === null) return false;
        for (let next = fallbacks.shift(); next; next = fallbacks.shift()) {
          if ((await this.platform.startBackend(next)) !== null) continue;
          this.backend = next;
          watch = this.platform.watchDeviceLoss();
          this.reportFallback(selection, lost, next, fromEpoch);
          return true;
        }
        return false;
      },
    };
    return train(config, data, { emit, control: this.gate, recorder: rec ?? undefined, recovery: watch ? recovery : undefined, from });
  }

  private reportFallback(selection: BackendSelection, lost: string, to: BackendName, fromEpoch: number): void {
    this.steps.flush();
    const where = fromEpoch ? `from the end of epoch ${fromEpoch}` : 'from the start';
    const message = `The GPU device was lost (${lost}). Training goes on with the ${to} backend ${where}; epochs after it are trained again.`;
    this.send({ type: 'warning', message });
    this.send({
      ...selection.report,
      name: to,
      reason: message,
      candidates: selection.report.candidates.map((c) => (c.name === selection.report.name ? { ...c, skipped: `lost mid-run (${lost})` } : c)),
    });
  }
}
