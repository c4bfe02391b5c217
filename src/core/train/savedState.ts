/** A cohort's saved state as plain data: no tfjs here, so the page can handle stored runs without loading it. */

/** A tensor as plain data: what crosses to IndexedDB, a zip, or another backend. */
export interface SavedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Everything needed to continue training a cohort exactly: every weight (BatchNorm statistics included) and each Adam's state. */
export interface CohortState {
  nets: SavedTensor[][];
  optimizers: SavedTensor[][];
}

/** Bytes of a state's tensor data. */
export function stateBytes(state: CohortState): number {
  return [...state.nets, ...state.optimizers].flat().reduce((s, t) => s + t.data.byteLength, 0);
}
