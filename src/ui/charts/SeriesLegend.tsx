/** One legend for a group of small charts (each chart repeating it wastes space). */
export function SeriesLegend({ items }: { items: { label: string; color: string; faint?: boolean; dashed?: boolean }[] }) {
  return (
    <ul className="legend">
      {items.map((it) => (
        <li key={it.label}>
          <svg width="22" height="10" aria-hidden="true">
            <line x1="1" y1="5" x2="21" y2="5" stroke={it.color} strokeWidth={3} strokeOpacity={it.faint ? 0.35 : 1} strokeDasharray={it.dashed ? '4 3' : undefined} />
          </svg>
          {it.label}
        </li>
      ))}
    </ul>
  );
}
