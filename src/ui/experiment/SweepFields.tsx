/**
 * The experiment type: repeats at the full training size, or a training-size sweep (the repeats
 * at each of several sizes). The sizes live in the config (trainSizes), so they travel with it
 * in the link and the config file.
 */
import { useEffect, useId, useState } from 'react';
import { parseTrainSizes } from '../../core/train/experiment';
import { SelectField } from '../common/SelectField';
import type { StudioConfig } from './studioConfig';

type Kind = 'repeats' | 'sweep';

/** What a new sweep starts with: a quarter, a half and all of the training side. */
export const DEFAULT_TRAIN_SIZES = [0.25, 0.5, 1];

interface Props {
  config: StudioConfig;
  onChange: (patch: Partial<StudioConfig>) => void;
}

export function SweepFields({ config, onChange }: Props) {
  const id = useId();
  const sizes = config.trainSizes;
  const kind: Kind = sizes ? 'sweep' : 'repeats';
  const shown = sizes?.join(', ') ?? '';
  const [text, setText] = useState(shown);
  // A preset, a link or a loaded config replaces what is typed.
  useEffect(() => setText((t) => (sameSizes(t, shown) ? t : shown)), [shown]);
  const read = parseTrainSizes(text);
  const problem = kind === 'sweep' && 'problem' in read ? read.problem : null;
  const runs = (sizes?.length ?? 1) * config.repeats;

  // Without a sweep the field is left out of the link and the config file (an undefined field is not written).
  const setKind = (k: Kind) => onChange({ trainSizes: k === 'sweep' ? [...DEFAULT_TRAIN_SIZES] : undefined });

  return (
    <>
      <div className="grid-fields">
        <SelectField<Kind>
          wide
          label="Experiment"
          value={kind}
          options={[
            ['repeats', 'Repeats at the full training size'],
            ['sweep', 'Training-size sweep'],
          ]}
          onChange={setKind}
        />
        {kind === 'sweep' && (
          <div className="field field--span2">
            <label htmlFor={id}>Training sizes</label>
            <input
              id={id}
              type="text"
              value={text}
              aria-invalid={problem ? true : undefined}
              aria-describedby={`${id}-hint`}
              onChange={(e) => {
                const t = e.target.value;
                setText(t);
                const r = parseTrainSizes(t);
                // Text that is no list of sizes empties the sweep, so Start says why instead of sweeping the old sizes.
                onChange({ trainSizes: 'sizes' in r ? r.sizes : [] });
              }}
            />
          </div>
        )}
      </div>
      {kind === 'sweep' && (
        <p className="hint" id={`${id}-hint`}>
          Fractions (≤ 1) of each repeat's training side, or counts of images; a split by reference keeps whole references. Every size is scored on the
          same validation and test images, with {config.repeats} repeat{config.repeats === 1 ? '' : 's'} at each: {runs} runs in all, one stored run each.
          The chart plots DML − baseline and DML − independent pair against the size{config.repeats < 2 ? ': give 2 or more repeats for its intervals' : ''}.
        </p>
      )}
      {problem && <p className="error-inline">{problem}</p>}
    </>
  );
}

function sameSizes(a: string, b: string): boolean {
  const x = parseTrainSizes(a);
  const y = parseTrainSizes(b);
  return 'sizes' in x && 'sizes' in y && x.sizes.join() === y.sizes.join();
}
