/**
 * What a run needs in memory before any image is decoded, and where its images can live:
 * held in memory as one uint8 array, or kept on disk (the browser's private file system) and
 * streamed batch by batch when they do not fit. Pure arithmetic: the page shows it before
 * Start, the worker decides with it, the tests check it against tfjs's own byte counts.
 */

export type StorageMode = 'memory' | 'disk';

/** What one network costs, as the page can know it without tfjs (modelFootprint). */
export interface NetFootprint {
  /** Bytes one training step of one network takes per input pixel (tfjs's peak: every tensor the backward pass keeps, and the gradients). */
  stepBytesPerPixel: number;
  /** Trainable and frozen weights of one network. */
  params: number;
  /** Floats per image (one orientation) of the frozen body's cached output; absent when nothing is cached. */
  cachedFloats?: number;
  /** The same for the part that trains on the cache (the head alone: 0, it sees no pixels). */
  trainedStepBytesPerPixel?: number;
  /** Weights of the part that trains on the cache. */
  trainedParams?: number;
}

export interface BudgetInput {
  /** Images to decode. */
  count: number;
  /** Storage size: every image is held at width × height RGB. */
  width: number;
  height: number;
  /** Pixels of one network input (the whole image, a crop or a patch). */
  samplePixels: number;
  batchSize: number;
  /** Networks held at once (baseline 1, a DML cohort K, the control K more). */
  networks: number;
  /** Networks that step together on one batch (the largest cohort). */
  stepping: number;
  net: NetFootprint;
  /** Total bytes of the image files: shown beside the decoded size. */
  fileBytes?: number;
}

/** What this device lets the tab use, and where the figure comes from. */
export interface DeviceAllowance {
  /** Bytes the tab may use in all. */
  bytes: number;
  /** In words: "navigator.deviceMemory 8 GB × ½", "a default of 4 GB (this browser does not say)". */
  source: string;
  /** Bytes the page already uses (performance.measureUserAgentSpecificMemory), taken off `bytes`. */
  inUse?: number;
  /** Disk the browser grants this site that is still free (navigator.storage.estimate); undefined: unknown. */
  diskFree?: number;
  /** Whether a worker can keep images on disk (the private file system with synchronous access). */
  disk: boolean;
  /** The backend's own ceiling for tensors (wasm: a 4 GB heap), when it is known to be the one used. */
  backendLimit?: { bytes: number; name: string };
}

export interface BudgetParts {
  /** The decoded images at storage size, as uint8. */
  images: number;
  /** One training step: the batch, its mirror and every activation kept for the backward pass, for every stepping network. */
  activations: number;
  /** Weights, gradients, Adam's two moments and a checkpoint's host copy, for every network. */
  weights: number;
  /** The frozen body's output for every image and its mirror. */
  cache: number;
  /** The studio, tfjs and the backend's runtime. */
  overhead: number;
}

export interface MemoryBudget {
  parts: BudgetParts;
  /** Everything but the images: what training needs wherever the images are. */
  training: number;
  /** Bytes the tab may use (after what it already uses). */
  allowed: number;
  mode: StorageMode;
  /** False when the run cannot fit either way: `why` says what will. */
  fits: boolean;
  /** The images have somewhere to go: memory, or (mode 'disk') a private file system with room for them. */
  placed: boolean;
  /** Decoded images kept in memory at a time when streaming from disk. */
  streamCache: number;
  /** One sentence: the parts, the mode, and why. */
  why: string;
  /** When it does not fit: changes that would make it fit, in words. */
  advice: string[];
}

