/** The config as one JSON: copy it, copy a link to it, download it, or load one. */
import { useId, useState } from 'react';
import { downloadText } from '../common/download';
import { configToJson, parseStudioConfig, type StudioConfig } from './studioConfig';

interface Props {
  config: StudioConfig;
  onLoad: (c: StudioConfig) => void;
  disabled: boolean;
}

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

export function ConfigActions({ config, onLoad, disabled }: Props) {
  const id = useId();
  const [message, setMessage] = useState<{ text: string; bad?: boolean; fallback?: string } | null>(null);
  const json = configToJson(config);

  return (
    <div className="config-actions">
      <div className="button-row">
        <button
          type="button"
          onClick={async () =>
            setMessage((await copy(json)) ? { text: 'Config copied to the clipboard.' } : { text: 'The browser blocked the clipboard; copy it from here:', fallback: json })
          }
        >
          Copy config
        </button>
        <button
          type="button"
          onClick={async () => {
            const link = window.location.href;
            setMessage((await copy(link)) ? { text: 'Link copied: it opens the studio with this config.' } : { text: 'The browser blocked the clipboard; copy the link from here:', fallback: link });
          }}
        >
          Copy link
        </button>
        <button type="button" onClick={() => downloadText('dml-iqa-config.json', json + '\n', 'application/json')}>
          Download config
        </button>
        <label htmlFor={id} className={`button-like${disabled ? ' is-disabled' : ''}`}>
          Load config
        </label>
        <input
          id={id}
          className="visually-hidden-file"
          type="file"
          accept=".json,application/json"
          disabled={disabled}
          onChange={async (e) => {
            const f = e.currentTarget.files?.[0];
            e.currentTarget.value = '';
            if (!f) return;
            const parsed = parseStudioConfig(await f.text());
            if (!parsed.config)
              setMessage({ text: `${f.name} was not loaded: ${parsed.problems.join(' ')} Fix the file or download a fresh config.`, bad: true });
            else {
              onLoad(parsed.config);
              setMessage({ text: `Loaded ${f.name}.${parsed.notes.length ? ' ' + parsed.notes.join(' ') : ''}` });
            }
          }}
        />
      </div>
      {message && (
        <div className={message.bad ? 'error-inline' : 'status-line'} role="status">
          {message.text}
          {message.fallback && <textarea readOnly aria-label="Text to copy" value={message.fallback} rows={4} onFocus={(e) => e.currentTarget.select()} />}
        </div>
      )}
    </div>
  );
}
