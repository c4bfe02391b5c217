/**
 * Your photos → an IQA set: each photo (a centred square) distorted by the chosen types at
 * five levels, scored by the demo's MS-SSIM formula, offered as a KADID-layout zip or loaded
 * as the current dataset. The scores are a formula: the panel says so wherever they appear.
 */
import { memo, useRef, useState } from 'react';
import {
  DEMO_TYPE_IDS,
  DISTORTIONS,
  kadidZip,
  LEVELS,
  makeIqaSet,
  mosCsv,
  msssimScales,
  plannedImages,
  SCORE_FILE,
  SynthCancelled,
  type SynthSet,
  type SynthSource,
} from '../../core/synth';
import type { DatasetFile } from '../../worker/protocol';
import { Bar } from '../common/Bar';
import { downloadBlob } from '../common/download';
import { ErrorBox } from '../common/ErrorBox';
import { ProxyNote } from '../common/ProxyNote';
import type { Folder } from '../data/useDataset';
import { canvasJpeg, loadPhoto } from './canvasImages';

interface Props {
  /** Make the set the current dataset (its images as the folder, its mos.csv as the score file). */
  onUse: (folder: Folder, scoreFile: File) => void;
  locked: boolean;
}

const SIZES = [128, 256] as const;
const SET_NAME = 'my-iqa-set';
const ADVICE = { title: 'The IQA set could not be made', next: 'Read the message above, then pick other photos or types and press Make again.' };

type Work =
  | { kind: 'idle' }
  | { kind: 'working'; done: number; total: number }
  | { kind: 'done'; set: SynthSet; skipped: string[] };

/** Checkbox rows: the box top-left of its (wrapping) label. */
const ROW = { display: 'flex', gap: 8, alignItems: 'baseline', fontSize: '0.88rem' } as const;
const nextFrame = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
const bytesBlob = (bytes: Uint8Array, type: string) => new Blob([bytes as Uint8Array<ArrayBuffer>], { type });

