/**
 * Feature heatmaps of the peers (the seed code's features_dis): for one test image, each
 * network's last convolutional feature map (channel mean after ReLU) in the jet colour map at
 * alpha 0.4 over the image; a mirrored peer's over the mirrored image, as it sees it. One per
 * epoch, kept with the run; a slider scrubs through them, and a picker chooses the test image.
 */
import { memo, useEffect, useMemo, useState } from 'react';
import { peerLetter, type EpochEvent, type FeatureHeatmap, type RunKind } from '../../core/train/history';
import type { DatasetFile } from '../../worker/protocol';
import { overlayHeatmap } from './heatmapImage';
import { heatmapChoiceNote, heatmapImageLabel, pickedPosition } from './heatmapPicker';
import './heatmaps.css';

interface Props {
  epochs: Record<RunKind, EpochEvent[]>;
  /** The run's test images' paths, in the order the worker numbers them. */
  testFiles: readonly string[] | null;
  /** The dataset's files, to draw the image from. */
  files: readonly DatasetFile[];
  /** Longer side of each picture in pixels. */
  size?: number;
  /** The config's test image (a position in the test set) and how to choose another; no picker without onChoose. */
  chosen?: number;
  onChoose?: (position: number) => void;
  /** A run is under way: a new choice is mapped from its next epoch, not only in the next run. */
  running?: boolean;
}

const KIND_ORDER: readonly RunKind[] = ['dml', 'control', 'baseline'];
const KIND_LABELS: Record<RunKind, string> = { dml: 'DML peers', control: 'independent pair', baseline: 'baseline' };

/** A network's name in the picture's accessible name: "peer A", …; the baseline is "baseline". */
function netName(run: RunKind, k: number): string {
  if (run === 'baseline') return 'baseline';
  return run === 'control' ? `independent pair, peer ${peerLetter(k)}` : `peer ${peerLetter(k)}`;
}

/** The image file decoded once (EXIF orientation applied); null while loading or when the browser cannot decode it. */
function useBitmap(blob: Blob | undefined): { bitmap: ImageBitmap | null; failed: boolean } {
  const [state, setState] = useState<{ bitmap: ImageBitmap | null; failed: boolean }>({ bitmap: null, failed: false });
  useEffect(() => {
    setState({ bitmap: null, failed: false });
    if (!blob) return;
    let live = true;
    let made: ImageBitmap | null = null;
    createImageBitmap(blob).then(
      (b) => {
        made = b;
        if (live) setState({ bitmap: b, failed: false });
        else b.close();
      },
      () => live && setState({ bitmap: null, failed: true }),
    );
    return () => {
      live = false;
      made?.close();
    };
  }, [blob]);
  return state;
}

/** Network k's map over the image (mirrored for a mirrored peer) as a PNG data URL; over black without an image. */
function renderPicture(bitmap: ImageBitmap | null, h: FeatureHeatmap, k: number, long: number): string {
  const aspect = bitmap ? bitmap.width / bitmap.height : h.width / h.height;
  const W = aspect >= 1 ? long : Math.max(1, Math.round(long * aspect));
  const H = aspect >= 1 ? Math.max(1, Math.round(long / aspect)) : long;
  const canvas = document.createElement('canvas');
  canvas.width = W;
  canvas.height = H;
  const ctx = canvas.getContext('2d');
  if (!ctx) return '';
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, W, H);
  if (bitmap) {
    // The map covers the whole stored image, which is the file resized to the run's size: stretch it the same way.
    if (h.mirrored[k]) ctx.setTransform(-1, 0, 0, 1, W, 0);
    ctx.drawImage(bitmap, 0, 0, W, H);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
  }
  const img = ctx.getImageData(0, 0, W, H);
  overlayHeatmap(img.data, W, H, h.peers[k] ?? [], h.height, h.width);
  ctx.putImageData(img, 0, 0);
  return canvas.toDataURL('image/png');
}

