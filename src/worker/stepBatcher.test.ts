import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StepEvent } from '../core/train/history';
import { StepBatcher } from './stepBatcher';

const step = (i: number): StepEvent => ({
  type: 'step',
  run: 'baseline',
  epoch: 0,
  step: i,
  stepsPerEpoch: 1000,
  globalStep: i + 1,
  losses: { supervised: [1], mimicry: [0], total: [1] },
  imagesPerSec: 100,
  lr: 1e-3,
});

afterEach(() => vi.useRealTimers());

describe('StepBatcher', () => {
  it('sends at most one batch per interval, every step exactly once and in order', () => {
    vi.useFakeTimers();
    let now = 0;
    const sent: { at: number; steps: number[] }[] = [];
    const b = new StepBatcher((s) => sent.push({ at: now, steps: s.map((e) => e.step) }), 100, () => now);
    // 1000 steps, one every 3 ms: 3 s of training.
    for (let i = 0; i < 1000; i++) {
      b.push(step(i));
      now += 3;
      vi.advanceTimersByTime(3);
    }
    b.flush();
    const gaps = sent.slice(1).map((s, i) => s.at - sent[i]!.at);
    expect(Math.min(...gaps.slice(0, -1))).toBeGreaterThanOrEqual(99);
    expect(sent.length).toBeLessThanOrEqual(3000 / 100 + 2);
    expect(sent.flatMap((s) => s.steps)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('sends a lone step at once, and leftovers by timer without a flush', () => {
    vi.useFakeTimers();
    let now = 0;
    const sent: number[][] = [];
    const b = new StepBatcher((s) => sent.push(s.map((e) => e.step)), 100, () => now);
    b.push(step(0));
    expect(sent).toEqual([[0]]);
    now = 10;
    b.push(step(1));
    now = 20;
    b.push(step(2));
    expect(sent.length).toBe(1);
    now = 100;
    vi.advanceTimersByTime(100);
    expect(sent).toEqual([[0], [1, 2]]);
  });

  it('takes several steps in one push (the page feeding its loss charts), and discard drops what waits without sending it', () => {
    vi.useFakeTimers();
    let now = 0;
    const sent: number[][] = [];
    const b = new StepBatcher((s) => sent.push(s.map((e) => e.step)), 1000, () => now);
    b.push(step(0), step(1));
    expect(sent).toEqual([[0, 1]]);
    now = 300;
    b.push(step(2), step(3));
    b.discard();
    now = 1500;
    vi.advanceTimersByTime(1500);
    expect(sent).toEqual([[0, 1]]);
    b.push(step(4));
    expect(sent).toEqual([[0, 1], [4]]);
    vi.useRealTimers();
  });
});
