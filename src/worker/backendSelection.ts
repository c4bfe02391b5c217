/**
 * Which TensorFlow.js backend trains, and why. Pure logic over a BackendPlatform,
 * so the rules are tested without a browser; backends.ts is the browser's platform.
 *
 * "auto" does not take the first backend that starts: a software WebGPU adapter
 * (SwiftShader) starts fine and trains ~9× slower than wasm, and compiling its shaders alone
 * takes 30–60 s. It times wasm first, skips WebGPU and WebGL when the only GPU adapter is such a
 * fallback (unless wasm cannot train), times the others that start for a few seconds at most,
 * takes the fastest and remembers that per device and model.
 */
import { netInputSize } from '../core/data/inputMode';
import { MODEL_INFO } from '../core/models/info';
import type { LayersModel } from '@tensorflow/tfjs';
import type { TrainConfig } from '../core/train/config';
import type { ChoiceMemory } from './backendMemory';
import { BackendError } from './describeError';
import type { BackendCandidateReport, BackendChoice, BackendName, BackendReport } from './protocol';

export type AdapterReport = NonNullable<BackendReport['adapter']>;

/** The order of preference: webgpu, then webgl, then wasm, then cpu. */
const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
/** Timing order: the cheapest reliable one first, so the slow ones can be cut short against it. */
const MEASURE_ORDER: readonly BackendName[] = ['wasm', 'webgpu', 'webgl', 'cpu'];

export interface StepTiming {
  /** The first step: shader compilation, kernel set-up, Adam's slots. */
  firstMs: number;
  /** Mean of the timed steps after it; absent when the first step already passed the cut-off. */
  msPerStep?: number;
}

export interface BackendPlatform {
  /** The WebGPU adapter's identity, when there is one. */
  adapter(): Promise<AdapterReport | undefined>;
  /** Make `name` the active backend: null when it runs, else why not, in words. */
  start(name: BackendName): Promise<string | null>;
  /** Time training steps of `config`'s model on the active backend (throws when a step fails). */
  measure(config: TrainConfig, cutoffMs: number, backbone?: LayersModel): Promise<StepTiming>;
}

export interface SelectOptions {
  choice: BackendChoice;
  config: TrainConfig;
  /** A pretrained model's base network, to build the nets that are timed. */
  backbone?: LayersModel;
  remeasure?: boolean;
  memory: ChoiceMemory;
  /** Identifies the browser and machine (user agent, cores); the adapter is added to it. */
  device: string;
  shouldStop?: () => boolean;
  now?: () => number;
}

export interface BackendSelection {
  report: BackendReport;
  /** Where to go if the running backend fails mid-run (WebGPU device lost), best first. */
  fallbacks: BackendName[];
}

/** The user stopped the run while backends were being timed. */
export class SelectionStopped extends Error {}

/** A warm-up this much slower than the best timed step so far is not timed further. */
const CUTOFF_FACTOR = 30;
const CUTOFF_MIN_MS = 5000;
/** No backend's first step is waited for longer than this once another has trained. */
const CUTOFF_CAP_MS = 8000;

const round = (ms: number) => Math.round(ms * 10) / 10;

export function choiceKey(device: string, adapter: AdapterReport | undefined, config: TrainConfig): string {
  const [h, w] = netInputSize(config.input, MODEL_INFO[config.model].patchSize);
  const model = config.model + (config.width ? `×${config.width}` : '');
  const gpu = adapter ? `${adapter.vendor}/${adapter.architecture}/${adapter.description}` : 'no-webgpu';
  return `${device}|${gpu}|${model}|${w}x${h}|batch${config.batchSize}`;
}

function describeModel(config: TrainConfig): string {
  const [h, w] = netInputSize(config.input, MODEL_INFO[config.model].patchSize);
  return `${config.model} at ${w}×${h}, batch ${config.batchSize}`;
}

export async function selectBackend(o: SelectOptions, p: BackendPlatform): Promise<BackendSelection> {
  const adapter = await p.adapter();
  if (o.choice !== 'auto') return forced(o.choice, adapter, p);
  const key = choiceKey(o.device, adapter, o.config);
  if (!o.remeasure) {
    const known = await o.memory.get(key);
    if (known && (await p.start(known.name)) === null) {
      const when = new Date(known.measuredAt).toISOString().slice(0, 10);
      const ms = known.candidates.find((c) => c.name === known.name)?.msPerStep;
      return {
        report: {
          type: 'backend',
          name: known.name,
          adapter,
          reason:
            `Remembered from a timing on ${when}: the fastest here for ${describeModel(o.config)}` +
            (ms !== undefined ? ` (${ms} ms per step)` : '') +
            '. Choose "re-measure" to time the backends again.',
          candidates: known.candidates,
        },
        fallbacks: fallbackOrder(known.name, known.candidates),
      };
    }
  }
  return measured(o, key, adapter, p);
}

