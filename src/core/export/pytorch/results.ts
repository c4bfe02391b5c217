/**
 * Checks a results.json written by the PyTorch export's train.py before the studio imports it,
 * and says in words which key is missing or wrong. NaN metrics arrive as null (JSON has no NaN)
 * and leave as NaN.
 */
import type { IqaMetrics, PairedDifference } from '../../metrics';
import { configProblems, type TrainConfig } from '../../train/config';
import { readTrainConfig } from '../../train/configSchema';

export const PYTORCH_RESULTS_FORMAT = 'dml-iqa-pytorch-results/1';

export type PytorchRunKind = 'baseline' | 'dml' | 'control';

export interface PytorchEpochMetrics {
  peers: IqaMetrics[];
  ensemble?: IqaMetrics;
}

/** One run's finished epoch, shaped as the studio's epoch events (without TF.js's memory figures). */
export interface PytorchEpochEvent {
  type: 'epoch';
  run: PytorchRunKind;
  /** 1-based: the number of epochs finished. */
  epoch: number;
  /** Mean over the epoch's steps, per network. */
  trainLoss: { supervised: number[]; mimicry: number[]; total: number[] };
  test: PytorchEpochMetrics;
  /** Present when the split has validation images. */
  val?: PytorchEpochMetrics;
  /** Test predictions per network (and of the ensemble), on the newest event of each run only. */
  predictions?: { peers: number[][]; ensemble?: number[] };
  lr: number;
  seconds?: number;
  imagesPerSec?: number;
}

export interface CohortFinal {
  ensemble: IqaMetrics;
  peers: IqaMetrics[];
}

export interface PytorchFinal {
  baseline?: IqaMetrics;
  dml?: CohortFinal;
  control?: CohortFinal;
}

export interface PytorchSplit {
  train: string[];
  val: string[];
  test: string[];
}

export interface PytorchRepeatResult {
  seed: number;
  split: PytorchSplit;
  history: PytorchEpochEvent[];
  final: PytorchFinal;
}

export const PAIRED_KEYS = ['dml_vs_baseline', 'dml_vs_control', 'peerA_vs_baseline'] as const;
export type PairedKey = (typeof PAIRED_KEYS)[number];


export interface PytorchResults {
  format: typeof PYTORCH_RESULTS_FORMAT;
  config: TrainConfig;
  control: boolean;
  split: PytorchSplit;
  history: PytorchEpochEvent[];
  final: PytorchFinal;
  repeats?: PytorchRepeatResult[];
  paired?: Partial<Record<PairedKey, PairedDifference>>;
  seconds?: number;
  producer?: { name?: string; torch?: string; device?: string; processes?: number };
}

export type ResultsCheck = { ok: true; results: PytorchResults } | { ok: false; reason: string; problems: string[] };

const MAX_PROBLEMS = 8;
const METRIC_KEYS = ['srcc', 'krcc', 'plcc', 'plccRaw', 'rmse'] as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const describe = (v: unknown) => (v === undefined ? 'missing' : `${JSON.stringify(v)?.slice(0, 40) ?? String(v)}`);

class Checker {
  readonly problems: string[] = [];

  bad(path: string, what: string, v: unknown): false {
    return this.say(v === undefined ? `${path} is missing` : `${path} ${what} (got ${describe(v)})`);
  }

  say(problem: string): false {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(problem);
    return false;
  }

  obj(v: unknown, path: string): v is Obj {
    return isObj(v) || this.bad(path, 'must be an object', v);
  }

  num(v: unknown, path: string, nullable = false): boolean {
    if (typeof v === 'number' && Number.isFinite(v)) return true;
    if (nullable && v === null) return true;
    return this.bad(path, nullable ? 'must be a number or null' : 'must be a number', v);
  }

  int(v: unknown, path: string, min: number, max = Infinity): boolean {
    return (Number.isInteger(v) && (v as number) >= min && (v as number) <= max) || this.bad(path, `must be a whole number in ${min}..${max}`, v);
  }

