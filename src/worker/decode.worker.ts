/**
 * One decoder of the ingest pool: a file's bytes in, its RGB at storage size out (the same
 * header checks, decoder and core resampler as blobImageDecoder everywhere else, so the bytes
 * are the same). The trainer worker starts a few of these so decoding uses every core.
 */
import { blobImageDecoder } from './decodeImage';
import type { DecodeReply, DecodeRequest } from './decodePool';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const files = new Map<string, Blob>();
// One decoder (and so one canvas) for every file this worker is given.
const decode = blobImageDecoder(files);

scope.onmessage = async (e: MessageEvent<DecodeRequest>) => {
  const { id, blob, width, height } = e.data;
  const key = String(id);
  files.set(key, blob);
  let reply: DecodeReply;
  let transfer: Transferable[] = [];
  try {
    const img = await decode(key, width, height);
    reply = { id, ok: true, data: img.data };
    transfer = [img.data.buffer];
  } catch (err) {
    const fix = (err as { fix?: unknown }).fix;
    reply = { id, ok: false, message: (err as Error).message ?? String(err), ...(typeof fix === 'string' && { fix }) };
  } finally {
    files.delete(key);
  }
  scope.postMessage(reply, transfer);
};
