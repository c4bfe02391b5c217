/**
 * The page side of the browser tests and the benchmark (harness.html): fetches a slice of
 * the demo set, drives the worker through TrainerClient exactly as the studio does, and
 * records every message and every main-thread long task for Playwright to read back.
 */
import { importDataset } from '../core/data/importDataset';
import { spreadSample } from '../core/data/spreadSample';
import type { LabelledItem } from '../core/data/types';
import type { ModelName } from '../core/models/types';
import { chooseSplit } from '../core/splitPolicy';
import type { SplitKind } from '../core/splits';
import { QUICK_DEMO, type BackboneConfig, type RunMode, type TrainConfig, splitOptionsOf } from '../core/train/config';
import { TrainerClient } from './client';
import type { BackendChoice, DatasetFile, FromWorker } from './protocol';

export interface HarnessStart {
  backend: BackendChoice;
  mode: RunMode;
  epochs: number;
  /** Images resized to size×size. */
  size: number;
  /** How many demo images, spread evenly over the references. */
  images: number;
  batchSize?: number;
  lr?: number;
  model?: ModelName;
  split?: SplitKind;
  remeasure?: boolean;
  /** Replace this many of the slice's files with bytes that are no image. */
  corrupt?: number;
  loseDeviceAfterEpoch?: number;
  /** Threads for the wasm backend (default: every core but one). */
  wasmThreads?: number;
  /** Pretrained models: where the body is cut and how much of it trains. */
  backbone?: BackboneConfig;
  /** A user's backbone (model 'backbone'): model.json and weight files, their bytes in base64. */
  backboneFiles?: { name: string; base64: string }[];
  /** Anything else of the config (applied last). */
  config?: Partial<TrainConfig>;
}

export interface LongTask {
  start: number;
  duration: number;
}

export interface Harness {
  start(o: HarnessStart): Promise<void>;
  pause(): void;
  resume(): void;
  stop(): void;
  /** Pause (or stop) from the message handler itself, as soon as a step ≥ globalStep is reported. */
  pauseAtStep(globalStep: number): void;
  stopAtStep(globalStep: number): void;
  /** Every message since the last start, in arrival order. */
  messages: FromWorker[];
  /** Arrival time (performance.now) of each message. */
  times: number[];
  /** performance.now() just after the start message was posted. */
  startedAt: number;
  /** Why the split differs from the one asked for (the page's preview shows the same words), if it does. */
  splitWarning: string | undefined;
  longTasks: LongTask[];
  /** Diagnosis of long tasks: PerformanceLongAnimationFrameTiming entries as JSON. */
  longFrames: unknown[];
  finished(): boolean;
  /**
   * Resolves once a message matching `kind` ('done' or 'error' for "finished", or a state
   * such as 'paused') has arrived. Tests await this instead of polling: polling runs timer
   * tasks on the page, which the long-task check would then measure.
   */
  when(kind: 'finished' | 'paused' | 'stopping' | 'training'): Promise<void>;
}

const longTasks: LongTask[] = [];
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
} catch {
  // No Long Tasks API: the tests then see none, and say so by checking support first.
}
/** Long animation frames with the scripts that ran in them: what a long task was doing. */
const longFrames: unknown[] = [];
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longFrames.push(e.toJSON());
  }).observe({ type: 'long-animation-frame', buffered: true });
} catch {
  // Not in every browser; only for diagnosis.
}

let demo: Promise<{ items: LabelledItem[] }> | null = null;
function demoItems() {
  return (demo ??= (async () => {
    const manifest = (await (await fetch('/demo/manifest.json')).json()) as { scoreFile: string; images: string[] };
    const scoreText = await (await fetch(`/demo/${manifest.scoreFile}`)).text();
    return importDataset({ scoreFileName: manifest.scoreFile, scoreText, files: manifest.images });
  })());
}

let client: TrainerClient | null = null;
const triggers: { at: number; act: () => void }[] = [];
const waiters: { kind: string; resolve: () => void }[] = [];

function matches(m: FromWorker, kind: string): boolean {
  return kind === 'finished' ? m.type === 'done' || m.type === 'error' : m.type === 'state' && m.state === kind;
}

const harness: Harness = {
  messages: [],
  times: [],
  startedAt: 0,
  splitWarning: undefined,
  longTasks,
  longFrames,
  async start(o) {
    const { items: all } = await demoItems();
    const items = spreadSample(all, o.images);
    const files: DatasetFile[] = await Promise.all(
      items.map(async (it, i) => ({
        path: it.file,
        file:
          i < (o.corrupt ?? 0)
            ? new Blob([new TextEncoder().encode('this is not an image')], { type: 'image/png' })
            : await (await fetch(`/demo/${it.file}`)).blob(),
      })),
    );
    const config: TrainConfig = {
      ...QUICK_DEMO,
      mode: o.mode,
      model: o.model ?? 'tiny',
      input: { kind: 'resize', width: o.size, height: o.size },
      epochs: o.epochs,
      batchSize: o.batchSize ?? 8,
      lr: o.lr ?? QUICK_DEMO.lr,
      decayEvery: 0,
      split: o.split ?? 'ref',
      ...(o.backbone && { backbone: o.backbone }),
      ...o.config,
    };
    const backboneFiles = o.backboneFiles?.map((f) => ({ name: f.name, file: new Blob([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))]) }));
    client?.terminate();
    client = new TrainerClient();
    harness.messages = [];
    harness.times = [];
    triggers.length = 0;
    client.on((m) => {
      harness.messages.push(m);
      harness.times.push(performance.now());
      for (let i = waiters.length - 1; i >= 0; i--) if (matches(m, waiters[i]!.kind)) waiters.splice(i, 1)[0]!.resolve();
      if (m.type !== 'steps') return;
      const reached = Math.max(...m.steps.map((s) => s.globalStep));
      for (let i = triggers.length - 1; i >= 0; i--) if (reached >= triggers[i]!.at) triggers.splice(i, 1)[0]!.act();
    });
    const choice = chooseSplit(items, splitOptionsOf(config));
    harness.splitWarning = choice.warning;
    client.start({
      runId: `harness-${Date.now()}`,
      config,
      items,
      files,
      split: choice.names,
      backend: o.backend,
      remeasure: o.remeasure,
      ...(backboneFiles && { backboneFiles }),
      debug:
        o.loseDeviceAfterEpoch === undefined && o.wasmThreads === undefined
          ? undefined
          : { loseDeviceAfterEpoch: o.loseDeviceAfterEpoch, wasmThreads: o.wasmThreads },
    });
    // After the post: the task that fetched the files and posted them is the harness's setup, not training.
    harness.startedAt = performance.now();
  },
  pause: () => client?.pause(),
  resume: () => client?.resume(),
  stop: () => client?.stop(),
  pauseAtStep: (at) => void triggers.push({ at, act: () => client?.pause() }),
  stopAtStep: (at) => void triggers.push({ at, act: () => client?.stop() }),
  finished: () => harness.messages.some((m) => matches(m, 'finished')),
  when: (kind) =>
    harness.messages.some((m) => matches(m, kind)) ? Promise.resolve() : new Promise((resolve) => waiters.push({ kind, resolve })),
};

(window as unknown as { __dmlHarness: Harness }).__dmlHarness = harness;
document.title += ' — ready';
