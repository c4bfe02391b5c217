/**
 * A chart on the page as a file people can show: its <svg> serialised on its own (every style
 * the page's CSS gave it written inline, the panel's background, its title and legend drawn
 * in), and that SVG drawn onto a canvas at twice its size for a PNG.
 */
import { fileStem } from '../../core/io/fileStem';

const SVG_NS = 'http://www.w3.org/2000/svg';
const BACKGROUND = '#161d25';
const TEXT = '#e8edf4';
const MUTED = '#aab4c3';
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Ubuntu, sans-serif";

/** The presentation properties a chart's look depends on (what CSS may set on SVG elements). */
const STYLE_PROPS = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-dasharray',
  'stroke-linecap',
  'stroke-linejoin',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'text-anchor',
  'dominant-baseline',
  'visibility',
  'display',
] as const;

export interface LegendItem {
  label: string;
  color: string;
  dashed?: boolean;
}

/** The chart's <svg> in a figure: a recharts surface, or one of the studio's own (class chart-svg). */
export function chartSvgIn(figure: Element): SVGSVGElement | null {
  return figure.querySelector<SVGSVGElement>('svg.recharts-surface, svg.chart-svg');
}

/** The figure's title: its caption's text without the export menu. */
export function figureTitle(figure: Element): string {
  const cap = figure.querySelector('figcaption');
  if (!cap) return figure.getAttribute('aria-label') ?? '';
  const copy = cap.cloneNode(true) as Element;
  copy.querySelectorAll('.export-menu').forEach((e) => e.remove());
  return (copy.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/** The legend that explains the figure: its own, or its chart group's. */
export function figureLegend(figure: Element): LegendItem[] {
  const list = figure.querySelector('.legend') ?? figure.closest('.chart-group')?.querySelector('.chart-group__head .legend');
  if (!list) return [];
  return [...list.querySelectorAll('li')].map((li) => {
    const line = li.querySelector('line');
    const swatch = li.querySelector<HTMLElement>('.swatch');
    const color = line?.getAttribute('stroke') ?? (swatch ? getComputedStyle(swatch).backgroundColor : MUTED);
    return { label: (li.textContent ?? '').trim(), color, dashed: !!line?.getAttribute('stroke-dasharray') };
  });
}

/** Copy the computed presentation styles of `from` (and its subtree) onto `to`, which has the same shape. */
function inlineStyles(from: Element, to: Element): void {
  const cs = getComputedStyle(from);
  const style = STYLE_PROPS.map((p) => [p, cs.getPropertyValue(p)] as const)
    .filter(([, v]) => v !== '')
    .map(([p, v]) => `${p}:${v}`)
    .join(';');
  if (style) to.setAttribute('style', style);
  to.removeAttribute('class');
  const a = from.children;
  const b = to.children;
  for (let i = 0; i < a.length && i < b.length; i++) inlineStyles(a[i]!, b[i]!);
}

function el(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** How wide `text` is at `size` px (a canvas measures; a rough count where it cannot). */
function textWidth(text: string, size: number): number {
  const ctx = document.createElement('canvas').getContext('2d');
  if (!ctx) return text.length * size * 0.55;
  ctx.font = `${size}px ${FONT}`;
  return ctx.measureText(text).width;
}

/** Legend items laid out in rows within `width`: each item's x, y offset. */
function legendLayout(items: readonly LegendItem[], width: number): { x: number; y: number; item: LegendItem }[] {
  const out: { x: number; y: number; item: LegendItem }[] = [];
  let x = 12;
  let y = 0;
  for (const item of items) {
    const w = 28 + textWidth(item.label, 11) + 16;
    if (x > 12 && x + w > width - 12) {
      x = 12;
      y += 18;
    }
    out.push({ x, y, item });
    x += w;
  }
  return out;
}

export interface SerializedChart {
  svg: string;
  width: number;
  height: number;
}

/**
 * The chart as a standalone SVG document: the drawing with its styles inline, on the panel's
 * background, with the title above and the legend below.
 */
export function serializeChart(svg: SVGSVGElement, opts: { title?: string; legend?: readonly LegendItem[] } = {}): SerializedChart {
  const box = svg.getBoundingClientRect();
  const w = Math.round(box.width || Number(svg.getAttribute('width')) || 600);
  const h = Math.round(box.height || Number(svg.getAttribute('height')) || 300);
  const titleH = opts.title ? 26 : 6;
  const rows = legendLayout(opts.legend ?? [], w);
  const legendH = rows.length ? rows[rows.length - 1]!.y + 24 : 6;
  const width = w;
  const height = titleH + h + legendH;

  // createElementNS puts it in the SVG namespace: the serializer writes the xmlns itself.
  const out = el('svg', { width, height, viewBox: `0 0 ${width} ${height}`, 'font-family': FONT }) as SVGSVGElement;
  out.append(el('rect', { x: 0, y: 0, width, height, fill: BACKGROUND }));
  if (opts.title) out.append(el('text', { x: 12, y: 18, fill: TEXT, 'font-size': 13, 'font-weight': 600 }, opts.title));
  const copy = svg.cloneNode(true) as SVGSVGElement;
  inlineStyles(svg, copy);
  copy.setAttribute('x', '0');
  copy.setAttribute('y', String(titleH));
  copy.setAttribute('width', String(w));
  copy.setAttribute('height', String(h));
  if (!copy.getAttribute('viewBox')) copy.setAttribute('viewBox', `0 0 ${w} ${h}`);
  // Tooltip cursors and the like are drawn only under the pointer.
  copy.querySelectorAll('.recharts-tooltip-cursor, .recharts-active-dot').forEach((e) => e.remove());
  copy.removeAttribute('style');
  copy.removeAttribute('aria-hidden');
  out.append(copy);
  const top = titleH + h + 10;
  for (const { x, y, item } of rows) {
    out.append(el('line', { x1: x, y1: top + y + 5, x2: x + 22, y2: top + y + 5, stroke: item.color, 'stroke-width': 3, ...(item.dashed && { 'stroke-dasharray': '4 3' }) }));
    out.append(el('text', { x: x + 28, y: top + y + 9, fill: MUTED, 'font-size': 11 }, item.label));
  }
  return { svg: `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(out)}`, width, height };
}

/** The SVG drawn onto a canvas `scale` times its size, as a PNG. */
export async function svgToPng(chart: SerializedChart, scale = 2): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([chart.svg], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.decoding = 'sync';
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the browser could not draw the chart’s SVG'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(chart.width * scale);
    canvas.height = Math.round(chart.height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('this browser gives no 2-D canvas to draw the PNG on');
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the canvas could not be encoded as PNG'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** "<run>-<chart>.<ext>", both file-name safe. */
export function chartFileName(runName: string | undefined, chart: string, ext: string): string {
  return `${fileStem(runName ?? 'run')}-${fileStem(chart)}.${ext}`;
}
