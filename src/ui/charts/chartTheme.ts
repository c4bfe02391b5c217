/** Shared axis and tooltip styling for the dark theme (SVG attributes take plain colours). */
export const AXIS = { stroke: '#5b6675', tick: { fill: '#aab4c3', fontSize: 11 } } as const;
export const GRID = { stroke: '#2a3340', strokeDasharray: '3 3' } as const;
export const TOOLTIP = {
  contentStyle: { background: '#1b222c', border: '1px solid #3a4554', borderRadius: 6, color: '#e8edf4', fontSize: 12 },
  labelStyle: { color: '#e8edf4' },
  itemStyle: { padding: 0 },
  isAnimationActive: false,
} as const;