/** Conservative default when the browser does not say how much memory the device has. */
export const DEFAULT_DEVICE_BYTES = 4 * 2 ** 30;
/** Of the device's memory, the share one tab may take (the system and other tabs need the rest). */
export const TAB_SHARE = 0.5;
/** The studio, tfjs, the wasm runtime and the page itself. */
export const OVERHEAD_BYTES = 300 * 2 ** 20;
/** Per weight held: the value, Adam's two moments, and a checkpoint's host copy of the three. */
export const BYTES_PER_PARAM = 4 * 6;
/** Per weight during a step: its gradient and Adam's temporaries (measured on the wasm heap with the pixels' part). */
export const STEP_BYTES_PER_PARAM = 24;
/** Streaming: at least this many batches ahead in memory, and at most this much of them. */
export const PREFETCH_BATCHES = 4;
export const MAX_STREAM_CACHE = 512 * 2 ** 20;

export function formatMB(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GB`;
  return `${Math.max(0, Math.round(bytes / 2 ** 20))} MB`;
}

/** The device's allowance from navigator.deviceMemory (GB, rounded down by the browser, at most 8 in Chromium). */
export function deviceAllowance(o: { deviceMemoryGB?: number; inUse?: number; diskFree?: number; disk: boolean; backendLimit?: DeviceAllowance['backendLimit'] }): DeviceAllowance {
  const known = typeof o.deviceMemoryGB === 'number' && o.deviceMemoryGB > 0;
  const device = known ? o.deviceMemoryGB! * 2 ** 30 : DEFAULT_DEVICE_BYTES;
  const source = known
    ? `this device's ${o.deviceMemoryGB} GB (navigator.deviceMemory) × ½`
    : `× ½ of a default ${formatMB(DEFAULT_DEVICE_BYTES)} (this browser does not say how much memory the device has)`;
  return { bytes: device * TAB_SHARE, source, inUse: o.inUse, diskFree: o.diskFree, disk: o.disk, backendLimit: o.backendLimit };
}

export function budgetParts(b: BudgetInput): BudgetParts {
  const bytesPerImage = b.width * b.height * 3;
  const cached = b.net.cachedFloats !== undefined;
  const perPixel = cached ? (b.net.trainedStepBytesPerPixel ?? 0) : b.net.stepBytesPerPixel;
  // The batch and its mirror (float32, 3 channels) beside what the step keeps.
  const input = 2 * b.batchSize * b.samplePixels * 3 * 4;
  const trained = cached ? (b.net.trainedParams ?? 0) : b.net.params;
  const activations = input + b.stepping * (b.batchSize * b.samplePixels * perPixel + trained * STEP_BYTES_PER_PARAM);
  return {
    images: b.count * bytesPerImage,
    activations,
    weights: b.networks * b.net.params * BYTES_PER_PARAM,
    cache: cached ? 2 * b.count * b.net.cachedFloats! * 4 : 0,
    overhead: OVERHEAD_BYTES,
  };
}

/**
 * Where the images go and whether the run fits: in memory when everything fits in what the
 * tab may use; on disk, streamed, when only the images do not; neither when training alone
 * (networks, one step, the cache) is over it, or the disk cannot hold the images.
 */
