/**
 * The cohort, drawn: the batch, each peer on its view of it (peer A the image, peer B its
 * mirror, alternating for K > 2), each peer's predictions against the MOS, and the loss terms
 * as edges carrying the latest step's values: supervised (peer → MOS) and mimicry (between
 * peers, weighted by λ).
 */
import { peerLetter, type StepEvent } from '../../core/train/history';
import { fmt3 } from './format';
import type { Palette } from './palette';

interface Props {
  /** The latest step of the cohort drawn (DML's, or the baseline's when it trains alone). */
  step: StepEvent | undefined;
  /** Networks in the cohort (1 for the baseline). */
  peers: number;
  /** λ shown on the mimicry edge (the step's own when it has one). */
  lambda: number;
  palette: Palette;
  /** Object URLs of the batch's images, by file name. */
  thumbs: ReadonlyMap<string, string>;
}

const W = 1000;
const H = 660;
const BATCH_Y = 8;
const THUMB = 64;
const BOX_Y = 216;
const BOX_H = 244;
const MOS_Y = 552;

/** Where each peer's box goes: spread across the width, with room for the mimicry labels between. */
export function peerBoxes(k: number): { x: number; w: number }[] {
  const gap = k === 1 ? 0 : k === 2 ? 240 : 40;
  const margin = k === 1 ? 300 : 24;
  const w = (W - 2 * margin - gap * (k - 1)) / k;
  return Array.from({ length: k }, (_, i) => ({ x: margin + i * (w + gap), w }));
}

/** Peer k's view and head, as the cohort builds them (kept here: the cohort's module pulls in TF.js). Even peers: the image, He; odd: its mirror, Xavier. */
function peerSpec(k: number): { flipped: boolean; headInit: 'he' | 'xavier' } {
  return { flipped: k % 2 === 1, headInit: k % 2 === 0 ? 'he' : 'xavier' };
}

/** Mean squared difference of two equal-length lists. */
function msd(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s / a.length;
}

