import { describe, expect, it } from 'vitest';
import { QUICK_DEMO } from '../../train/config';
import { checkPytorchResults, PYTORCH_RESULTS_FORMAT } from './results';

const metrics = (n: number, srcc = 0.5) => ({ srcc, krcc: 0.4, plcc: 0.6, plccRaw: 0.55, rmse: 0.8, n });

function row(run: string, epoch: number, peers: number, n: number) {
  const test: Record<string, unknown> = { peers: Array.from({ length: peers }, () => metrics(n)) };
  if (peers > 1) test.ensemble = metrics(n);
  const losses = Array.from({ length: peers }, () => 1.5);
  return { type: 'epoch', run, epoch, trainLoss: { supervised: losses, mimicry: losses, total: losses }, test, predictions: { peers: [] }, lr: 1e-3, seconds: 1, imagesPerSec: 80 };
}

function runResult(n: number) {
  const history = [1, 2].flatMap((e) => [row('baseline', e, 1, n), row('dml', e, 2, n), row('control', e, 2, n)]);
  const cohort = { ensemble: metrics(n), peers: [metrics(n), metrics(n)] };
  return {
    split: { train: ['a.png', 'b.png'], val: [], test: Array.from({ length: n }, (_, i) => `t${i}.png`) },
    history,
    final: { baseline: metrics(n), dml: cohort, control: cohort },
  };
}

/** A results.json as train.py writes it: two repeats, baseline + DML + control. */
function valid(): Record<string, any> {
  const r1 = runResult(3);
  const r2 = runResult(4);
  const paired = { metric: 'srcc', mean: 0.01, sd: 0.02, ci95: [-0.17, 0.19], perRepeat: [0.03, -0.01], wins: 1 };
  return {
    format: PYTORCH_RESULTS_FORMAT,
    producer: { name: 'DML-IQA Studio PyTorch export', torch: '1.13.0a0', device: 'cpu', processes: 2 },
    config: { ...QUICK_DEMO, epochs: 2 },
    control: true,
    ...r1,
    seconds: 12,
    repeats: [{ seed: 1, ...r1 }, { seed: 1, ...r2 }],
    paired: { dml_vs_baseline: paired, dml_vs_control: paired, peerA_vs_baseline: paired },
  };
}

function refusal(json: unknown): string {
  const r = checkPytorchResults(json);
  if (r.ok) throw new Error('accepted');
  return r.reason;
}

describe('checkPytorchResults', () => {
  it('accepts what train.py writes, with null metrics back to NaN', () => {
    const json = valid();
    json.history[0].test.peers[0].srcc = null;
    const r = checkPytorchResults(JSON.parse(JSON.stringify(json)));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.results.history[0]!.test.peers[0]!.srcc).toBeNaN();
      expect(r.results.repeats).toHaveLength(2);
      expect(r.results.paired?.dml_vs_control?.ci95).toEqual([-0.17, 0.19]);
    }
  });

  it('says which key is missing or wrong', () => {
    const cases: [(j: Record<string, any>) => unknown, RegExp][] = [
      [() => [1, 2], /The file must hold a JSON object/],
      [(j) => ({ ...j, format: undefined }), /format is missing/],
      [(j) => ({ ...j, format: 'dml-iqa-results/7' }), /format must be "dml-iqa-pytorch-results\/1" \(got "dml-iqa-results\/7"\)/],
      [(j) => ((j.config.epochs = 'two'), j), /config: "epochs" must be a number \(got "two"\)/],
      [(j) => ((j.config.peers = 1), j), /config is not a valid experiment: Number of peers must be a whole number ≥ 2/],
      [(j) => (delete j.history[1].test.peers, j), /history\[1\]\.test\.peers is missing/],
      [(j) => ((j.history[0].run = 'teacher'), j), /history\[0\]\.run must be one of baseline, dml, control \(got "teacher"\)/],
      [(j) => ((j.history = j.history.filter((r: { run: string }) => r.run !== 'control')), j), /history has no epoch of the control run/],
      [(j) => ((j.history[4].trainLoss.total = [1]), j), /history\[4\]\.trainLoss\.total must hold 2 value\(s\), one per network/],
      [(j) => (delete j.final.control, j), /final\.control is missing/],
      [(j) => ((j.final.baseline.n = 9), j), /final\.baseline\.n must equal the 3 test images of the split \(got 9\)/],
      [(j) => ((j.split.test = []), j), /split\.test must not be empty/],
      [(j) => (delete j.repeats[1].final.dml.ensemble, j), /repeats\[1\]\.final\.dml\.ensemble is missing/],
      [(j) => ((j.paired.dml_vs_baseline.perRepeat = [0.1]), j), /paired\.dml_vs_baseline\.perRepeat must hold one value per repeat \(2\)/],
      [(j) => ((j.paired.teacher_vs_student = {}), j), /paired has an unknown comparison "teacher_vs_student"/],
      [(j) => (delete j.repeats, j), /paired needs repeats/],
    ];
    for (const [mutate, message] of cases) expect(refusal(mutate(valid()))).toMatch(message);
  });

  it('does not ask for a control run the config does not have', () => {
    const json = valid();
    json.control = false;
    for (const r of [json, ...json.repeats]) {
      r.history = r.history.filter((e: { run: string }) => e.run !== 'control');
      delete r.final.control;
    }
    delete json.paired.dml_vs_control;
    expect(checkPytorchResults(json).ok).toBe(true);
  });
});
