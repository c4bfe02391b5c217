/**
 * Presentation mode: one screen for a lecture hall. The cohort diagram, the live charts and the
 * results in large type; the data and experiment setup hidden. Keys: Space starts or
 * pauses/resumes, → runs one training step, E finishes the epoch then pauses, R resets.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { RUN_NAMES, type RunKind, type StepEvent } from '../../core/train/history';
import type { DatasetFile } from '../../worker/protocol';
import { epochsByKind } from '../charts/networks';
import type { StepLossSeries } from '../charts/lossSeries';
import { isActive, progressOf, type RunState } from '../run/runState';
import { CohortDiagram } from './CohortDiagram';
import { fmt3 } from './format';
import { keyAction, presentKeyOf, type PresentAction, type PresentKey } from './keys';
import { paletteOf } from './palette';
import { LossChart, PresentResults, SrccChart } from './PresentCharts';
import type { PresentTheme } from './presentUrl';
import './present.css';

export interface PresentControls {
  start: () => void;
  pause: () => void;
  resume: () => void;
  step: () => void;
  finishEpoch: () => void;
  reset: () => void;
  setLambda: (lambda: number) => void;
}

interface Props {
  state: RunState;
  loss: StepLossSeries;
  lossVersion: number;
  controls: PresentControls;
  /** Why Start cannot be pressed now (no data, bad settings), or null. */
  blocked: string | null;
  /** The experiment's λ and cohort size (before a run, and for the next one). */
  lambda: number;
  peers: number;
  mode: 'baseline' | 'dml' | 'both';
  /** The λ slider before a run sets the experiment's λ. */
  onConfigLambda: (lambda: number) => void;
  files: readonly DatasetFile[];
  /** A dataset is loading, or none is: offer the demo. */
  onDemo: () => void;
  theme: PresentTheme;
  onTheme: (t: PresentTheme) => void;
  onExit: () => void;
}

const STATUS: Record<RunState['status'], string> = {
  idle: 'Ready',
  starting: 'Starting…',
  ingesting: 'Reading images…',
  measuring: 'Choosing the backend…',
  training: 'Training',
  paused: 'Paused',
  stopping: 'Stopping…',
  done: 'Finished',
  stopped: 'Stopped',
  error: 'Stopped by an error',
};

/** Object URLs for the files named, made once per file and freed when the view goes. */
function useThumbs(files: readonly DatasetFile[], wanted: readonly string[]): ReadonlyMap<string, string> {
  const cache = useRef(new Map<string, string>());
  const byPath = useMemo(() => new Map(files.map((f) => [f.path, f.file])), [files]);
  const [, bump] = useState(0);
  useEffect(() => {
    let made = false;
    for (const f of wanted) {
      if (cache.current.has(f)) continue;
      const blob = byPath.get(f);
      if (!blob) continue;
      cache.current.set(f, URL.createObjectURL(blob));
      made = true;
    }
    if (made) bump((v) => v + 1);
  }, [wanted, byPath]);
  useEffect(() => {
    const c = cache.current;
    return () => {
      c.forEach((u) => URL.revokeObjectURL(u));
      c.clear();
    };
  }, [byPath]);
  return cache.current;
}

/** The chart labels' size in px: about 2% of the window's height, as the page's type (CSS) is. */
function useChartFontSize(): number {
  const of = () => Math.round(Math.min(28, Math.max(13, window.innerHeight * 0.02)));
  const [px, setPx] = useState(of);
  useEffect(() => {
    const h = () => setPx(of());
    window.addEventListener('resize', h);
    return () => window.removeEventListener('resize', h);
  }, []);
  return px;
}

/** The step the diagram draws: DML's latest, else the baseline's (a baseline-only run). */
function diagramStep(state: RunState): StepEvent | undefined {
  return state.lastStep.dml ?? state.lastStep.baseline;
}

