/**
 * One training run inside the worker, from a 'start' message to 'done' or 'error':
 * decode the images, split, choose the backend, train, report. Every effect on the outside
 * goes through `send`, and the platform (decoder, backends) is injected, so the whole
 * sequence also runs in Node tests.
 */
import { storageSize, validateInputMode } from '../core/data/inputMode';
import { loadImages, type ImageDecoder, type LoadProgress } from '../core/data/loadImages';
import { MODEL_INFO } from '../core/models/info';
import { configProblems } from '../core/train/config';
import type { TrainEvent } from '../core/train/events';
import { experimentData } from '../core/train/experimentData';
import type { ExperimentResult } from '../core/train/runExperiment';
import type { BackendSelection, SelectOptions } from './backendSelection';
import { SelectionStopped } from './backendSelection';
import type { DeviceLossWatch } from './backends';
import { chooseSplit } from './chooseSplit';
import { DataError, describeError } from './describeError';
import type { BackendName, FromWorker, StartMessage } from './protocol';
import { RunGate } from './runGate';
import { StepBatcher } from './stepBatcher';
import { trainResilient } from './trainResilient';

export interface SessionPlatform {
  decoder(files: ReadonlyMap<string, Blob>): ImageDecoder;
  selectBackend(o: Pick<SelectOptions, 'choice' | 'config' | 'remeasure' | 'shouldStop'>): Promise<BackendSelection>;
  startBackend(name: BackendName): Promise<string | null>;
  /** A watch on the active backend when it can be lost (WebGPU), else null. */
  watchDeviceLoss(): DeviceLossWatch | null;
}

type Phase = 'ingesting' | 'measuring' | 'training';

/** Progress messages at most this often (ms), so the page's charts keep up. */
const PROGRESS_INTERVAL_MS = 100;

const STOPPED_BEFORE_TRAINING: ExperimentResult = { history: [], final: {}, epochsDone: {}, stopped: true };

export class TrainerSession {
  private readonly gate = new RunGate();
  private readonly steps: StepBatcher;
  private phase: Phase = 'ingesting';
  private backend: BackendName | undefined;

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

  stop(): void {
    if (this.gate.isStopped) return;
    this.gate.stop();
    this.steps.flush();
    this.send({ type: 'state', state: 'stopping' });
  }

  /** Runs to the end; never throws (failures become 'error' messages). */
  async run(msg: StartMessage): Promise<void> {
    try {
      const result = await this.runSteps(msg);
      this.steps.flush();
      this.send({ type: 'done', result });
    } catch (err) {
      this.steps.flush();
      if (err instanceof SelectionStopped) this.send({ type: 'done', result: STOPPED_BEFORE_TRAINING });
      else this.send(describeError(err, this.backend));
    }
  }

  private setPhase(phase: Phase): void {
    this.phase = phase;
    if (!this.gate.isPaused) this.send({ type: 'state', state: phase });
  }

  private async runSteps(msg: StartMessage): Promise<ExperimentResult> {
    const { config } = msg;
    const bad = configProblems(config);
    const inputProblem = validateInputMode(config.input, MODEL_INFO[config.model]?.patchSize);
    if (inputProblem) bad.push(inputProblem);
    if (bad.length) throw new DataError(`The training settings cannot be used: ${bad.join(' ')}`);
    if (!msg.items.length) throw new DataError('There are no labelled images to train on: choose a folder and a score file first.');

    this.setPhase('ingesting');
    const loaded = await this.ingest(msg);
    if (this.gate.isStopped) return STOPPED_BEFORE_TRAINING;
    if (loaded.problems.length) this.send({ type: 'problems', problems: loaded.problems });
    if (!loaded.items.length)
      throw new DataError(
        `None of the ${msg.items.length} images could be decoded, so there is nothing to train on. ` +
          'Check that the folder holds JPEG, PNG, BMP or WebP files (the list of problems names each file).',
      );

    const { split, warning } = chooseSplit(loaded.items, config.split, config.testFrac, config.seed);
    if (warning) this.send({ type: 'warning', message: warning });
    const name = (i: number) => loaded.items[i]!.file;
    this.send({ type: 'split', train: split.train.map(name), test: split.test.map(name), reason: split.reason });

    this.setPhase('measuring');
    const selection = await this.platform.selectBackend({
      choice: msg.backend,
      config,
      remeasure: msg.remeasure,
      shouldStop: () => this.gate.isStopped,
    });
    this.backend = selection.report.name;
    this.send(selection.report);
    if (this.gate.isStopped) return STOPPED_BEFORE_TRAINING;

    this.setPhase('training');
    return this.train(msg, experimentData(loaded, split), selection);
  }

  private async ingest(msg: StartMessage) {
    const files = new Map(msg.files.map((f) => [f.path, f.file]));
    const { width, height } = storageSize(msg.config.input);
    const decode = this.platform.decoder(files);
    let lastSent = -Infinity;
    const progress = (p: LoadProgress) => {
      const now = performance.now();
      if (p.done < p.total && now - lastSent < PROGRESS_INTERVAL_MS) return;
      lastSent = now;
      this.send({ type: 'ingest', done: p.done, total: p.total, imagesPerSec: p.imagesPerSec, bytes: p.done * width * height * 3 });
    };
    // After a stop the remaining files are skipped quickly (and their "problems" never shown).
    return loadImages(
      msg.items,
      width,
      height,
      (file, w, h) => (this.gate.isStopped ? Promise.reject(new Error('stopped')) : decode(file, w, h)),
      progress,
    );
  }

  private async train(msg: StartMessage, data: ReturnType<typeof experimentData>, selection: BackendSelection) {
    const fallbacks = [...selection.fallbacks];
    let watch = this.platform.watchDeviceLoss();
    const loseAt = msg.debug?.loseDeviceAfterEpoch;
    let lostOnPurpose = false;
    const emit = (e: TrainEvent) => {
      if (e.type === 'step') {
        this.steps.push(e);
        // Test hook: the first step after epoch N, once every run has a checkpoint of epoch N.
        if (loseAt !== undefined && !lostOnPurpose && e.epoch === loseAt && e.step === 0 && watch) {
          lostOnPurpose = true;
          watch.lose();
        }
        return;
      }
      this.steps.flush();
      this.send({ type: 'epoch', event: e });
    };
    return trainResilient(msg.config, data, {
      emit,
      control: this.gate,
      hooks: {
        keepCheckpoints: () => watch !== null,
        backendLost: async () => (watch ? watch.lostWithin(1000) : null),
        nextBackend: async () => {
          for (let next = fallbacks.shift(); next; next = fallbacks.shift()) {
            if ((await this.platform.startBackend(next)) !== null) continue;
            this.backend = next;
            watch = this.platform.watchDeviceLoss();
            return next;
          }
          return null;
        },
        onFallback: ({ lost, to, fromEpoch }) => {
          this.steps.flush();
          const where = fromEpoch ? `from the end of epoch ${fromEpoch}` : 'from the start';
          const message = `The GPU device was lost (${lost}). Training goes on with the ${to} backend ${where}; epochs after it are trained again.`;
          this.send({ type: 'warning', message });
          this.send({
            ...selection.report,
            name: to as BackendName,
            reason: message,
            candidates: selection.report.candidates.map((c) =>
              c.name === selection.report.name ? { ...c, skipped: `lost mid-run (${lost})` } : c,
            ),
          });
        },
      },
    });
  }
}
