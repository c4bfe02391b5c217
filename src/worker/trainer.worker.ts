/**
 * The training worker: every decode, training step and evaluation runs here, never on
 * the page's thread. The page starts a fresh worker for each run (TrainerClient), so one
 * worker trains at most one run.
 * It also does the page's tfjs jobs on stored runs and models (tasks: export, import, score).
 */
import { indexedDbChoiceMemory } from './backendMemory';
import { selectBackend } from './backendSelection';
import { browserPlatform, deviceId, setWasmThreads, startBackend, wasmRuntime, watchDeviceLoss } from './backends';
import { blobImageDecoder } from './decodeImage';
import { decodePool } from './decodePool';
import { opfsAvailable, opfsDevice, opfsPageFile } from './opfsPages';
import type { FromWorker, TaskRequest, ToWorker, WorkerLifeline } from './protocol';
import { openRunStore, type RunStore } from '../storage/runStore';
import { runTask } from './tasks';
import { TrainerSession } from './trainerSession';

const scope = self as unknown as DedicatedWorkerGlobalScope;

/** The site's models/ folder (public/models, written by npm install): nothing comes from elsewhere. */
async function readBuiltinModel(path: string): Promise<Uint8Array> {
  const url = new URL(`${import.meta.env.BASE_URL}models/${path}`, scope.location.href);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url.pathname} answered ${res.status}: run npm install, which writes the built-in models`);
  return new Uint8Array(await res.arrayBuffer());
}
const send = (msg: FromWorker, transfer: Transferable[] = []) => scope.postMessage(msg, transfer);

// Held until this worker dies, however it dies: the page waits on it to learn that it is gone.
const lifeline = `dml-iqa-worker:${crypto.randomUUID()}`;
void navigator.locks
  ?.request(lifeline, () => {
    scope.postMessage({ type: 'lifeline', lock: lifeline } satisfies WorkerLifeline);
    return new Promise<void>(() => {});
  })
  .catch(() => {});
const memory = indexedDbChoiceMemory();
let session: TrainerSession | null = null;

let storePromise: Promise<RunStore> | null = null;
function runStore(): Promise<RunStore> {
  storePromise ??= openRunStore();
  // A failed open is not remembered: the next call tries again.
  storePromise.catch(() => (storePromise = null));
  return storePromise;
}

let taskBackend: Promise<void> | null = null;
/** Tasks run on wasm (cpu where wasm cannot start); the page sends them to a worker of their own. */
function ensureTaskBackend(): Promise<void> {
  taskBackend ??= (async () => {
    const wasm = await startBackend('wasm');
    if (wasm === null) return;
    const cpu = await startBackend('cpu');
    if (cpu !== null) throw new Error(`No TensorFlow.js backend could start (wasm: ${wasm}; cpu: ${cpu}).`);
  })();
  // A failed start is not remembered: the next task tries again.
  taskBackend.catch(() => (taskBackend = null));
  return taskBackend;
}

async function answerTask(id: number, request: TaskRequest): Promise<void> {
  try {
    await ensureTaskBackend();
    const { reply, transfer } = await runTask(request, { store: runStore, decoder: blobImageDecoder, readBuiltinModel });
    send({ type: 'taskDone', id, reply }, transfer);
  } catch (err) {
    send({ type: 'taskFailed', id, message: (err as Error).message ?? String(err) });
  }
}

scope.onmessage = (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  switch (msg.type) {
    case 'start':
    case 'continue': {
      if (msg.type === 'start') setWasmThreads(msg.debug?.wasmThreads ?? null);
      const s = new TrainerSession(send, {
        decoder: blobImageDecoder,
        selectBackend: async (o) => {
          const selection = await selectBackend({ ...o, memory, device: deviceId() }, browserPlatform);
          const wasm = selection.report.name === 'wasm' ? wasmRuntime() : null;
          return wasm ? { ...selection, report: { ...selection.report, wasm } } : selection;
        },
        startBackend,
        watchDeviceLoss,
        runStore,
        readBuiltinModel,
        // The memory budget's view of the device, and where images go that do not fit in memory.
        device: async () => ({ deviceMemoryGB: (navigator as { deviceMemory?: number }).deviceMemory, ...(await opfsDevice()) }),
        ...(opfsAvailable() && { pageFile: opfsPageFile }),
        decodePool: (files) => decodePool(files),
      });
      session = s;
      // Once it ends, a late pause or stop finds no session.
      void s.run(msg).finally(() => (session = null));
      return;
    }
    case 'pause':
      session?.pause();
      return;
    case 'resume':
      session?.resume();
      return;
    case 'stop':
      session?.stop();
      return;
    case 'step':
      session?.step();
      return;
    case 'finishEpoch':
      session?.finishEpoch();
      return;
    case 'setLambda':
      session?.setLambda(msg.lambda);
      return;
    case 'setHeatmapImage':
      session?.setHeatmapImage(msg.index);
      return;
    case 'detail':
      session?.setDetail(msg.on);
      return;
    case 'task':
      void answerTask(msg.id, msg.request);
      return;
  }
};