export function PresentView(p: Props) {
  const { state } = p;
  const palette = paletteOf(p.theme);
  const progress = progressOf(state);
  const active = isActive(state.status);
  const step = diagramStep(state);
  const wanted = useMemo(() => step?.batch?.files ?? [], [step]);
  const thumbs = useThumbs(p.files, wanted);
  const epochs = useMemo(() => epochsByKind(state.history), [state.history]);
  const [finishing, setFinishing] = useState(false);
  const chartFont = useChartFontSize();
  // λ the page asked for during this run (the steps report the λ they used).
  const [asked, setAsked] = useState<number | null>(null);
  const runsDml = state.plan ? state.plan.runs.includes('dml') : p.mode !== 'baseline';
  const cohortSize = step?.losses.total.length ?? (p.mode === 'baseline' ? 1 : p.peers);
  const liveLambda = state.lastStep.dml?.lambda;
  const lambda = active ? (asked ?? liveLambda ?? p.lambda) : p.lambda;

  useEffect(() => {
    if (state.status !== 'training') setFinishing(false);
  }, [state.status]);
  useEffect(() => {
    if (!active) setAsked(null);
  }, [active]);

  const run = (a: PresentAction) => {
    const c = p.controls;
    switch (a) {
      case 'start':
        return c.start();
      case 'startAndStep':
        c.start();
        c.pause();
        return c.step();
      case 'startAndFinishEpoch':
        c.start();
        setFinishing(true);
        return c.finishEpoch();
      case 'pause':
        return c.pause();
      case 'resume':
        return c.resume();
      case 'step':
        return c.step();
      case 'finishEpoch':
        setFinishing(true);
        return c.finishEpoch();
      case 'reset':
        setFinishing(false);
        return c.reset();
      case 'none':
        return;
    }
  };
  const act = (key: PresentKey) => run(keyAction(key, state.status, p.blocked === null));
  // The latest handler, for the one keydown listener.
  const onKey = useRef(act);
  onKey.current = act;
  useEffect(() => {
    const h = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      const key = presentKeyOf(e);
      if (!key || e.repeat) return;
      // Typing in a field is not a command, nor are the λ slider's own arrow keys (Space, E and R still are).
      if (t?.closest('select, textarea, [contenteditable="true"]')) return;
      if (t instanceof HTMLInputElement && (t.type !== 'range' || key === 'step')) return;
      e.preventDefault();
      onKey.current(key);
    };
    window.addEventListener('keydown', h);
    return () => window.removeEventListener('keydown', h);
  }, []);

  const setLambda = (v: number) => {
    if (active) {
      setAsked(v);
      p.controls.setLambda(v);
    } else p.onConfigLambda(v);
  };

  const spaceAction = keyAction('space', state.status, p.blocked === null);
  const spaceLabel = spaceAction === 'pause' ? 'Pause' : spaceAction === 'resume' ? 'Resume' : 'Start';
  const runs: RunKind[] = state.plan?.runs ?? [];
  const stepsPerRepeat = (progress?.stepsPerEpoch ?? 0) * runs.length;
  const pendingLambda = active && asked !== null && liveLambda !== asked;

  return (
    <div className="present" data-theme={p.theme}>
      <header className="present__bar">
        <h1>
          Deep Mutual Learning <span className="muted">for image quality</span>
        </h1>
        <p className="present__status" role="status" aria-live="polite" data-status={state.status}>
          <span className={`dot dot--${state.status}`} aria-hidden="true" />
          {finishing && state.status === 'training' ? 'Training to the end of the epoch' : STATUS[state.status]}
        </p>
        <p
          className="present__progress"
          data-testid="present-progress"
          data-steps={progress?.done ?? 0}
          data-steps-per-epoch={progress?.stepsPerEpoch ?? 0}
          data-runs={runs.length}
          data-epoch-steps={stepsPerRepeat}
        >
          {progress && progress.stepsPerEpoch > 0 ? (
            <>
              epoch {progress.epoch} / {progress.epochs} · step {progress.step} / {progress.stepsPerEpoch}
              {progress.run && runs.length > 1 ? ` · ${RUN_NAMES[progress.run]}` : ''} · {progress.done} steps
            </>
          ) : (
            'no steps yet'
          )}
        </p>
        <div className="present__buttons" role="group" aria-label="Presentation controls">
          <button type="button" className="primary" onClick={() => run(spaceAction)} disabled={spaceAction === 'none'} aria-keyshortcuts="Space">
            {spaceLabel} <kbd>Space</kbd>
          </button>
          <button type="button" aria-label="Step" aria-keyshortcuts="ArrowRight" onClick={() => act('step')} disabled={keyAction('step', state.status, p.blocked === null) === 'none'}>
            Step <kbd>→</kbd>
          </button>
          <button type="button" aria-label="Finish epoch" aria-keyshortcuts="E" onClick={() => act('epoch')} disabled={keyAction('epoch', state.status, p.blocked === null) === 'none'}>
            Finish epoch <kbd>E</kbd>
          </button>
          <button type="button" aria-label="Reset" aria-keyshortcuts="R" onClick={() => act('reset')} disabled={state.status === 'idle'}>
            Reset <kbd>R</kbd>
          </button>
          <button type="button" aria-pressed={p.theme === 'light'} onClick={() => p.onTheme(p.theme === 'light' ? 'dark' : 'light')}>
            Light theme
          </button>
          <button type="button" onClick={p.onExit}>
            Exit presentation
          </button>
        </div>
      </header>
      {p.blocked && !active && (
        <p className="present__blocked">
          {p.blocked}{' '}
          <button type="button" className="link-button" onClick={p.onDemo}>
            Load the demo set
          </button>
        </p>
      )}
      {state.error && <p className="present__blocked">{state.error.message}</p>}
      <main className="present__main">
        <section className="present__cohort" aria-label="The cohort">
          <CohortDiagram step={step} peers={cohortSize} lambda={lambda} palette={palette} thumbs={thumbs} />
          <div className="present__lambda">
            <label htmlFor="present-lambda">
              λ <span className="muted">mimicry weight</span>
            </label>
            <input
              id="present-lambda"
              type="range"
              min={0}
              max={3}
              step={0.05}
              value={lambda}
              disabled={!runsDml}
              onChange={(e) => setLambda(Number(e.target.value))}
              // Dragged with the mouse: give the keys back to the presentation (→ steps again).
              onPointerUp={(e) => e.currentTarget.blur()}
              aria-valuetext={fmt3(lambda)}
            />
            <output htmlFor="present-lambda">{lambda.toFixed(2)}</output>
            <span className="muted">{pendingLambda ? 'from the next step' : active ? 'applies from the next step' : 'for the next run'}</span>
          </div>
        </section>
        <section className="present__charts" aria-label="Live charts">
          <SrccChart epochs={epochs} planned={state.plan?.epochs ?? 1} palette={palette} fontSize={chartFont} />
          <LossChart loss={p.loss} version={p.lossVersion} palette={palette} fontSize={chartFont} />
          <PresentResults history={state.history} palette={palette} />
        </section>
      </main>
    </div>
  );
}
