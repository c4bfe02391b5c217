/**
 * A checkpoint too big for one IndexedDB value, cut into parts. Chromium refuses a value whose
 * serialisation passes 133,169,152 bytes (127 MiB: "The serialized keys and/or value are too
 * large") and aborts the whole transaction; a MobileNetV2 cohort with its Adam moments passes
 * that. Every tensor's data is laid end to end and cut into parts of at most `partBytes`; the
 * checkpoint's own value keeps the names and shapes, with empty data, and each tensor's length.
 */
import type { CohortState, SavedTensor } from '../core/train/savedState';
import type { RunKind } from '../core/train/history';

type States = Partial<Record<RunKind, CohortState>>;

/** Half Chromium's limit: the parts' own wrapping and keys stay far below it. */
export const PART_BYTES = 64 * 1024 * 1024;

/** How the parts reassemble: their count and each tensor's length (floats), in tensorsOf order. */
export interface PartsLayout {
  parts: number;
  lengths: number[];
}

/** Every tensor of the states in one fixed order: run kinds sorted, then nets, then optimizers. */
function tensorsOf(states: States): SavedTensor[] {
  return (Object.keys(states) as RunKind[])
    .sort()
    .flatMap((k) => [...states[k]!.nets, ...states[k]!.optimizers].flat());
}

/**
 * Where floats [at, at + length) of the data laid end to end lie in parts of perPart floats:
 * [part, offset in the part, offset in the tensor, count] for each piece.
 */
function* pieces(at: number, length: number, perPart: number): Generator<[number, number, number, number]> {
  for (let done = 0; done < length; ) {
    const part = Math.floor((at + done) / perPart);
    const offset = at + done - part * perPart;
    const n = Math.min(length - done, perPart - offset);
    yield [part, offset, done, n];
    done += n;
  }
}

/** The states with their data moved into parts, or null when they fit in one value of partBytes. */
export function cutIntoParts(states: States, partBytes = PART_BYTES): { states: States; layout: PartsLayout; parts: Float32Array[] } | null {
  const tensors = tensorsOf(states);
  const total = tensors.reduce((s, t) => s + t.data.length, 0);
  const perPart = Math.floor(partBytes / 4);
  if (total * 4 <= partBytes || perPart < 1) return null;
  const parts = Array.from({ length: Math.ceil(total / perPart) }, (_, i) => new Float32Array(Math.min(perPart, total - i * perPart)));
  let at = 0;
  for (const t of tensors) {
    for (const [part, offset, from, n] of pieces(at, t.data.length, perPart)) parts[part]!.set(t.data.subarray(from, from + n), offset);
    at += t.data.length;
  }
  const empty = (list: SavedTensor[][]) => list.map((ts) => ts.map((t) => ({ name: t.name, shape: t.shape, data: new Float32Array(0) })));
  const hollow: States = {};
  for (const k of Object.keys(states) as RunKind[]) hollow[k] = { nets: empty(states[k]!.nets), optimizers: empty(states[k]!.optimizers) };
  return { states: hollow, layout: { parts: parts.length, lengths: tensors.map((t) => t.data.length) }, parts };
}

/** The states cutIntoParts hollowed out, with their data back from the parts (in order). */
export function joinParts(states: States, layout: PartsLayout, parts: readonly Float32Array[]): States {
  const tensors = tensorsOf(states);
  if (tensors.length !== layout.lengths.length || parts.length !== layout.parts)
    throw new Error(`The checkpoint's parts do not match its layout (${parts.length} of ${layout.parts} parts, ${tensors.length} of ${layout.lengths.length} tensors).`);
  const stored = parts.reduce((n, p) => n + p.length, 0);
  const wanted = layout.lengths.reduce((n, l) => n + l, 0);
  if (stored !== wanted) throw new Error(`The checkpoint's parts hold ${stored} numbers where its layout needs ${wanted}.`);
  const perPart = parts[0]?.length ?? 0;
  let at = 0;
  tensors.forEach((t, i) => {
    const data = new Float32Array(layout.lengths[i]!);
    for (const [part, offset, into, n] of pieces(at, data.length, perPart)) data.set(parts[part]!.subarray(offset, offset + n), into);
    at += data.length;
    t.data = data;
  });
  return states;
}