export function memoryBudget(b: BudgetInput, device: DeviceAllowance): MemoryBudget {
  const parts = budgetParts(b);
  const training = parts.activations + parts.weights + parts.cache + parts.overhead;
  const allowed = Math.max(0, device.bytes - (device.inUse ?? 0));
  const bytesPerImage = b.width * b.height * 3;
  const minStream = PREFETCH_BATCHES * b.batchSize * bytesPerImage;
  const fitsMemory = parts.images + training <= allowed;
  const streamCache = Math.min(MAX_STREAM_CACHE, parts.images, Math.max(minStream, allowed - training));
  const fitsStream = training + streamCache <= allowed;
  const diskOk = device.disk && (device.diskFree === undefined || device.diskFree >= parts.images);
  const mode: StorageMode = fitsMemory ? 'memory' : 'disk';
  const onBackend = parts.activations + parts.weights + parts.cache;
  const overBackend = device.backendLimit !== undefined && onBackend > device.backendLimit.bytes;
  const fits = (fitsMemory || (fitsStream && diskOk)) && !overBackend;

  const n = b.count.toLocaleString('en-US');
  const list =
    `images ${formatMB(parts.images)}, one step ${formatMB(parts.activations)}, networks ${formatMB(parts.weights)}` +
    (parts.cache ? `, feature cache ${formatMB(parts.cache)}` : '') +
    `, studio ${formatMB(parts.overhead)}`;
  const limit = `${formatMB(allowed)} this tab may use (${device.source}${device.inUse ? `, less ${formatMB(device.inUse)} already in use` : ''})`;
  let why: string;
  if (fitsMemory) why = `${n} images at ${b.width}×${b.height}: ${list}. In all ${formatMB(parts.images + training)} of the ${limit}: the images are held in memory.`;
  else if (fitsStream && diskOk)
    why =
      `${n} images at ${b.width}×${b.height}: ${list}. In all ${formatMB(parts.images + training)}, over the ${limit}: the images are kept on disk ` +
      `(the browser's private file system) and streamed, ${formatMB(streamCache)} of them in memory at a time.`;
  else if (fitsStream && !device.disk)
    why = `${n} images at ${b.width}×${b.height}: ${list}. The images (${formatMB(parts.images)}) do not fit in the ${limit}, and this browser gives workers no private file system to stream them from.`;
  else if (fitsStream)
    why = `${n} images at ${b.width}×${b.height}: ${list}. The images do not fit in the ${limit}, nor in the ${formatMB(device.diskFree ?? 0)} of disk this browser grants the site.`;
  else why = `${n} images at ${b.width}×${b.height}: ${list}. Training alone needs ${formatMB(training)}, over the ${limit}, wherever the images are kept.`;
  if (overBackend && device.backendLimit)
    why += ` On ${device.backendLimit.name} the networks and one step need ${formatMB(onBackend)} of its ${formatMB(device.backendLimit.bytes)} heap: more than it has.`;

  return { parts, training, allowed, mode, fits, placed: fitsMemory || diskOk, streamCache, why, advice: fits ? [] : adviceFor(b, device, allowed, onBackend) };
}

/** What would fit: a smaller batch, smaller images, a frozen body. */
function adviceFor(b: BudgetInput, device: DeviceAllowance, allowed: number, onBackend: number): string[] {
  const out: string[] = [];
  const cap = Math.min(allowed, device.backendLimit?.bytes ?? Infinity);
  const fixed = OVERHEAD_BYTES + b.networks * b.net.params * BYTES_PER_PARAM + (b.net.cachedFloats ? 2 * b.count * b.net.cachedFloats * 4 : 0) + PREFETCH_BATCHES * b.batchSize * b.width * b.height * 3;
  const fixedStep = budgetParts({ ...b, batchSize: 0, count: 0 }).activations;
  const perSample = budgetParts({ ...b, batchSize: 1, count: 0 }).activations - fixedStep;
  const batch = Math.floor((cap - fixed - fixedStep) / perSample);
  if (batch >= 2 && batch < b.batchSize) out.push(`a batch of ${batch} instead of ${b.batchSize}`);
  const scale = Math.sqrt(Math.max(0, cap - fixed - fixedStep) / (perSample * b.batchSize));
  if (scale > 0.1 && scale < 1) {
    const w = Math.max(8, Math.floor((b.width * scale) / 8) * 8);
    const h = Math.max(8, Math.floor((b.height * scale) / 8) * 8);
    out.push(`images of ${w}×${h} instead of ${b.width}×${b.height}`);
  }
  if (!b.net.cachedFloats && onBackend > cap) out.push('training only the head (the body frozen and cached)');
  if (b.stepping > 1) out.push('the baseline alone (one network steps instead of the whole cohort)');
  if (device.backendLimit) out.push('a GPU backend (WebGPU), whose memory is the graphics card\'s');
  return out;
}
