/** Predicted scores per image (each network, and the DML ensemble), with a thumbnail of each image and the CSV download. */
import { useEffect, useMemo, useState } from 'react';
import type { DatasetFile, ScoreTable as Table } from '../../worker/protocol';
import { downloadText } from '../common/download';

/** Rows drawn at most; the CSV has them all. */
const MAX_ROWS = 500;

export function ScoreTable({ table, images, fileName }: { table: Table; images: DatasetFile[]; fileName: string }) {
  const shown = useMemo(() => table.files.slice(0, MAX_ROWS), [table]);
  const [urls, setUrls] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    const byPath = new Map(images.map((f) => [f.path, f.file]));
    const made = new Map<string, string>();
    for (const f of shown) {
      const blob = byPath.get(f);
      if (blob) made.set(f, URL.createObjectURL(blob));
    }
    setUrls(made);
    return () => made.forEach((u) => URL.revokeObjectURL(u));
  }, [shown, images]);

  return (
    <div className="results">
      <button type="button" onClick={() => downloadText(fileName, table.csv, 'text/csv')}>
        Download scores (CSV)
      </button>
      <table className="results-table score-table" aria-label="Predicted scores">
        <caption>
          Predicted scores <span className="muted">— {table.files.length} images{table.files.length > shown.length && `, the first ${shown.length} shown`}</span>
        </caption>
        <thead>
          <tr>
            <th scope="col">image</th>
            {table.columns.map((c) => (
              <th scope="col" key={c.name}>
                {c.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((f, i) => (
            <tr key={f}>
              <th scope="row" className="score-image">
                {urls.get(f) ? <img src={urls.get(f)} alt="" loading="lazy" /> : <span className="thumb-missing" />}
                <span title={f}>{f}</span>
              </th>
              {table.columns.map((c) => (
                <td key={c.name} data-value={c.values[i]}>
                  {c.values[i]!.toFixed(3)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
