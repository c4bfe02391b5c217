/** Step 2: the experiment — split, model, input, mode, DML settings, schedule, backend — as one config. */
import { memo, useEffect, useState } from 'react';
import type { InputMode } from '../../core/data/inputMode';
import { MODEL_INFO, MODEL_NAMES } from '../../core/models/info';
import type { ModelName } from '../../core/models/types';
import type { SplitKind } from '../../core/splits';
import { PAPER, PRETRAINED_QUICK, QUICK_DEMO, type BackboneConfig, type RunMode, type TrainConfig } from '../../core/train/config';
import { NumberField } from '../common/NumberField';
import { SelectField } from '../common/SelectField';
import type { BackendChoice } from '../../worker/protocol';
import { BackboneFields } from './BackboneFields';
import { budgetBody, fitBackbone, nativeSize, sameInput } from './backboneChoices';
import { ConfigActions } from './ConfigActions';
import { SweepFields } from './SweepFields';
import type { Backbones } from './useBackbone';
import { MemoryBudgetLine } from './MemoryBudgetLine';
import type { LabelledItem } from '../../core/data/types';
import type { DatasetFile } from '../../worker/protocol';
import { configProblems } from '../../core/train/config';
import { BACKENDS, configToJson, type StudioConfig } from './studioConfig';

interface Props {
  config: StudioConfig;
  /** A new config, or an update of the latest one (for changes that arrive after a wait, such as a loaded backbone). */
  onChange: (c: StudioConfig | ((latest: StudioConfig) => StudioConfig)) => void;
  remeasure: boolean;
  onRemeasure: (v: boolean) => void;
  /** The split the data and settings give (null before data is loaded): its reason and any fallback warning, or why it cannot be made. */
  split: SplitPreview | null;
  locked: boolean;
  /** Problems with a config read from the link. */
  linkProblems: string[];
  /** The pretrained bodies: the built-in MobileNetV2's layers and the user's backbone. */
  backbones: Backbones;
  /** The usable rows and the folder's files: the memory budget's item count and file sizes. */
  dataItems?: readonly LabelledItem[] | null;
  dataFiles?: readonly DatasetFile[];
}

export type SplitPreview = { ok: true; reason: string; warning?: string } | { ok: false; error: string };

const SPLITS: [SplitKind, string][] = [
  ['ref', 'by reference'],
  ['random', 'random'],
  ['official', 'official'],
];
const MODES: [RunMode, string][] = [
  ['both', 'Both'],
  ['baseline', 'Baseline only'],
  ['dml', 'DML only'],
];
const MODE_HINTS: Record<RunMode, string> = {
  both: 'A baseline and a DML cohort on the same split, seed and batch order, epoch by epoch.',
  baseline: 'One network, loss MSE(prediction, MOS).',
  dml: 'Peers learn from the MOS and from each other (mimicry weight λ); the prediction is their mean.',
};
const MODEL_WORDS: Record<ModelName, string> = {
  tiny: 'tiny',
  cnniqa: 'cnniqa',
  resnet18: 'resnet18',
  mobilenetv2: 'mobilenetv2 (pretrained; see below)',
  backbone: 'Your own backbone…',
};

/** The model's settings when the user switches to it: a pretrained model brings its body settings and, unless the input was chosen, its native size. */
function switchModel(c: StudioConfig, model: ModelName, inputChosen: boolean, backbones: Backbones['state']): StudioConfig {
  const { backbone: _old, ...rest } = c;
  const next: StudioConfig = { ...rest, model };
  const wasPretrained = MODEL_INFO[c.model].pretrained;
  if (!MODEL_INFO[model].pretrained) {
    if (wasPretrained && !inputChosen) next.input = QUICK_DEMO.input;
    return next;
  }
  const inspection = model === 'backbone' ? (backbones.user?.inspection ?? null) : backbones.builtin;
  let backbone: BackboneConfig = model === 'backbone' ? { trainFrom: 'head', scaling: 'imagenet' } : { trainFrom: 'head' };
  if (inspection) backbone = fitBackbone(backbone, inspection, model);
  next.backbone = backbone;
  if (!inputChosen && sameInput(c.input, wasPretrained ? resizeTo(nativeSize(c.model, null)) : QUICK_DEMO.input))
    next.input = resizeTo(nativeSize(model, inspection));
  return next;
}

