/** A horizontal bar for progress or a meter: the ARIA role and values, and a fill of value/max. */
interface Props {
  role: 'progressbar' | 'meter';
  label: string;
  value: number;
  max: number;
  valueText?: string;
  className?: string;
}

export function Bar({ role, label, value, max, valueText, className }: Props) {
  const percent = max > 0 ? Math.min(100, (100 * value) / max) : 0;
  return (
    <div
      className={className ? `bar ${className}` : 'bar'}
      role={role}
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={max}
      aria-valuenow={value}
      aria-valuetext={valueText}
    >
      <div className="bar__fill" style={{ width: `${percent}%` }} />
    </div>
  );
}
