/** A labelled select over a fixed list of values. */
import { useId } from 'react';

interface Props<T extends string> {
  label: string;
  value: T;
  options: readonly (readonly [T, string])[];
  onChange: (v: T) => void;
  disabled?: boolean;
  hint?: string;
  /** Spans two grid columns (long option names). */
  wide?: boolean;
}

export function SelectField<T extends string>({ label, value, options, onChange, disabled, hint, wide }: Props<T>) {
  const id = useId();
  return (
    <div className={wide ? 'field field--span2' : 'field'}>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value as T)} aria-describedby={hint ? `${id}-hint` : undefined}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
      {hint && (
        <span id={`${id}-hint`} className="hint">
          {hint}
        </span>
      )}
    </div>
  );
}
