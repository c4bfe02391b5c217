/** Numbers as the presentation shows them: three significant digits, never exponent notation for losses under 1000. */
export function fmt3(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (Math.abs(v) >= 1000) return v.toFixed(0);
  if (v === 0) return '0';
  if (Math.abs(v) < 1e-4) return v.toExponential(1).replace('-', '−');
  return Number(v.toPrecision(3)).toString().replace('-', '−');
}