  names(v: unknown, path: string, nonEmpty: boolean): boolean {
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) return this.bad(path, 'must be a list of image names', v);
    return !nonEmpty || v.length > 0 || this.bad(path, 'must not be empty', v);
  }

  metrics(v: unknown, path: string, n?: number): boolean {
    if (!this.obj(v, path)) return false;
    let ok = true;
    for (const k of METRIC_KEYS) ok = this.num(v[k], `${path}.${k}`, true) && ok;
    ok = this.int(v.n, `${path}.n`, 0) && ok;
    if (ok && n !== undefined && v.n !== n) ok = this.bad(`${path}.n`, `must equal the ${n} test images of the split`, v.n);
    return ok;
  }

  epochMetrics(v: unknown, path: string, peers: number, n?: number): boolean {
    if (!this.obj(v, path)) return false;
    if (!Array.isArray(v.peers) || v.peers.length !== peers) return this.bad(`${path}.peers`, `must be a list of ${peers} networks' metrics`, v.peers);
    let ok = v.peers.every((m, k) => this.metrics(m, `${path}.peers[${k}]`, n));
    if (peers > 1) ok = this.metrics(v.ensemble, `${path}.ensemble`, n) && ok;
    return ok;
  }
}

const peersOf = (run: PytorchRunKind, c: TrainConfig) => (run === 'baseline' ? 1 : c.peers);

/** The config through the studio's one config schema (shape and types), then its ranges and combinations. */
function checkConfig(ck: Checker, v: unknown): v is TrainConfig {
  const read = readTrainConfig(v, 'config');
  for (const p of read.problems) ck.say(p.replace(/\.$/, ''));
  if (!read.config) return false;
  const values = configProblems(read.config);
  for (const p of values) ck.say(`config is not a valid experiment: ${p.replace(/\.$/, '')}`);
  return values.length === 0;
}

function checkSplit(ck: Checker, v: unknown, path: string): v is PytorchSplit {
  if (!ck.obj(v, path)) return false;
  return [ck.names(v.train, `${path}.train`, true), ck.names(v.val, `${path}.val`, false), ck.names(v.test, `${path}.test`, true)].every(Boolean);
}

function checkRun(ck: Checker, history: unknown, final: unknown, path: string, config: TrainConfig, runs: PytorchRunKind[], nTest: number): boolean {
  const at = (k: string) => (path ? `${path}.${k}` : k);
  let ok = true;
  if (!Array.isArray(history) || history.length === 0) return ck.bad(at('history'), 'must be a non-empty list of epoch rows', history);
  history.forEach((row, i) => {
    const p = `${at('history')}[${i}]`;
    if (!ck.obj(row, p)) return (ok = false);
    if (row.type !== 'epoch') ok = ck.bad(`${p}.type`, 'must be "epoch"', row.type);
    const run = row.run as PytorchRunKind;
    if (!runs.includes(run)) return (ok = ck.bad(`${p}.run`, `must be one of ${runs.join(', ')}`, row.run));
    const peers = peersOf(run, config);
    ok = ck.int(row.epoch, `${p}.epoch`, 1, config.epochs) && ok;
    if (ck.obj(row.trainLoss, `${p}.trainLoss`)) {
      for (const k of ['supervised', 'mimicry', 'total']) {
        const l = row.trainLoss[k];
        if (!Array.isArray(l) || l.length !== peers) ok = ck.bad(`${p}.trainLoss.${k}`, `must hold ${peers} value(s), one per network`, l);
        else ok = l.every((v, j) => ck.num(v, `${p}.trainLoss.${k}[${j}]`, true)) && ok;
      }
    } else ok = false;
    ok = ck.epochMetrics(row.test, `${p}.test`, peers, nTest) && ok;
    if (row.val !== undefined) ok = ck.epochMetrics(row.val, `${p}.val`, peers) && ok;
    ok = ck.num(row.lr, `${p}.lr`) && ok;
  });
  for (const run of runs)
    if (!history.some((r) => isObj(r) && r.run === run)) ok = ck.bad(at('history'), `has no epoch of the ${run} run`, history.length);
  if (!ck.obj(final, at('final'))) return false;
  for (const run of runs) {
    const p = at(`final.${run}`);
    if (run === 'baseline') ok = ck.metrics(final.baseline, p, nTest) && ok;
    else if (ck.obj(final[run], p)) ok = ck.epochMetrics(final[run], p, config.peers, nTest) && ok;
    else ok = false;
  }
  return ok;
}

