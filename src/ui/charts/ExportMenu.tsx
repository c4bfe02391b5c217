/**
 * "Export" beside a chart: the chart as SVG (styles inline, title and legend drawn in) or as PNG
 * at twice its size; file names say the run and the chart.
 */
import { useRef, useState } from 'react';
import { downloadBlob, downloadText } from '../common/download';
import { chartFileName, chartSvgIn, figureLegend, figureTitle, serializeChart, svgToPng } from './chartExport';
import './exports.css';

export function ExportMenu({ chart }: { chart: string }) {
  const ref = useRef<HTMLDetailsElement>(null);
  const [error, setError] = useState<string | null>(null);

  const save = async (kind: 'svg' | 'png') => {
    setError(null);
    const figure = ref.current?.closest('figure');
    // The run the chart belongs to names the file; the charts panel carries it.
    const runName = ref.current?.closest('[data-run-name]')?.getAttribute('data-run-name') ?? undefined;
    const svg = figure && chartSvgIn(figure);
    if (!figure || !svg) return setError('This chart has nothing drawn yet.');
    try {
      const out = serializeChart(svg, { title: figureTitle(figure), legend: figureLegend(figure) });
      if (kind === 'svg') downloadText(chartFileName(runName, chart, 'svg'), out.svg, 'image/svg+xml');
      else downloadBlob(chartFileName(runName, chart, 'png'), await svgToPng(out, 2));
      if (ref.current) ref.current.open = false;
    } catch (e) {
      setError(`The chart could not be exported: ${(e as Error).message}.`);
    }
  };

  return (
    <details className="export-menu" ref={ref}>
      <summary aria-label={`Export the chart ${chart}`}>Export</summary>
      <div className="export-menu__items" role="group" aria-label={`Export ${chart}`}>
        <button type="button" onClick={() => void save('svg')}>
          SVG
        </button>
        <button type="button" onClick={() => void save('png')}>
          PNG (2×)
        </button>
      </div>
      {error && (
        <p className="warning-inline" role="alert">
          {error}
        </p>
      )}
    </details>
  );
}
