/**
 * A pretrained model's settings: the user's backbone files (picked or fetched), where the body
 * is cut (one layer: average pooled; several: mean and SD pooled per level, MLSP), where
 * training starts, the pixel scaling, and whether the frozen body's output is cached.
 */
import { useId, useState } from 'react';
import { MOBILENETV2_LAYERS } from '../../core/models/info';
import type { BackboneConfig } from '../../core/train/config';
import { SelectField } from '../common/SelectField';
import type { Backbones } from './useBackbone';
import { backboneProblems, cacheLine, cutChoiceOf, cutsOf, shapeText, trainFromOptions, type CutChoice } from './backboneChoices';
import type { StudioConfig } from './studioConfig';

interface Props {
  config: StudioConfig;
  setBackbone: (b: BackboneConfig) => void;
  backbones: Backbones;
  /** The user's backbone was loaded: the config adopts it (its name; cuts and trainFrom it lacks reset). */
  onUserLoaded: (inspection: NonNullable<Backbones['state']['user']>['inspection']) => void;
}

const SCALINGS = [
  ['imagenet', 'ImageNet mean/std'],
  ['unit', 'x/255 (0 to 1)'],
] as const;

export function BackboneFields({ config: c, setBackbone, backbones, onUserLoaded }: Props) {
  const { state } = backbones;
  const own = c.model === 'backbone';
  const inspection = own ? (state.user?.inspection ?? null) : state.builtin;
  const b: BackboneConfig = c.backbone ?? { trainFrom: 'all' };
  const cuts = cutsOf(b, inspection, c.model);
  const choice = cutChoiceOf(c.model, b.cuts);
  const [layersOpen, setLayersOpen] = useState(false);
  const [url, setUrl] = useState('');
  const fromId = useId();
  const plan = cacheLine(c, inspection);
  const problems = inspection ? backboneProblems(b, inspection, c.model) : [];
  const from = trainFromOptions(c.model, inspection, cuts, b.trainFrom);

  const setCuts = (next: string[] | undefined) => {
    const { cuts: _old, ...rest } = b;
    setBackbone(next?.length ? { ...rest, cuts: next } : rest);
  };
  const onCutChoice = (v: CutChoice) => {
    if (v === 'proposed') setCuts(undefined);
    else if (v === 'mlsp') setCuts(MOBILENETV2_LAYERS.mlspCuts);
    else {
      setCuts(cuts);
      setLayersOpen(true);
    }
  };
  const toggleCut = (name: string, on: boolean) => {
    if (!inspection) return;
    const ticked = new Set(cuts);
    if (on) ticked.add(name);
    else ticked.delete(name);
    setCuts(inspection.layers.filter((l) => ticked.has(l.name)).map((l) => l.name));
  };
  const adopt = (p: Promise<typeof inspection>) => void p.then((ins) => ins && onUserLoaded(ins));

  return (
    <fieldset>
      <legend>Pretrained body</legend>
      {own && (
        <div className="backbone-source">
          <div className="field">
            <label htmlFor="backbone-files">Backbone model files</label>
            <input
              id="backbone-files"
              type="file"
              multiple
              accept=".json,.bin,application/json,application/octet-stream"
              disabled={state.busy !== null}
              onChange={(e) => {
                const list = [...(e.currentTarget.files ?? [])];
                e.currentTarget.value = '';
                if (list.length) adopt(backbones.pickFiles(list));
              }}
            />
          </div>
          <form
            className="backbone-url"
            onSubmit={(e) => {
              e.preventDefault();
              if (url.trim()) adopt(backbones.fetchUrl(url.trim()));
            }}
          >
            <div className="field">
              <label htmlFor="backbone-url">Backbone URL</label>
              <input id="backbone-url" type="text" inputMode="url" spellCheck={false} placeholder="https://…/model.json" value={url} onChange={(e) => setUrl(e.target.value)} disabled={state.busy !== null} />
            </div>
            <button type="submit" disabled={state.busy !== null || !url.trim()}>
              Fetch
            </button>
          </form>
          <p className="hint">
            A TF.js Layers model (tensorflowjs_converter --input_format keras): its model.json together with its .bin weight files, or the URL of its model.json (this site's, or a server that
            allows cross-origin requests, CORS). The files stay in your browser.
          </p>
        </div>
      )}
      {state.busy && <p className="hint" role="status">{state.busy}</p>}
      {state.error && (
        <p className="error-inline" role="alert">
          {state.error}
        </p>
      )}
      {own && state.user && (
        <p className="hint" data-testid="backbone-summary">
          Backbone {inspection!.name} ({state.user.source}): {inspection!.layers.length} layers, {inspection!.params.toLocaleString('en')} parameters, input{' '}
          {shapeText(inspection!.inputShape)}; proposed cut {inspection!.proposedCut}.
        </p>
      )}
      {own && !state.user && !state.busy && <p className="warning-inline">No backbone yet: pick its files or give its URL.</p>}
      <div className="grid-fields">
        <div className="field field--span2">
          <label htmlFor={fromId}>Train from</label>
          <select id={fromId} value={b.trainFrom} onChange={(e) => setBackbone({ ...b, trainFrom: e.target.value })}>
            {from.suggested.map(([v, text]) => (
              <option key={v} value={v}>
                {text}
              </option>
            ))}
            {from.layers.length > 0 && (
              <optgroup label="Any layer of the body (it and every later layer train)">
                {from.layers.map(([v, text]) => (
                  <option key={v} value={v}>
                    {text}
                  </option>
                ))}
              </optgroup>
            )}
          </select>
        </div>
        <SelectField<CutChoice>
          wide
          label="Cut"
          value={choice}
          options={[
            ['proposed', `${inspection?.proposedCut ?? (c.model === 'mobilenetv2' ? MOBILENETV2_LAYERS.defaultCut : 'the proposed layer')} (average pooled)`],
            ...(c.model === 'mobilenetv2' ? [['mlsp', `MLSP: every block's output, ${MOBILENETV2_LAYERS.mlspCuts.length} levels (${MOBILENETV2_LAYERS.mlspCuts[0]} … out_relu)`] as const] : []),
            ['custom', 'layers ticked in the layer list'],
          ]}
          onChange={onCutChoice}
        />
        {own && (
          <SelectField wide label="Input scaling" value={b.scaling ?? 'imagenet'} options={SCALINGS} onChange={(scaling) => setBackbone({ ...b, scaling })} />
        )}
      </div>
      <p className="hint">
        {cuts.length > 1
          ? `Cut at ${cuts.length} levels (${cuts.join(', ')}): each is pooled to its per-channel mean and standard deviation, concatenated (MLSP), then the head.`
          : `Cut at ${cuts[0] ?? 'the proposed layer'}, global average pooled, then the head.`}{' '}
        {own ? 'Pixels: as your network was trained (ImageNet mean/std for torchvision-style weights, x/255 for Keras ones).' : 'MobileNetV2 takes x/255: its BatchNorm statistics were learnt on that.'}
      </p>
      <p className="hint" data-testid="cache-plan">
        {plan.cache ? 'Cached: ' : 'Not cached: '}
        {plan.why}.
      </p>
      {problems.length > 0 && (
        <ul className="error-inline" aria-label="Backbone problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {inspection && (
        <details className="layer-list" open={layersOpen} onToggle={(e) => setLayersOpen(e.currentTarget.open)}>
          <summary>
            Layers ({inspection.layers.length}; output shapes at {shapeText(inspection.inputShape)} input)
          </summary>
          <div className="layer-list__scroll">
            <table className="mini-table" aria-label="Backbone layers">
              <thead>
                <tr>
                  <th scope="col">cut</th>
                  <th scope="col">layer</th>
                  <th scope="col">type</th>
                  <th scope="col">output</th>
                  <th scope="col">params</th>
                </tr>
              </thead>
              <tbody>
                {inspection.layers.map((l) => (
                  <tr key={l.name} className={cuts.includes(l.name) ? 'strong' : undefined}>
                    <td>
                      {l.usableAsCut && <input type="checkbox" aria-label={`Cut at ${l.name}`} checked={cuts.includes(l.name)} onChange={(e) => toggleCut(l.name, e.target.checked)} />}
                    </td>
                    <td>{l.name}</td>
                    <td>{l.className}</td>
                    <td>{shapeText(l.outputShape)}</td>
                    <td>{l.params ? l.params.toLocaleString('en') : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      )}
    </fieldset>
  );
}
