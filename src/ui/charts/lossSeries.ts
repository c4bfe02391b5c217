/**
 * Training loss per step, per run and network (the chart's buffer, not the run's history), kept outside React state: steps arrive in
 * batches ~10 times a second and only a downsampled view is ever drawn.
 */
import { RUN_KINDS, type RunKind, type StepEvent } from '../../core/train/history';
import { downsampleMinMax } from './downsample';

export interface LossPoint {
  /** Global step of the run, 1-based. */
  step: number;
  supervised: number;
  mimicry: number;
  total: number;
  /** Bias-corrected exponential moving averages (as TensorBoard smooths). */
  supervisedEma: number;
  mimicryEma: number;
  totalEma: number;
}

/** EMA weight of the past: 0.9 ≈ a window of ten steps. */
export const SMOOTHING = 0.9;

class NetSeries {
  readonly points: LossPoint[] = [];
  /** The last downsampled view and what it was made from: an unchanged network keeps its array, so its chart skips the redraw. */
  private shown: { length: number; maxPoints: number; points: LossPoint[] } | null = null;

  view(maxPoints: number): LossPoint[] {
    const s = this.shown;
    if (s && s.length === this.points.length && s.maxPoints === maxPoints) return s.points;
    const points = downsampleMinMax(this.points, maxPoints, (p) => p.total);
    this.shown = { length: this.points.length, maxPoints, points };
    return points;
  }

  private acc = { supervised: 0, mimicry: 0, total: 0 };
  private weight = 0;

  add(step: number, supervised: number, mimicry: number, total: number): void {
    const a = SMOOTHING;
    // A NaN would poison the average forever: keep the raw NaN visible, leave the EMA where it was.
    const ok = Number.isFinite(supervised) && Number.isFinite(mimicry) && Number.isFinite(total);
    if (ok) {
      this.acc.supervised = a * this.acc.supervised + (1 - a) * supervised;
      this.acc.mimicry = a * this.acc.mimicry + (1 - a) * mimicry;
      this.acc.total = a * this.acc.total + (1 - a) * total;
      this.weight = a * this.weight + (1 - a);
    }
    const w = this.weight || 1;
    this.points.push({
      step,
      supervised,
      mimicry,
      total,
      supervisedEma: this.acc.supervised / w,
      mimicryEma: this.acc.mimicry / w,
      totalEma: this.acc.total / w,
    });
  }
}

export class StepLossSeries {
  private readonly runs = new Map<RunKind, NetSeries[]>();

  add(steps: readonly StepEvent[]): void {
    for (const s of steps) {
      let nets = this.runs.get(s.run);
      if (!nets) this.runs.set(s.run, (nets = []));
      const k = s.losses.total.length;
      while (nets.length < k) nets.push(new NetSeries());
      for (let i = 0; i < k; i++)
        nets[i]!.add(s.globalStep, s.losses.supervised[i]!, s.losses.mimicry[i]!, s.losses.total[i]!);
    }
  }

  clear(): void {
    this.runs.clear();
  }

  /** Steps recorded so far for a run. */
  count(run: RunKind): number {
    return this.runs.get(run)?.[0]?.points.length ?? 0;
  }

  /** The drawable view: per run, per network, at most maxPoints points (the same array as last time for a network without new steps). */
  view(maxPoints = 500): { run: RunKind; net: number; points: LossPoint[] }[] {
    const out: { run: RunKind; net: number; points: LossPoint[] }[] = [];
    for (const run of RUN_KINDS) this.runs.get(run)?.forEach((s, net) => out.push({ run, net, points: s.view(maxPoints) }));
    return out;
  }
}

/** Tops whose quarter is a round number, so the four tick steps read cleanly. */
const NICE = [1, 1.2, 1.6, 2, 2.4, 3.2, 4, 6, 8, 10];

/**
 * A y range that shows the curve, not the first few huge steps: the 98th percentile of the
 * raw totals, rounded up to a nice top. Spikes above it are clipped.
 */
export function lossAxisTop(series: LossPoint[][]): number {
  const all = series.flatMap((s) => s.map((p) => p.total)).filter(Number.isFinite).sort((a, b) => a - b);
  if (all.length === 0) return 1;
  const q = all[Math.min(all.length - 1, Math.floor(all.length * 0.98))]! * 1.05;
  if (!(q > 0)) return 1;
  const decade = Math.pow(10, Math.floor(Math.log10(q)));
  return NICE.find((m) => m * decade >= q * (1 - 1e-9))! * decade;
}
