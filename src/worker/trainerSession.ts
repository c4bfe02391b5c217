/**
 * One training run inside the worker, from a 'start' (or 'continue') message to 'done' or
 * 'error': decode the images, split, choose the backend, train, report — and keep the run in
 * the run store (config, split, history, checkpoints). Every effect on the outside goes
 * through `send`, and the platform (decoder, backends, store) is injected, so the whole
 * sequence also runs in Node tests.
 */
import { loadImages, type ImageDecoder, type LoadedImages, type LoadProgress } from '../core/data/loadImages';
import type { LabelledItem } from '../core/data/types';
import { datasetProblem } from '../core/data/datasetMeta';
import { repeatSeed, splitFromNames } from '../core/splitPolicy';
import { configProblems, runsOf, type TrainConfig } from '../core/train/config';
import { pairedSummary, type FinalMetrics, type History, type TrainEvent } from '../core/train/history';
import { experimentData, train, type Checkpoint, type ExperimentData, type Recovery, type TrainResult } from '../core/train/loop';
import { storedConfig, type RunRecord, type RunStore } from '../storage/runStore';
import type { BackendSelection, SelectOptions } from './backendSelection';
import { SelectionStopped } from './backendSelection';
import type { DeviceLossWatch } from './backends';
import { loadRunBase, storedRunBase, type BuiltinModelReader, type LoadedBase } from './backbone';
import { DataError, describeError } from './describeError';
import type { BackendName, ContinueMessage, DatasetFile, FromWorker, StartMessage } from './protocol';
import { RunGate } from './runGate';
import { RunRecorder } from './runRecorder';
import { StepBatcher } from './stepBatcher';

export interface SessionPlatform {
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

export class TrainerSession {
  private readonly gate = new RunGate();
  private readonly steps: StepBatcher;
  private phase: Phase = 'ingesting';
  private backend: BackendName | undefined;
  /** The decoded images' file names, by store index (to name a step's batch). */
  private files: string[] = [];