const resizeTo = ([height, width]: [number, number]) => ({ kind: 'resize' as const, width, height });

const BACKEND_WORDS: Record<BackendChoice, string> = {
  auto: 'auto (fastest measured)',
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  wasm: 'WebAssembly (wasm)',
  cpu: 'plain JavaScript (cpu)',
};

/** The presets, each with what it is for and what it costs. */
const PRESETS: { name: string; config: TrainConfig; note: string }[] = [
  { name: 'Quick demo', config: QUICK_DEMO, note: 'tiny from scratch: 16 epochs of random 64×64 crops of 128×128 images, lr 1e-3; a couple of minutes on a laptop CPU.' },
  {
    name: 'Pretrained quick',
    config: PRETRAINED_QUICK,
    note: 'The built-in MobileNetV2, frozen, at 192×192 (its native size is 224: smaller caches faster): every block’s output pooled (MLSP) and cached once per image and mirror, so only the head trains; 8 epochs, lr 3e-4; about 2½ minutes on a 2-core laptop CPU, half of it caching.',
  },
  {
    name: 'Paper',
    config: PAPER,
    note: "The seed code's experiment on MobileNetV2: every layer fine-tuned, 40 epochs, Adam 1e-4, × 0.5 every 10 epochs, batch 8, images resized to 384 wide × 512 high. That squashes landscape images (KonIQ-10k's 1024×768) into portrait, as the seed code does. Hours on a CPU: use a GPU.",
  },
];