// memo: the page re-renders on every progress flush; this only needs its own props.
export const FeatureHeatmaps = memo(function FeatureHeatmaps({ epochs, testFiles, files, size = 224, chosen, onChoose, running = false }: Props) {
  const kinds = KIND_ORDER.filter((r) => epochs[r].some((e) => e.heatmap));
  const [kindChoice, setKindChoice] = useState<RunKind | null>(null);
  const kind = kindChoice && kinds.includes(kindChoice) ? kindChoice : kinds[0];
  const list = useMemo(() => (kind ? epochs[kind].filter((e) => e.heatmap) : []), [epochs, kind]);
  // null: follow the latest epoch as it comes.
  const [picked, setPicked] = useState<number | null>(null);
  const index = picked === null ? list.length - 1 : Math.max(0, list.findIndex((e) => e.epoch === picked));
  const event = list[index];
  const heatmap = event?.heatmap;
  const file = heatmap && testFiles ? testFiles[heatmap.test] : undefined;
  const blob = useMemo(() => (file ? files.find((f) => f.path === file)?.file : undefined), [file, files]);
  const { bitmap, failed } = useBitmap(blob);
  const pictures = useMemo(() => (heatmap ? heatmap.peers.map((_, k) => renderPicture(bitmap, heatmap, k, size)) : []), [heatmap, bitmap, size]);

  if (!kind || !event || !heatmap) return null;
  const last = list.length - 1;
  const imageChoice = testFiles ? pickedPosition(testFiles.length, chosen) : 0;
  // Against the latest epoch's image: scrubbing back to an older map does not make a choice pending.
  const note = heatmapChoiceNote(imageChoice, list[last]!.heatmap!.test, running);
  return (
    <section aria-labelledby="heatmaps-title" className="chart-group heatmaps">
      <div className="chart-group__head">
        <h3 id="heatmaps-title">Feature heatmaps</h3>
        <div className="inline-fields">
          {onChoose && testFiles && testFiles.length > 0 && (
            <label>
              Test image{' '}
              <select value={imageChoice} aria-label="Heatmap test image" onChange={(e) => onChoose(Number(e.target.value))}>
                {testFiles.map((f, i) => (
                  <option key={i} value={i}>
                    {heatmapImageLabel(f, i)}
                  </option>
                ))}
              </select>
            </label>
          )}
          {kinds.length > 1 && (
            <label>
              Networks{' '}
              <select value={kind} aria-label="Heatmap networks" onChange={(e) => setKindChoice(e.target.value as RunKind)}>
                {kinds.map((r) => (
                  <option key={r} value={r}>
                    {KIND_LABELS[r]}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label>
            Epoch{' '}
            <input
              type="range"
              min={0}
              max={last}
              step={1}
              value={index}
              disabled={last === 0}
              aria-label="Heatmap epoch"
              aria-valuetext={`epoch ${event.epoch}`}
              onChange={(e) => {
                const i = Number(e.target.value);
                setPicked(i >= last ? null : (list[i]?.epoch ?? null));
              }}
            />{' '}
            <output>
              {event.epoch}
              {picked === null ? ' (latest)' : ` of ${list[last]!.epoch}`}
            </output>
          </label>
        </div>
      </div>
      <p className="hint">
        {file ?? `Test image ${heatmap.test + 1}`}: each network's last feature map (mean over channels after ReLU, scaled to its own
        maximum) in the jet colour map over the image; a mirrored peer's over the mirrored image, as it sees it.
        {!file || !blob ? ' The image itself is not loaded here, so the maps are shown over black.' : failed ? ' This browser cannot decode the image, so the maps are shown over black.' : ''}
      </p>
      {note && (
        <p className="hint heatmaps__pending" role="status">
          {note}
        </p>
      )}
      <ul className="heatmaps__list">
        {heatmap.peers.map((_, k) => (
          <li key={k}>
            {pictures[k] ? <img src={pictures[k]} alt={`Feature heatmap, ${netName(kind, k)}`} /> : null}
            <span>
              {netName(kind, k)[0]!.toUpperCase() + netName(kind, k).slice(1)}
              {heatmap.mirrored[k] ? ', mirrored image' : ''}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
});