  constructor(
    private readonly send: (msg: FromWorker) => void,
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

  /** Each step reports its batch (images, MOS, predictions, gradient norms). */
  setDetail(on: boolean): void {
    this.gate.setDetail(on);
  }

  stop(): void {
    if (this.gate.isStopped) return;
    this.gate.stop();
    this.steps.flush();
    this.send({ type: 'state', state: 'stopping' });
  }

  /** Runs to the end; never throws (failures become 'error' messages). */
  async run(msg: StartMessage | ContinueMessage): Promise<void> {
    let rec: RunRecorder | null = null;
    try {
      if (msg.type === 'start') return await this.start(msg);
      rec = await this.openRecorder(msg);
      const result = await this.continue(msg, rec!);
      this.steps.flush();
      await rec?.end(result.stopped ? 'stopped' : 'finished', result.final);
      this.send({ type: 'done', result });
    } catch (err) {
      await this.fail(err, rec);
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
   * A new experiment: decode once, then each repeat in turn (its own seed, split and stored run,
   * "… · repeat i/N"), under one progress; 'done' carries every repeat's results and the paired
   * differences.
   */
  private async start(msg: StartMessage): Promise<void> {
    const { config } = msg;
    const splits = [msg.split, ...(msg.moreSplits ?? [])];
    let rec: RunRecorder | null = null;
    try {
      this.checkSettings(config, msg.items);
      const loaded = await this.ingest(config, msg.items, msg.files);
      if (!loaded) return this.send({ type: 'done', result: STOPPED_BEFORE_TRAINING });
      const pretrained = await loadRunBase(config, msg.backboneFiles, this.readBuiltin());
      const finals: FinalMetrics[] = [];
      try {
        for (const [i, split] of splits.entries()) {
          const runId = i === 0 ? msg.runId : `${msg.runId}~${i + 1}`;
          const seed = repeatSeed(config.seed, i);
          if (splits.length > 1) this.send({ type: 'repeat', index: i, count: splits.length, seed, runId });
          // A λ moved with the slider belongs to the repeat it was moved in.
          if (i > 0) this.gate.clearLambda();
          rec = await this.openRecorder({ ...msg, runId });
          // The backends are timed (if asked) before the first repeat only.
          const one = { ...msg, runId, split, config: { ...config, seed, repeats: 1 }, remeasure: i === 0 && msg.remeasure };
          const group = splits.length > 1 ? { id: msg.runId, index: i, count: splits.length } : undefined;
          const result = await this.startRepeat(one, rec, loaded, pretrained, group);
          this.steps.flush();
          await rec?.end(result.stopped ? 'stopped' : 'finished', result.final);
          rec = null;
          finals.push(result.final);
          if (result.stopped || i === splits.length - 1) {
            const repeats = splits.length > 1 ? { finals, paired: pairedSummary(finals) } : undefined;
            return this.send({ type: 'done', result, ...(repeats && { repeats }) });
          }
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
    return RunRecorder.open(store, msg.runId, this.send);
  }

  private checkSettings(config: TrainConfig, items: readonly LabelledItem[]): void {
    const bad = configProblems(config);
    if (bad.length) throw new DataError(`The training settings cannot be used: ${bad.join(' ')}`);
    if (!items.length) throw new DataError('There are no labelled images to train on: choose a folder and a score file first.');
  }

  /** One repeat of a new experiment, on the images decoded once for all of them. */
  private async startRepeat(
    msg: StartMessage,
    rec: RunRecorder | null,
    loaded: LoadedImages,
    pretrained: LoadedBase | null,
    group: RunRecord['group'],
  ): Promise<TrainResult> {
    const { config } = msg;
    // The page made the split from the imported rows; images that failed to decode (reported) leave it.
    const split = splitFromNames(msg.split, loaded.items, true);
    if (split.train.length < 2 || split.test.length < 1)
      throw new DataError(
        `After leaving out the images that could not be decoded, ${split.train.length} remain for training and ${split.test.length} for test: ` +
          'at least 2 and 1 are needed. Fix or remove the unreadable files (listed above) and start again.',
      );
    const used = (idx: number[]) => idx.map((i) => loaded.items[i]!.file);
    const names = { ...msg.split, train: used(split.train), val: used(split.val), test: used(split.test) };
    this.send({ type: 'split', train: names.train, val: names.val, test: names.test, reason: split.reason });
    const dataset = msg.meta?.dataset ?? { name: 'unnamed folder', scoreFileName: 'unnamed score file', proxy: false };
    const name = msg.meta?.name ?? `${dataset.name} · ${config.mode} · ${config.model}`;
    await rec?.create({
      name: group ? `${name} · repeat ${group.index + 1}/${group.count}` : name,
      group,
      config,
      dataset: { ...dataset, imageCount: msg.items.length, files: msg.items.map((it) => it.file) },
      split: names,
      // Kept so the run can be exported as a PyTorch project (its scores.csv) without the data loaded.
      scores: Object.fromEntries([...split.train, ...split.val, ...split.test].map((i) => [loaded.items[i]!.file, loaded.items[i]!.mos])),
      backboneJson: pretrained?.json,
    });
    this.files = loaded.items.map((it) => it.file);
    return this.trainOn(config, experimentData(loaded, split, pretrained?.base), msg, rec, undefined);
  }

  /** A stored run from its last checkpoint: its config, its split (by file name), its history. */
  private async continue(msg: ContinueMessage, rec: RunRecorder): Promise<TrainResult> {
    // Everything that can fail before training (checks, decoding, the split) comes before the
    // record changes: a failed attempt leaves the stored run as it was.
    const { run, checkpoint } = await rec.prepareResume((r) => {
      if (r.status === 'finished') throw new DataError(`"${r.name}" has already trained all its epochs: there is nothing to continue.`);
      const problem = datasetProblem(r.dataset, msg.items.map((it) => it.file));
      if (problem) throw new DataError(problem);
    });
    const config = storedConfig(run);
    this.checkSettings(config, msg.items);
    let from: { checkpoint: Checkpoint; history: History } | undefined;
    if (checkpoint) {
      const missing = runsOf(config).filter((r) => !checkpoint.states[r]);
      if (missing.length) throw new DataError(`The checkpoint of "${run.name}" lacks the ${missing.join(' and ')} networks, so it cannot be continued.`);
      from = { checkpoint: { epoch: checkpoint.ref.epoch, states: checkpoint.states as Checkpoint['states'] }, history: run.history };
    }
    this.send({ type: 'continued', fromEpoch: from?.checkpoint.epoch ?? 0, history: run.history });
    const loaded = await this.ingest(config, msg.items, msg.files);
    if (!loaded) return STOPPED_BEFORE_TRAINING;
    const split = splitFromNames(run.split, loaded.items);
    this.send({ type: 'split', train: run.split.train, val: run.split.val ?? [], test: run.split.test, reason: run.split.reason });
    // Every weight comes from the checkpoint; without one the run starts over and needs the pretrained weights.
    const base = from ? await storedRunBase(run) : (await loadRunBase(config, undefined, this.readBuiltin()))?.base;
    this.files = loaded.items.map((it) => it.file);
    try {
      await rec.commitResume();
      return await this.trainOn(config, experimentData(loaded, split, base), msg, rec, from);
    } finally {
      base?.dispose();
    }
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
    this.setPhase('ingesting');
    const files = new Map(datasetFiles.map((f) => [f.path, f.file]));
    const { width, height } = config.input;
    const decode = this.platform.decoder(files);
    let lastSent = -Infinity;
    const progress = (p: LoadProgress) => {
      const now = performance.now();
      if (p.done < p.total && now - lastSent < PROGRESS_INTERVAL_MS) return;
      lastSent = now;
      this.send({ type: 'ingest', done: p.done, total: p.total, imagesPerSec: p.imagesPerSec, bytes: p.done * width * height * 3 });
    };
    // After a stop the remaining files are skipped quickly (and their "problems" never shown).
    const loaded = await loadImages(
      items,
      width,
      height,
      (file, w, h) => (this.gate.isStopped ? Promise.reject(new Error('stopped')) : decode(file, w, h)),
      progress,
    );
    if (this.gate.isStopped) return null;
    if (loaded.problems.length) this.send({ type: 'problems', problems: loaded.problems });
    if (!loaded.items.length)
      throw new DataError(
        `None of the ${items.length} images could be decoded, so there is nothing to train on. ` +
          'Check that the folder holds JPEG, PNG, BMP or WebP files (the list of problems names each file).',
      );
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
