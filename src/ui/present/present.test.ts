import { describe, expect, it } from 'vitest';
import { fmt3 } from './format';
import { keyAction, presentKeyOf } from './keys';
import { readPresentChoices, writePresentChoices } from './presentUrl';
import { peerBoxes } from './CohortDiagram';
import { initialRunState, runReducer } from '../run/runState';

describe('presentation choices in the address', () => {
  it('reads ?present and theme=light, dark by default', () => {
    expect(readPresentChoices('')).toEqual({ present: false, theme: 'dark' });
    expect(readPresentChoices('?present')).toEqual({ present: true, theme: 'dark' });
    expect(readPresentChoices('?demo&present&theme=light')).toEqual({ present: true, theme: 'light' });
    expect(readPresentChoices('?present=0')).toEqual({ present: false, theme: 'dark' });
    expect(readPresentChoices('?present&theme=purple').theme).toBe('dark');
  });

  it('writes them back, keeping the other parameters, and round-trips', () => {
    expect(writePresentChoices('?demo', { present: true, theme: 'light' })).toBe('?demo&present&theme=light');
    expect(writePresentChoices('?demo&present&theme=light', { present: false, theme: 'light' })).toBe('?demo');
    expect(writePresentChoices('?a=1&present', { present: true, theme: 'dark' })).toBe('?a=1&present');
    expect(writePresentChoices('', { present: false, theme: 'dark' })).toBe('');
    expect(writePresentChoices('', { present: true, theme: 'dark' })).toBe('?present');
    for (const c of [
      { present: true, theme: 'light' as const },
      { present: true, theme: 'dark' as const },
    ])
      expect(readPresentChoices(writePresentChoices('?demo', c))).toEqual(c);
  });
});

describe('presentation keys', () => {
  it('Space starts, pauses and resumes; nothing while stopping or when the run cannot start', () => {
    expect(keyAction('space', 'idle', true)).toBe('start');
    expect(keyAction('space', 'idle', false)).toBe('none');
    expect(keyAction('space', 'done', true)).toBe('start');
    expect(keyAction('space', 'training', true)).toBe('pause');
    expect(keyAction('space', 'ingesting', true)).toBe('pause');
    expect(keyAction('space', 'paused', true)).toBe('resume');
    expect(keyAction('space', 'stopping', true)).toBe('none');
  });

  it('→ steps when paused, pauses when training, starts paused and steps before a run', () => {
    expect(keyAction('step', 'paused', true)).toBe('step');
    expect(keyAction('step', 'training', true)).toBe('pause');
    expect(keyAction('step', 'idle', true)).toBe('startAndStep');
    expect(keyAction('step', 'idle', false)).toBe('none');
  });

  it('E finishes the epoch (or trains the first one); R resets anything but a fresh page', () => {
    expect(keyAction('epoch', 'training', true)).toBe('finishEpoch');
    expect(keyAction('epoch', 'paused', true)).toBe('finishEpoch');
    expect(keyAction('epoch', 'stopped', true)).toBe('startAndFinishEpoch');
    expect(keyAction('reset', 'training', true)).toBe('reset');
    expect(keyAction('reset', 'done', true)).toBe('reset');
    expect(keyAction('reset', 'stopping', true)).toBe('reset');
    expect(keyAction('reset', 'idle', true)).toBe('none');
  });

  it('maps keyboard keys, leaving shortcuts with modifiers to the browser', () => {
    expect(presentKeyOf({ key: ' ' })).toBe('space');
    expect(presentKeyOf({ key: 'ArrowRight' })).toBe('step');
    expect(presentKeyOf({ key: 'E' })).toBe('epoch');
    expect(presentKeyOf({ key: 'r' })).toBe('reset');
    expect(presentKeyOf({ key: 'r', ctrlKey: true })).toBeNull();
    expect(presentKeyOf({ key: 'ArrowLeft' })).toBeNull();
  });
});

describe('presentation pieces', () => {
  it('formats losses to three significant digits with a real minus sign', () => {
    expect(fmt3(0.045213)).toBe('0.0452');
    expect(fmt3(1.23456)).toBe('1.23');
    expect(fmt3(12.345)).toBe('12.3');
    expect(fmt3(2)).toBe('2');
    expect(fmt3(-0.5)).toBe('−0.5');
    expect(fmt3(undefined)).toBe('—');
    expect(fmt3(1234.5)).toBe('1235');
  });

  it('lays the peers out side by side without overlap, inside the drawing', () => {
    for (const k of [1, 2, 3, 5]) {
      const b = peerBoxes(k);
      expect(b).toHaveLength(k);
      b.forEach((x, i) => {
        expect(x.x).toBeGreaterThanOrEqual(0);
        expect(x.x + x.w).toBeLessThanOrEqual(1000);
        if (i > 0) expect(x.x).toBeGreaterThan(b[i - 1]!.x + b[i - 1]!.w);
      });
    }
  });

  it('the reset action forgets the run entirely', () => {
    const s = runReducer(initialRunState, { type: 'reset', runId: 'r', plan: { epochs: 2, runs: ['dml'], batchSize: 8 }, now: 0 });
    expect(s.status).toBe('starting');
    expect(runReducer(s, { type: 'clear' })).toEqual(initialRunState);
  });
});