export const SynthPanel = memo(function SynthPanel({ onUse, locked }: Props) {
  const [photos, setPhotos] = useState<File[]>([]);
  const [size, setSize] = useState<number>(128);
  const [types, setTypes] = useState<number[]>([...DEMO_TYPE_IDS]);
  const [work, setWork] = useState<Work>({ kind: 'idle' });
  const [error, setError] = useState<string | null>(null);
  const cancel = useRef(false);
  const working = work.kind === 'working';
  const total = plannedImages(photos.length, types.length);
  const scales = msssimScales(size, size);

  const make = async () => {
    cancel.current = false;
    setError(null);
    setWork({ kind: 'working', done: 0, total });
    try {
      const sources: SynthSource[] = [];
      const skipped: string[] = [];
      for (const f of photos) {
        try {
          sources.push({ name: f.name, image: (await loadPhoto(f, size)).image });
        } catch {
          skipped.push(f.name);
        }
      }
      if (sources.length === 0) throw new Error(`None of the ${photos.length} files could be read as an image (${skipped.slice(0, 3).join(', ')}…).`);
      let shown = 0;
      const set = await makeIqaSet(sources, {
        typeIds: types,
        jpeg: canvasJpeg,
        cancelled: () => cancel.current,
        onProgress: async (done, all) => {
          // Repaint every few images (and yield, so the page stays usable): the work is slow.
          if (done === all || performance.now() - shown > 100) {
            shown = performance.now();
            setWork({ kind: 'working', done, total: all });
            await nextFrame();
          }
        },
      });
      setWork({ kind: 'done', set, skipped });
    } catch (e) {
      setWork({ kind: 'idle' });
      if (!(e instanceof SynthCancelled)) setError((e as Error).message);
    }
  };

  const download = (set: SynthSet) => downloadBlob(`${SET_NAME}.zip`, bytesBlob(kadidZip(set, SET_NAME), 'application/zip'));

  const train = (set: SynthSet) => {
    const image = (file: string, bytes: Uint8Array): DatasetFile => ({ path: `images/${file}`, file: new File([bytes as Uint8Array<ArrayBuffer>], file, { type: 'image/png' }) });
    const files = [...set.references.map((r) => image(r.file, r.png)), ...set.items.map((it) => image(it.file, it.png))];
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    onUse({ name: SET_NAME, files }, new File([mosCsv(set)], SCORE_FILE, { type: 'text/csv' }));
  };

  const toggle = (id: number, on: boolean) => setTypes((t) => (on ? [...t, id].sort((a, b) => a - b) : t.filter((x) => x !== id)));
  const chosen = DISTORTIONS.filter((d) => types.includes(d.id));

  return (
    <section className="panel" aria-labelledby="synth-title">
      <h2 id="synth-title">Your photos → an IQA set</h2>
      <p className="hint">
        Each photo is cut to its centred square, resized (smaller photos are enlarged), and distorted by each chosen type at {LEVELS} levels, as the demo set was made. Each
        distorted image is scored by a <strong>formula</strong> — MS-SSIM against its photo, mapped onto 1–5 — not by people. <ProxyNote />
      </p>
      <div className="field">
        <label htmlFor="synth-photos">Photos for a new IQA set</label>
        <input
          id="synth-photos"
          type="file"
          multiple
          accept="image/*"
          disabled={locked || working}
          onChange={(e) => {
            setPhotos(Array.from(e.currentTarget.files ?? []));
            setWork({ kind: 'idle' });
            setError(null);
          }}
        />
      </div>
      <div className="field">
        <label htmlFor="synth-size">Image size</label>
        <select id="synth-size" value={size} disabled={working} onChange={(e) => setSize(Number(e.currentTarget.value))} style={{ alignSelf: 'start' }}>
          {SIZES.map((s) => (
            <option key={s} value={s}>
              {s}×{s} px{s === 128 ? ' (as the demo; 3-scale MS-SSIM)' : ' (5-scale MS-SSIM)'}
            </option>
          ))}
        </select>
      </div>
      <fieldset className="exp-fields">
        <legend>Distortion types</legend>
        {DISTORTIONS.map((d) => (
          <div key={d.id} style={ROW}>
            <input id={`synth-type-${d.id}`} type="checkbox" checked={types.includes(d.id)} disabled={working} onChange={(e) => toggle(d.id, e.currentTarget.checked)} style={{ flexShrink: 0 }} />
            <label htmlFor={`synth-type-${d.id}`}>
              {String(d.id).padStart(2, '0')} {d.label} <span className="muted">({d.param}: {d.levels.join(', ')})</span>
              {d.note && <span className="hint" style={{ display: 'block' }}>{d.note}</span>}
            </label>
          </div>
        ))}
      </fieldset>
      <p className="status-line" data-testid="synth-summary">
        {photos.length === 0
          ? 'No photos yet.'
          : `${photos.length} photo${photos.length === 1 ? '' : 's'} × ${types.length} type${types.length === 1 ? '' : 's'} × ${LEVELS} levels = ${total} distorted images (+ ${photos.length} reference${photos.length === 1 ? '' : 's'}), ${size}×${size} px, scored by a ${scales}-scale MS-SSIM formula.`}
      </p>
      <div className="button-row">
        <button type="button" onClick={() => void make()} disabled={locked || working || photos.length === 0 || types.length === 0}>
          Make the IQA set
        </button>
        {working && (
          <button type="button" onClick={() => (cancel.current = true)}>
            Cancel
          </button>
        )}
      </div>
      {work.kind === 'working' && (
        <div className="progress-row">
          <Bar role="progressbar" label="Making the IQA set" value={work.done} max={work.total} valueText={`${work.done} of ${work.total} images`} />
          <span className="progress-text" role="status">
            {work.done} / {work.total} images done
          </span>
        </div>
      )}
      {work.kind === 'done' && (
        <>
          <p className="status-line" role="status">
            Made {work.set.items.length} images from {work.set.references.length} photo{work.set.references.length === 1 ? '' : 's'} (
            {chosen.length} types × {LEVELS} levels). Formula scores from {Math.min(...work.set.items.map((it) => it.mos)).toFixed(2)} to{' '}
            {Math.max(...work.set.items.map((it) => it.mos)).toFixed(2)}.
            {work.skipped.length > 0 && ` Skipped (not readable as images): ${work.skipped.join(', ')}.`}
          </p>
          <div className="button-row">
            <button type="button" onClick={() => download(work.set)}>
              Download the IQA set (zip)
            </button>
            <button type="button" onClick={() => train(work.set)} disabled={locked}>
              Train on this set
            </button>
          </div>
        </>
      )}
      {error && <ErrorBox advice={ADVICE} message={error} onDismiss={() => setError(null)} />}
    </section>
  );
});
