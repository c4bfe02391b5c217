/** A dozen images across the score range, so the user can see what "good" and "bad" mean here. */
import { useEffect, useMemo, useState } from 'react';
import type { LabelledItem } from '../../core/data/types';
import type { DatasetFile } from '../../worker/protocol';

interface Props {
  items: LabelledItem[];
  files: DatasetFile[];
  count?: number;
}

/** `count` items evenly spaced over the score-sorted list: lowest, highest and the steps between. */
export function spreadSample(items: readonly LabelledItem[], count: number): LabelledItem[] {
  const sorted = [...items].sort((a, b) => a.mos - b.mos || (a.file < b.file ? -1 : 1));
  if (sorted.length <= count) return sorted;
  return Array.from({ length: count }, (_, i) => sorted[Math.round((i * (sorted.length - 1)) / (count - 1))]!);
}

export function Thumbnails({ items, files, count = 12 }: Props) {
  const sample = useMemo(() => spreadSample(items, count), [items, count]);
  const [urls, setUrls] = useState<Map<string, string>>(new Map());

  useEffect(() => {
    const byPath = new Map(files.map((f) => [f.path, f.file]));
    const made = new Map<string, string>();
    for (const it of sample) {
      const blob = byPath.get(it.file);
      if (blob) made.set(it.file, URL.createObjectURL(blob));
    }
    setUrls(made);
    return () => made.forEach((u) => URL.revokeObjectURL(u));
  }, [sample, files]);

  return (
    <section aria-labelledby="thumbs-title">
      <h3 id="thumbs-title">Sample images, lowest to highest score</h3>
      <ul className="thumbs">
        {sample.map((it) => (
          <li key={it.file}>
            {urls.get(it.file) ? <img src={urls.get(it.file)} alt={`${it.file}, score ${it.mos.toFixed(2)}`} loading="lazy" /> : <div className="thumb-missing" />}
            <span className="thumb-score">{it.mos.toFixed(2)}</span>
            <span className="thumb-name" title={it.file}>
              {it.file}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
