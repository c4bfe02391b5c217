/**
 * The training worker: every decode, training step and evaluation runs here, never on
 * the page's thread. One run at a time; the page talks to it through TrainerClient.
 */
import { indexedDbChoiceMemory } from './backendMemory';
import { selectBackend } from './backendSelection';
import { browserPlatform, deviceId, startBackend, watchDeviceLoss } from './backends';
import { blobImageDecoder } from './decodeImage';
import type { FromWorker, ToWorker } from './protocol';
import { TrainerSession } from './trainerSession';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const send = (msg: FromWorker) => scope.postMessage(msg);
const memory = indexedDbChoiceMemory();
let session: TrainerSession | null = null;

scope.onmessage = (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  switch (msg.type) {
    case 'start': {
      if (session) {
        send({ type: 'warning', message: 'A training run is already going: stop it before starting another.' });
        return;
      }
      const s = new TrainerSession(send, {
        decoder: blobImageDecoder,
        selectBackend: (o) => selectBackend({ ...o, memory, device: deviceId() }, browserPlatform),
        startBackend,
        watchDeviceLoss,
      });
      session = s;
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
  }
};