async function forced(name: BackendName, adapter: AdapterReport | undefined, p: BackendPlatform): Promise<BackendSelection> {
  const notMeasured = 'not measured: you chose the backend';
  const why = await p.start(name);
  if (why === null) {
    return {
      report: {
        type: 'backend',
        name,
        adapter,
        reason: `You chose ${name}.`,
        candidates: BACKEND_ORDER.map((n) => (n === name ? { name: n } : { name: n, skipped: notMeasured })),
      },
      fallbacks: BACKEND_ORDER.filter((n) => n !== name),
    };
  }
  // The chosen one cannot start: the next in order of preference that does, said plainly.
  const failed: BackendCandidateReport[] = [{ name, skipped: `could not start: ${why}` }];
  const i = BACKEND_ORDER.indexOf(name);
  for (const next of [...BACKEND_ORDER.slice(i + 1), ...BACKEND_ORDER.slice(0, i)]) {
    const whyNot = await p.start(next);
    if (whyNot !== null) {
      failed.push({ name: next, skipped: `could not start: ${whyNot}` });
      continue;
    }
    return {
      report: {
        type: 'backend',
        name: next,
        adapter,
        reason: `You chose ${name}, but it could not start (${why}); ${next} runs instead.`,
        candidates: BACKEND_ORDER.map(
          (n) => failed.find((f) => f.name === n) ?? (n === next ? { name: n } : { name: n, skipped: notMeasured }),
        ),
      },
      fallbacks: BACKEND_ORDER.filter((n) => n !== next && !failed.some((f) => f.name === n)),
    };
  }
  throw noBackend(failed);
}

async function measured(o: SelectOptions, key: string, adapter: AdapterReport | undefined, p: BackendPlatform): Promise<BackendSelection> {
  const results = new Map<BackendName, BackendCandidateReport>();
  let best: { name: BackendName; ms: number } | null = null;
  for (const name of MEASURE_ORDER) {
    if (o.shouldStop?.()) throw new SelectionStopped('stopped while timing the backends');
    // cpu runs the same kernels in plain JavaScript: never faster than wasm for conv nets, and a
    // first step at full size can take minutes. It is timed only when nothing else trains.
    if (name === 'cpu' && best) {
      results.set(name, { name, skipped: 'not timed: the plain-JavaScript reference backend, used only when no other backend trains' });
      continue;
    }
    if ((name === 'webgpu' || name === 'webgl') && best && adapter?.isFallbackAdapter) {
      results.set(name, { name, skipped: 'not timed: the only GPU adapter is a software fallback (e.g. SwiftShader), far slower than wasm; choose it to use it anyway' });
      continue;
    }
    const why = await p.start(name);
    if (why !== null) {
      results.set(name, { name, skipped: `could not start: ${why}` });
      continue;
    }
    const cutoff = best ? Math.min(CUTOFF_CAP_MS, Math.max(CUTOFF_MIN_MS, CUTOFF_FACTOR * best.ms)) : Infinity;
    try {
      const t = await p.measure(o.config, cutoff, o.backbone);
      if (t.msPerStep === undefined) {
        results.set(name, {
          name,
          skipped: `slower: its first step alone took ${Math.round(t.firstMs)} ms, against ${round(best!.ms)} ms per step on ${best!.name}`,
        });
        continue;
      }
      results.set(name, { name, msPerStep: round(t.msPerStep) });
      if (!best || t.msPerStep < best.ms) best = { name, ms: t.msPerStep };
    } catch (err) {
      results.set(name, { name, skipped: `could not run a training step: ${(err as Error).message ?? err}` });
    }
  }
  if (!best) throw noBackend(BACKEND_ORDER.map((n) => results.get(n)!));
  const winner = best;
  const candidates = BACKEND_ORDER.map((n) => {
    const r = results.get(n)!;
    if (n === winner.name || r.skipped) return r;
    const times = (r.msPerStep! / winner.ms).toFixed(1);
    return { ...r, skipped: `slower: ${r.msPerStep} ms per step, ${times}× the time of ${winner.name}` };
  });
  const why = await p.start(winner.name);
  if (why !== null) throw noBackend([{ name: winner.name, skipped: `could not restart: ${why}` }]);
  await o.memory.set(key, { name: winner.name, candidates, measuredAt: (o.now ?? Date.now)() });
  // Backends cut short after their first step were timed too, just not to the end.
  const others = candidates.filter((c) => c.name !== winner.name && (c.msPerStep !== undefined || c.skipped?.startsWith('slower'))).length;
  return {
    report: {
      type: 'backend',
      name: winner.name,
      adapter,
      reason:
        `Fastest of ${others + 1} backend${others ? 's' : ''} timed on ${describeModel(o.config)}: ` +
        `${round(winner.ms)} ms per training step.`,
      candidates,
    },
    fallbacks: fallbackOrder(winner.name, candidates),
  };
}

/** The other backends that trained, fastest first, then those never tried, in order of preference. */
function fallbackOrder(running: BackendName, candidates: readonly BackendCandidateReport[]): BackendName[] {
  const timed = candidates
    .filter((c) => c.name !== running && c.msPerStep !== undefined)
    .sort((a, b) => a.msPerStep! - b.msPerStep!)
    .map((c) => c.name);
  const untried = candidates.filter((c) => c.name !== running && c.msPerStep === undefined && !c.skipped?.startsWith('could not'));
  return [...timed, ...untried.map((c) => c.name)];
}

function noBackend(failed: readonly BackendCandidateReport[]): BackendError {
  return new BackendError(
    'No TensorFlow.js backend can train in this browser: ' +
      failed.map((f) => `${f.name} — ${f.skipped}`).join('; ') +
      '. Try an up-to-date Chrome, Edge or Firefox.',
  );
}
