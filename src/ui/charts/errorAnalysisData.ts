/**
 * What the error analysis shows, from the run's epochs and the test images: per network its
 * newest test predictions (the only ones a history keeps per image), the errors on a basis,
 * one set of bin edges for every network (so switching network keeps the axes), the worst
 * images and SRCC per distortion type. Shared by the panel and the HTML report.
 */
import type { LabelledItem } from '../../core/data/types';
import {
  errorHistogram,
  MIN_TYPE_IMAGES,
  niceEdges,
  predictionsOn,
  srccByType,
  worstPredicted,
  type ErrorBasis,
  type Histogram2D,
  type TypeSrcc,
  type WorstImage,
} from '../../core/metrics/errorAnalysis';
import type { EpochEvent, RunKind } from '../../core/train/history';
import { networksOf, predictionsOf, type Network } from './networks';

export interface TestSet {
  files: string[];
  mos: number[];
  /** Distortion type per image, from the import (I<ref>_<type>_<level> names). */
  types: (string | undefined)[];
}

/** The test images in the order of the worker's predictions, or null when the page does not know them all. */
export function testSetOf(testFiles: readonly string[] | null | undefined, items: readonly LabelledItem[] | null): TestSet | null {
  if (!testFiles || !items) return null;
  const byFile = new Map(items.map((it) => [it.file, it]));
  const found = testFiles.map((f) => byFile.get(f));
  if (found.some((it) => it === undefined)) return null;
  const list = found as LabelledItem[];
  return { files: [...testFiles], mos: list.map((it) => it.mos), types: list.map((it) => it.distortion) };
}

/** A network's newest epoch that still carries its per-image test predictions. */
export function newestPredictions(epochs: Record<RunKind, EpochEvent[]>, net: Network, n: number): { epoch: number; pred: number[] } | null {
  const list = epochs[net.run];
  for (let i = list.length - 1; i >= 0; i--) {
    const pred = predictionsOf(list[i]!, net);
    if (pred && pred.length === n) return { epoch: list[i]!.epoch, pred };
  }
  return null;
}

export interface NetworkErrors {
  net: Network;
  epoch: number;
  /** Raw predictions, and the ones the errors are taken on. */
  raw: number[];
  values: number[];
  /** The logistic could be fitted (basis 'logistic' only). */
  fitted: boolean;
}

/** Every network's errors on `basis`, for the networks whose predictions line up with the test set. */
export function networkErrors(epochs: Record<RunKind, EpochEvent[]>, test: TestSet, basis: ErrorBasis): NetworkErrors[] {
  return networksOf(epochs).flatMap((net) => {
    const p = newestPredictions(epochs, net, test.mos.length);
    if (!p) return [];
    const on = predictionsOn(basis, p.pred, test.mos);
    return [{ net, epoch: p.epoch, raw: p.pred, values: on.values, fitted: on.fitted }];
  });
}

/** One pair of bin edges for all the networks: MOS over the test set's range, |error| from 0 to the largest any network makes. */
export function sharedEdges(all: readonly NetworkErrors[], test: TestSet): { mosEdges: number[]; errorEdges: number[] } {
  const mos = test.mos.filter(Number.isFinite);
  let top = 0;
  for (const n of all) n.values.forEach((v, k) => Number.isFinite(v) && (top = Math.max(top, Math.abs(v - test.mos[k]!))));
  return { mosEdges: niceEdges(Math.min(...mos), Math.max(...mos), 10), errorEdges: niceEdges(0, top > 0 ? top : 1, 8) };
}

export interface ErrorView {
  histogram: Histogram2D;
  worst: (WorstImage & { file: string; type?: string })[];
}

export function errorView(n: NetworkErrors, test: TestSet, edges: { mosEdges: number[]; errorEdges: number[] }, k = 10): ErrorView {
  const histogram = errorHistogram(n.values, test.mos, edges);
  const worst = worstPredicted(n.values, test.mos, k).map((w) => ({ ...w, file: test.files[w.index]!, ...(test.types[w.index] !== undefined && { type: test.types[w.index] }) }));
  return { histogram, worst };
}

export interface TypeTable {
  /** The types in order, with their image counts. */
  types: { type: string; n: number }[];
  /** Per network, SRCC per type in the same order (null below MIN_TYPE_IMAGES). */
  byNetwork: { net: Network; rows: TypeSrcc[] }[];
  untyped: number;
  minImages: number;
}

/** SRCC per distortion type for every network, or null when no test image has a type. SRCC is rank-based: raw and logistic give the same. */
export function typeTable(all: readonly NetworkErrors[], test: TestSet): TypeTable | null {
  if (!test.types.some((t) => t !== undefined && t !== '')) return null;
  const byNetwork = all.map((n) => ({ net: n.net, ...srccByType(n.raw, test.mos, test.types) }));
  const first = byNetwork[0];
  if (!first) return null;
  return { types: first.rows.map((r) => ({ type: r.type, n: r.n })), byNetwork: byNetwork.map(({ net, rows }) => ({ net, rows })), untyped: first.untyped, minImages: MIN_TYPE_IMAGES };
}

export const BASIS_WORDS: Record<ErrorBasis, string> = {
  raw: 'raw predictions (as RMSE is computed)',
  logistic: 'predictions mapped onto the MOS scale by the fitted 4-parameter logistic (as the fitted PLCC is)',
};