function checkPaired(ck: Checker, v: unknown, repeats: number): boolean {
  if (!ck.obj(v, 'paired')) return false;
  let ok = true;
  for (const [key, d] of Object.entries(v)) {
    const p = `paired.${key}`;
    if (!(PAIRED_KEYS as readonly string[]).includes(key)) {
      ok = ck.bad('paired', `has an unknown comparison "${key}" (known: ${PAIRED_KEYS.join(', ')})`, key);
      continue;
    }
    if (!ck.obj(d, p)) {
      ok = false;
      continue;
    }
    if (d.metric !== 'srcc') ok = ck.bad(`${p}.metric`, 'must be "srcc"', d.metric);
    ok = ck.num(d.mean, `${p}.mean`, true) && ck.num(d.sd, `${p}.sd`, true) && ok;
    if (!Array.isArray(d.ci95) || d.ci95.length !== 2) ok = ck.bad(`${p}.ci95`, 'must be [low, high]', d.ci95);
    else ok = d.ci95.every((x, i) => ck.num(x, `${p}.ci95[${i}]`, true)) && ok;
    if (!Array.isArray(d.perRepeat) || d.perRepeat.length !== repeats) ok = ck.bad(`${p}.perRepeat`, `must hold one value per repeat (${repeats})`, d.perRepeat);
    else ok = d.perRepeat.every((x, i) => ck.num(x, `${p}.perRepeat[${i}]`, true)) && ok;
    ok = ck.int(d.wins, `${p}.wins`, 0, repeats) && ok;
  }
  return ok;
}

/** JSON's null for NaN back to NaN, in every metric and paired statistic. */
function nullToNaN<T>(v: T): T {
  if (v === null) return NaN as unknown as T;
  if (Array.isArray(v)) return v.map(nullToNaN) as unknown as T;
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, nullToNaN(x)])) as T;
  return v;
}

/** Whether `json` (parsed) is a results.json of the PyTorch export; the reason in words when it is not. */
export function checkPytorchResults(json: unknown): ResultsCheck {
  const ck = new Checker();
  const refuse = (): ResultsCheck => ({
    ok: false,
    problems: ck.problems,
    reason: `This is not a results file of the PyTorch export that the studio can read: ${ck.problems.join('; ')}.`,
  });
  if (!isObj(json)) {
    ck.bad('The file', 'must hold a JSON object', Array.isArray(json) ? '[…]' : json);
    return refuse();
  }
  if (json.format !== PYTORCH_RESULTS_FORMAT) {
    ck.bad('format', `must be "${PYTORCH_RESULTS_FORMAT}"`, json.format);
    return refuse();
  }
  if (!checkConfig(ck, json.config)) return refuse();
  const config = json.config;
  if (typeof json.control !== 'boolean') ck.bad('control', 'must be true or false', json.control);
  const runs: PytorchRunKind[] = [...(config.mode === 'both' ? (['baseline', 'dml'] as const) : [config.mode]), ...(json.control === true && config.mode !== 'baseline' ? (['control'] as const) : [])];
  if (!checkSplit(ck, json.split, 'split')) return refuse();
  checkRun(ck, json.history, json.final, '', config, runs, json.split.test.length);
  if (json.repeats !== undefined) {
    if (!Array.isArray(json.repeats) || json.repeats.length < 2) ck.bad('repeats', 'must be a list of 2 or more repeats when present', json.repeats);
    else
      json.repeats.forEach((r, i) => {
        const p = `repeats[${i}]`;
        if (!ck.obj(r, p)) return;
        ck.num(r.seed, `${p}.seed`);
        if (checkSplit(ck, r.split, `${p}.split`)) checkRun(ck, r.history, r.final, p, config, runs, r.split.test.length);
      });
  }
  if (json.paired !== undefined) {
    if (!Array.isArray(json.repeats)) ck.bad('paired', 'needs repeats (paired differences are over repeats)', json.paired);
    else checkPaired(ck, json.paired, json.repeats.length);
  }
  if (json.seconds !== undefined) ck.num(json.seconds, 'seconds');
  if (ck.problems.length) return refuse();
  return { ok: true, results: nullToNaN(json) as unknown as PytorchResults };
}
