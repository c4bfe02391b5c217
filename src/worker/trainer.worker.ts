/**
 * The training worker: every decode, training step and evaluation runs here, never on
 * the page's thread. One run at a time; the page talks to it through TrainerClient.
 * It also does the page's tfjs jobs on stored runs and models (tasks: export, import, score).
 */
import { indexedDbChoiceMemory } from './backendMemory';
import { selectBackend } from './backendSelection';
import { browserPlatform, deviceId, startBackend, watchDeviceLoss } from './backends';
import { blobImageDecoder } from './decodeImage';
import type { FromWorker, TaskRequest, ToWorker } from './protocol';
import { openRunStore, type RunStore } from './storage/runStore';
import { runTask } from './tasks';
import { TrainerSession } from './trainerSession';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const send = (msg: FromWorker, transfer: Transferable[] = []) => scope.postMessage(msg, transfer);
const memory = indexedDbChoiceMemory();
let session: TrainerSession | null = null;
/** Whether a training session chose this worker's backend (tasks then use it as it is). */
let trained = false;

let storePromise: Promise<RunStore> | null = null;
function runStore(): Promise<RunStore> {
  storePromise ??= openRunStore();
  // A failed open is not remembered: the next call tries again.
  storePromise.catch(() => (storePromise = null));
  return storePromise;
}

let taskBackend: Promise<void> | null = null;
/** Tasks run on wasm (cpu where wasm cannot start), unless a training run already chose the backend. */
function ensureTaskBackend(): Promise<void> {
  if (trained) return Promise.resolve();
  return (taskBackend ??= (async () => {
    const wasm = await startBackend('wasm');
    if (wasm === null) return;
    const cpu = await startBackend('cpu');
    if (cpu !== null) throw new Error(`No TensorFlow.js backend could start (wasm: ${wasm}; cpu: ${cpu}).`);
  })());
}

async function answerTask(id: number, request: TaskRequest): Promise<void> {
  try {
    await ensureTaskBackend();
    const { reply, transfer } = await runTask(request, { store: runStore, decoder: blobImageDecoder });
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
      if (session) {
        send({ type: 'warning', message: 'A training run is already going: stop it before starting another.' });
        return;
      }
      const s = new TrainerSession(send, {
        decoder: blobImageDecoder,
        selectBackend: (o) => selectBackend({ ...o, memory, device: deviceId() }, browserPlatform),
        startBackend,
        watchDeviceLoss,
        runStore,
      });
      session = s;
      trained = true;
      void s.run(msg).finally(() => {
        if (session === s) session = null;
      });
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
    case 'task':
      void answerTask(msg.id, msg.request);
      return;
  }
};
