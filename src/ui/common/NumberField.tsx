/**
 * A labelled number input that lets the user type freely ("1e-", "0.") and commits only
 * numbers; what is typed stays until it parses, and an outside change (a preset) replaces it.
 */
import { useEffect, useId, useState } from 'react';

interface Props {
  label: string;
  value: number;
  onChange: (v: number) => void;
  step?: number | 'any';
  min?: number;
  max?: number;
  disabled?: boolean;
  hint?: string;
  /** "text" allows scientific notation (learning rates). */
  kind?: 'number' | 'text';
}

export function NumberField({ label, value, onChange, step = 'any', min, max, disabled, hint, kind = 'number' }: Props) {
  const id = useId();
  const [text, setText] = useState(String(value));
  useEffect(() => {
    setText((t) => (Number(t) === value && t.trim() !== '' ? t : String(value)));
  }, [value]);
  const parsed = Number(text);
  const bad = text.trim() === '' || !Number.isFinite(parsed);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type={kind}
        inputMode="decimal"
        value={text}
        step={kind === 'number' ? step : undefined}
        min={min}
        max={max}
        disabled={disabled}
        aria-invalid={bad || undefined}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(e) => {
          const t = e.target.value;
          setText(t);
          const v = Number(t);
          if (t.trim() !== '' && Number.isFinite(v)) onChange(v);
        }}
        onBlur={() => bad && setText(String(value))}
      />
      {hint && (
        <span id={`${id}-hint`} className="hint">
          {hint}
        </span>
      )}
    </div>
  );
}