export const ExperimentPanel = memo(function ExperimentPanel({ config: c, onChange, remeasure, onRemeasure, split, locked, linkProblems, backbones, dataItems, dataFiles }: Props) {
  const set = (patch: Partial<StudioConfig>) => onChange({ ...c, ...patch });
  /** The user set the input size in this page (a preset or a loaded config clears it): a pretrained model then keeps it. */
  const [inputChosen, setInputChosen] = useState(false);
  const setInput = (patch: Partial<InputMode>) => {
    setInputChosen(true);
    set({ input: { ...c.input, ...patch } as InputMode });
  };
  const pretrained = MODEL_INFO[c.model].pretrained === true;
  const { loadBuiltin } = backbones;
  // The built-in body's layer list, read once it is the model (also from a preset or a link).
  useEffect(() => {
    if (c.model === 'mobilenetv2') loadBuiltin();
  }, [c.model, loadBuiltin]);
  const problems = configProblems(c);
  const patch = MODEL_INFO[c.model].patchSize;
  const dml = c.mode !== 'baseline';

  const withPreset = (p: TrainConfig): StudioConfig => ({ ...p, backend: c.backend, ...(c.columns ? { columns: c.columns } : {}) });
  const preset = (p: TrainConfig) => {
    setInputChosen(false);
    onChange(withPreset(p));
  };
  const current = configToJson(c);
  const activePreset = PRESETS.find((p) => configToJson(withPreset(p.config)) === current);
  const native = pretrained ? nativeSize(c.model, c.model === 'backbone' ? (backbones.state.user?.inspection ?? null) : backbones.state.builtin) : null;

  return (
    <section className="panel" aria-labelledby="exp-title">
      <h2 id="exp-title">
        <span className="step">2</span> Experiment
      </h2>
      <div className="button-row presets" role="group" aria-label="Presets">
        {PRESETS.map((p) => (
          <button key={p.name} type="button" onClick={() => preset(p.config)} disabled={locked} title={p.note} aria-pressed={activePreset === p}>
            {p.name}
          </button>
        ))}
      </div>
      {activePreset && (
        <p className="hint" data-testid="preset-note">
          {activePreset.name}: {activePreset.note}
        </p>
      )}
      <fieldset disabled={locked} className="exp-fields">
        <fieldset>
          <legend>Split</legend>
          <div className="grid-fields">
            <SelectField label="Split" value={c.split} options={SPLITS} onChange={(split) => set({ split })} />
            <NumberField label="Test fraction" value={c.testFrac} step={0.05} min={0.05} max={0.95} onChange={(testFrac) => set({ testFrac })} disabled={c.split === 'official'} />
            <NumberField label="Validation fraction" value={c.valFrac} step={0.05} min={0} max={0.9} onChange={(valFrac) => set({ valFrac })} />
            <NumberField label="Repeats" value={c.repeats} step={1} min={1} max={50} onChange={(repeats) => set({ repeats })} />
            <NumberField label="Seed" value={c.seed} step={1} onChange={(seed) => set({ seed })} />
          </div>
          <SweepFields config={c} onChange={set} />
          {split?.ok === false && <p className="error-inline">{split.error}</p>}
          {split?.ok && split.warning && <p className="warning-inline">{split.warning}</p>}
          {split?.ok && <p className="hint">{split.reason}</p>}
        </fieldset>
        <fieldset>
          <legend>Model and input</legend>
          <div className="grid-fields">
            <SelectField<ModelName>
              wide
              label="Model"
              value={c.model}
              options={MODEL_NAMES.map((m) => [m, MODEL_WORDS[m]] as const)}
              onChange={(model) => onChange(switchModel(c, model, inputChosen, backbones.state))}
            />
            {c.model === 'resnet18' && <NumberField label="Width multiplier" value={c.width ?? 0.25} step={0.125} min={0.125} onChange={(width) => set({ width })} />}
            <SelectField
              label="Input"
              value={c.input.kind}
              options={[
                ['resize', 'resize'],
                ['crop', 'random crop'],
              ]}
              onChange={(kind) => {
                setInputChosen(true);
                set({
                  input:
                    kind === 'crop'
                      ? { kind, width: c.input.width, height: c.input.height, size: Math.min(c.input.width, c.input.height, Math.round(Math.min(c.input.width, c.input.height) * 0.8)) }
                      : { kind, width: c.input.width, height: c.input.height },
                });
              }}
            />
            <NumberField label="Image width" value={c.input.width} step={8} min={8} onChange={(width) => setInput({ width })} />
            <NumberField label="Image height" value={c.input.height} step={8} min={8} onChange={(height) => setInput({ height })} />
            {c.input.kind === 'crop' && <NumberField label="Crop size" value={c.input.size} step={8} min={8} onChange={(size) => setInput({ size })} />}
          </div>
          <p className="hint">
            {MODEL_INFO[c.model].describe}.{' '}
            {patch
              ? `Images are stored at ${c.input.width}×${c.input.height}; ${c.model} trains on random ${patch}×${patch} patches and averages its patch grid at test.`
              : c.input.kind === 'crop'
                ? `Images are stored at ${c.input.width}×${c.input.height}; training takes random ${c.input.size}×${c.input.size} crops, testing averages 5 crops.`
                : `Every image is resized to ${c.input.width}×${c.input.height}.`}
            {native && (native[0] !== c.input.height || native[1] !== c.input.width) && ` Its native input is ${native[1]}×${native[0]}; the body is convolutional, so it runs at other sizes too.`}
          </p>
        </fieldset>
        {pretrained && (
          <BackboneFields
            config={c}
            setBackbone={(backbone) => set({ backbone })}
            backbones={backbones}
            onUserLoaded={(inspection) =>
              onChange((latest) => {
                if (latest.model !== 'backbone') return latest;
                const next = { ...latest, backbone: fitBackbone(latest.backbone, inspection, 'backbone') };
                // A backbone with a fixed input size replaces the size suggested before its files came.
                if (!inputChosen && sameInput(latest.input, resizeTo(nativeSize('backbone', null)))) next.input = resizeTo(nativeSize('backbone', inspection));
                return next;
              })
            }
          />
        )}
        <fieldset>
          <legend>Method</legend>
          <div className="grid-fields">
            <SelectField label="Mode" value={c.mode} options={MODES} onChange={(mode) => set({ mode })} />
            <NumberField label="λ (mimicry)" value={c.lambda} step={0.1} min={0} onChange={(lambda) => set({ lambda })} disabled={!dml} />
            <NumberField label="Peers" value={c.peers} step={1} min={2} max={8} onChange={(peers) => set({ peers })} disabled={!dml} />
          </div>
          <p className="hint">{MODE_HINTS[c.mode]}</p>
          <div className="field field--check">
            <input id="with-control" type="checkbox" checked={c.control} disabled={!dml} onChange={(e) => set({ control: e.target.checked })} />
            <label htmlFor="with-control">With control</label>
          </div>
          <p className="hint">
            The control is an independent pair: the DML cohort trained with λ = 0 (same seeds, flips and inits). DML − control is what mutual
            learning adds beyond ensembling two nets.
          </p>
        </fieldset>
        <fieldset>
          <legend>Schedule</legend>
          <div className="grid-fields">
            <NumberField label="Epochs" value={c.epochs} step={1} min={1} onChange={(epochs) => set({ epochs })} />
            <NumberField label="Batch size" value={c.batchSize} step={1} min={2} onChange={(batchSize) => set({ batchSize })} />
            <NumberField label="Learning rate" kind="text" value={c.lr} onChange={(lr) => set({ lr })} />
            <NumberField label="Decay every" value={c.decayEvery} step={1} min={0} onChange={(decayEvery) => set({ decayEvery })} />
            <NumberField label="Decay factor" value={c.decayFactor} step={0.05} min={0.01} max={1} onChange={(decayFactor) => set({ decayFactor })} />
            <div className="field field--check">
              <input id="flip-aug" type="checkbox" checked={c.flipAugment} onChange={(e) => set({ flipAugment: e.target.checked })} />
              <label htmlFor="flip-aug">Random flips</label>
            </div>
          </div>
          <p className="hint">
            Adam at {c.lr}
            {c.decayEvery > 0 ? `, × ${c.decayFactor} every ${c.decayEvery} epoch${c.decayEvery === 1 ? '' : 's'}` : ', constant (decay every 0 = off)'}. A learning rate of 1e-3 suits
            from-scratch nets; the paper's 1e-4 was tuned for pretrained ones.
          </p>
        </fieldset>
        <fieldset>
          <legend>Compute</legend>
          <MemoryBudgetLine config={c} items={dataItems ?? null} files={dataFiles} body={budgetBody(c, backbones.state)} />
          <div className="grid-fields">
            <SelectField<BackendChoice> wide label="Backend" value={c.backend} options={BACKENDS.map((b) => [b, BACKEND_WORDS[b]] as const)} onChange={(backend) => set({ backend })} />
            <div className="field field--check">
              <input id="remeasure" type="checkbox" checked={remeasure} disabled={c.backend !== 'auto'} onChange={(e) => onRemeasure(e.target.checked)} />
              <label htmlFor="remeasure">Re-measure backends</label>
            </div>
          </div>
        </fieldset>
      </fieldset>
      {linkProblems.length > 0 && (
        <div className="error-inline" role="alert">
          The config in the link could not be used: {linkProblems.join(' ')} The Quick-demo settings are shown instead.
        </div>
      )}
      {problems.length > 0 && (
        <ul className="error-inline" aria-label="Config problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <ConfigActions
        config={c}
        onLoad={(loaded) => {
          setInputChosen(false);
          onChange(loaded);
        }}
        disabled={locked}
      />
    </section>
  );
});