export function CohortDiagram({ step, peers, lambda, palette, thumbs }: Props) {
  const K = step?.losses.total.length ?? peers;
  const boxes = peerBoxes(K);
  const batch = step?.batch;
  const files = batch?.files ?? [];
  const shown = Math.min(files.length || batch?.mos.length || 0, 10);
  // One scale for every strip: the batch's MOS and every prediction shown.
  const values = batch ? [...batch.mos, ...batch.preds.flat(), ...(batch.before?.flat() ?? []), ...(batch.after?.flat() ?? [])].filter(Number.isFinite) : [];
  const lo = values.length ? Math.min(...values) : 0;
  const hi = values.length ? Math.max(...values) : 1;
  const pad = (hi - lo) * 0.08 || 0.5;
  const sx = (v: number, x0: number, w: number) => x0 + ((v - (lo - pad)) / (hi - lo + 2 * pad)) * w;
  const lam = step?.lambda ?? lambda;
  const c = palette;
  const first = files[0] ? thumbs.get(files[0]) : undefined;
  const summary = step
    ? `Step ${step.globalStep} of the ${K === 1 ? 'baseline' : `cohort of ${K} peers`}, λ ${fmt3(lam)}. ` +
      Array.from({ length: K }, (_, k) => `Peer ${peerLetter(k)}: supervised ${fmt3(step.losses.supervised[k])}, mimicry ${fmt3(step.losses.mimicry[k])}, total ${fmt3(step.losses.total[k])}.`).join(' ')
    : `A cohort of ${K} network${K === 1 ? '' : 's'}; no step has run yet.`;

  /** A strip: one axis, the MOS as hollow ticks, the predictions as dots (before → after on a single step). */
  const strip = (x0: number, w: number, y: number, k: number | null) => {
    if (!batch) return null;
    const color = k === null ? c.text : c.peer(k);
    return (
      <g>
        <line x1={x0} x2={x0 + w} y1={y} y2={y} stroke={c.axis} strokeWidth={2} />
        {batch.mos.slice(0, shown).map((m, i) => {
          const xm = sx(m, x0, w);
          if (k === null) return <circle key={i} cx={xm} cy={y} r={7} fill="none" stroke={c.text} strokeWidth={2.5} />;
          const before = batch.before?.[k]?.[i];
          const p = batch.after?.[k]?.[i] ?? batch.preds[k]?.[i];
          if (p === undefined) return null;
          const xp = sx(p, x0, w);
          return (
            <g key={i}>
              <line x1={xm} x2={xp} y1={y} y2={y - 14} stroke={color} strokeOpacity={0.6} strokeWidth={2} />
              <circle cx={xm} cy={y} r={5} fill="none" stroke={c.muted} strokeWidth={2} />
              {before !== undefined && <circle cx={sx(before, x0, w)} cy={y - 14} r={6} fill="none" stroke={color} strokeWidth={2} strokeDasharray="3 2" />}
              <circle cx={xp} cy={y - 14} r={6} fill={color} />
            </g>
          );
        })}
      </g>
    );
  };

  return (
    <svg className="cohort-diagram" viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Cohort diagram" data-step={step?.globalStep ?? 0} preserveAspectRatio="xMidYMid meet">
      <desc>{summary}</desc>
      <defs>
        <marker id="cd-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M0,0 L10,5 L0,10 z" fill={c.muted} />
        </marker>
      </defs>

      {/* The batch: its images and their MOS. */}
      <text x={24} y={BATCH_Y + 26} className="cd-title" fill={c.text}>
        Batch x
      </text>
      {shown > 0 ? (
        Array.from({ length: shown }, (_, i) => {
          const x = 170 + i * (THUMB + 14);
          const url = files[i] ? thumbs.get(files[i]!) : undefined;
          return (
            <g key={i}>
              {url ? (
                <image href={url} x={x} y={BATCH_Y} width={THUMB} height={THUMB} preserveAspectRatio="xMidYMid slice" />
              ) : (
                <rect x={x} y={BATCH_Y} width={THUMB} height={THUMB} fill="none" stroke={c.grid} />
              )}
              <text x={x + THUMB / 2} y={BATCH_Y + THUMB + 24} textAnchor="middle" className="cd-small" fill={c.text}>
                {batch!.mos[i]!.toFixed(2)}
              </text>
            </g>
          );
        })
      ) : (
        <text x={170} y={BATCH_Y + 30} className="cd-small" fill={c.muted}>
          {step ? 'batch images: Step (→) or Present mode shows them' : 'the batch appears after the first step'}
        </text>
      )}
      {shown > 0 && (
        <text x={24} y={BATCH_Y + THUMB + 24} className="cd-small" fill={c.muted}>
          MOS
        </text>
      )}

      {boxes.map((b, k) => {
        const spec = peerSpec(k);
        const color = c.peer(k);
        const cx = b.x + b.w / 2;
        const view = spec.flipped ? 'flip(x)' : 'x';
        return (
          <g key={k}>
            {/* What the peer sees: the batch, or its mirror. */}
            <line x1={cx} x2={cx} y1={BATCH_Y + THUMB + 36} y2={BOX_Y - 4} stroke={c.muted} strokeWidth={2.5} markerEnd="url(#cd-arrow)" />
            <text x={cx + 10} y={BATCH_Y + THUMB + 66} className="cd-label" fill={c.text}>
              {view}
            </text>
            {first && (
              <g transform={spec.flipped ? `translate(${cx - 62 + 48}, ${BATCH_Y + THUMB + 40}) scale(-1, 1)` : `translate(${cx - 62}, ${BATCH_Y + THUMB + 40})`}>
                <image href={first} x={0} y={0} width={48} height={48} preserveAspectRatio="xMidYMid slice" />
              </g>
            )}
            <rect x={b.x} y={BOX_Y} width={b.w} height={BOX_H} rx={14} fill="none" stroke={color} strokeWidth={4} />
            <text x={b.x + 16} y={BOX_Y + 38} className="cd-title" fill={color}>
              {K === 1 ? 'Baseline' : `Peer ${peerLetter(k)}`}
            </text>
            <text x={b.x + 16} y={BOX_Y + 68} className="cd-small" fill={c.muted}>
              sees {view} · {spec.headInit === 'he' ? 'He' : 'Xavier'} head
            </text>
            {strip(b.x + 20, b.w - 40, BOX_Y + 118, k)}
            {step && (
              <>
                <text x={b.x + 16} y={BOX_Y + 156} className="cd-label" fill={c.text}>
                  total {fmt3(step.losses.total[k])}
                </text>
                {/* One line each, below the total: the mimicry term (K > 2), the gradient norm, the batch's error before → after a single step. */}
                {[
                  K > 2 ? `mimicry ${fmt3(step.losses.mimicry[k])}` : null,
                  batch ? `‖∇‖ ${fmt3(batch.gradNorm[k])}` : null,
                  batch?.before && batch.after ? `MSE ${fmt3(msd(batch.before[k]!, batch.mos))} → ${fmt3(msd(batch.after[k]!, batch.mos))}` : null,
                ]
                  .filter((t): t is string => t !== null)
                  .map((t, i) => (
                    <text key={i} x={b.x + 16} y={BOX_Y + 184 + i * 26} className="cd-small" fill={i === 0 && K > 2 ? c.text : c.muted}>
                      {t}
                    </text>
                  ))}
              </>
            )}
            {/* Supervised term: the peer against the MOS. */}
            <line x1={cx} x2={W / 2 + (cx - W / 2) * 0.35} y1={BOX_Y + BOX_H} y2={MOS_Y - 6} stroke={color} strokeWidth={3} markerEnd="url(#cd-arrow)" />
            <text
              x={(cx + W / 2 + (cx - W / 2) * 0.35) / 2 + (k < (K - 1) / 2 ? -14 : 14)}
              y={BOX_Y + BOX_H + 46}
              textAnchor={k < (K - 1) / 2 ? 'end' : 'start'}
              className={K > 2 ? 'cd-small' : 'cd-label'}
              fill={c.text}
            >
              supervised {step ? fmt3(step.losses.supervised[k]) : ''}
            </text>
            {K > 2 && k > 0 && (
              <line x1={boxes[k - 1]!.x + boxes[k - 1]!.w} x2={b.x} y1={BOX_Y + BOX_H / 2} y2={BOX_Y + BOX_H / 2} stroke={c.muted} strokeWidth={2.5} strokeDasharray="6 4" />
            )}
          </g>
        );
      })}

      {K === 2 && (
        <g>
          <line
            x1={boxes[0]!.x + boxes[0]!.w + 6}
            x2={boxes[1]!.x - 6}
            y1={BOX_Y + BOX_H / 2}
            y2={BOX_Y + BOX_H / 2}
            stroke={c.muted}
            strokeWidth={3}
            strokeDasharray="8 5"
            markerStart="url(#cd-arrow)"
            markerEnd="url(#cd-arrow)"
          />
          {/* With two peers both mimicry terms are the same MSE, so one value (two if they ever differ in print). */}
          <text x={W / 2} y={BOX_Y + BOX_H / 2 - 44} textAnchor="middle" className="cd-label" fill={c.text}>
            mimicry{step && fmt3(step.losses.mimicry[0]) === fmt3(step.losses.mimicry[1]) ? ` ${fmt3(step.losses.mimicry[0])}` : ''}
          </text>
          <text x={W / 2} y={BOX_Y + BOX_H / 2 - 14} textAnchor="middle" className="cd-small" fill={c.text}>
            {step && fmt3(step.losses.mimicry[0]) !== fmt3(step.losses.mimicry[1])
              ? `A ${fmt3(step.losses.mimicry[0])} · B ${fmt3(step.losses.mimicry[1])}`
              : 'MSE to sg(peer)'}
          </text>
          <text x={W / 2} y={BOX_Y + BOX_H / 2 + 36} textAnchor="middle" className="cd-lambda" fill={c.text}>
            × λ = {fmt3(lam)}
          </text>
          {batch && K === 2 && (
            <text x={W / 2} y={BOX_Y + BOX_H / 2 + 68} textAnchor="middle" className="cd-small" fill={c.muted}>
              sg: no gradient
            </text>
          )}
        </g>
      )}
      {K > 2 && (
        <g>
          <text x={24} y={MOS_Y + 30} className="cd-small" fill={c.text}>
            mimicry: mean MSE to
          </text>
          <text x={24} y={MOS_Y + 56} className="cd-small" fill={c.text}>
            sg(every other peer)
          </text>
          <text x={24} y={MOS_Y + 90} className="cd-lambda" fill={c.text}>
            × λ = {fmt3(lam)}
          </text>
        </g>
      )}

      {/* The labels. */}
      <rect x={W / 2 - 220} y={MOS_Y} width={440} height={96} rx={14} fill="none" stroke={c.text} strokeWidth={3} />
      <text x={W / 2 - 204} y={MOS_Y + 34} className="cd-title" fill={c.text}>
        MOS y
      </text>
      {batch ? (
        <>
          {strip(W / 2 - 200, 400, MOS_Y + 62, null)}
          <text x={W / 2 - 200} y={MOS_Y + 90} textAnchor="start" className="cd-small" fill={c.muted}>
            {fmt3(lo - pad)}
          </text>
          <text x={W / 2 + 200} y={MOS_Y + 90} textAnchor="end" className="cd-small" fill={c.muted}>
            {fmt3(hi + pad)}
          </text>
          <text x={W / 2 + 204} y={MOS_Y + 34} textAnchor="end" className="cd-small" fill={c.muted}>
            ○ MOS · ● prediction
          </text>
        </>
      ) : (
        <text x={W / 2 - 90} y={MOS_Y + 34} className="cd-small" fill={c.muted}>
          the batch's opinion scores
        </text>
      )}
      {step && K > 1 && (
        <text x={W - 24} y={MOS_Y + 34} textAnchor="end" className="cd-small" fill={c.muted}>
          L = sup + λ·mim
        </text>
      )}
    </svg>
  );
}
