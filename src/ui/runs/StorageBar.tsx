/** How much of the browser's storage the studio uses, and the request to keep it (navigator.storage.persist). */
import { useState } from 'react';
import type { StorageEstimate } from '../../storage/runStore';
import { formatBytes } from '../common/format';
import { Bar } from '../common/Bar';

interface Props {
  estimate: StorageEstimate | null;
  /** true: granted; false: refused; null: not possible here. */
  onPersist: () => Promise<boolean | null>;
}

const ANSWERS = {
  granted: 'The browser will keep the runs even when disk space runs low.',
  refused: 'The browser said no (Chrome grants it to sites you bookmark or visit often). Runs stay until space runs low or you clear site data.',
  impossible: 'This browser cannot promise to keep the data.',
};

export function StorageBar({ estimate, onPersist }: Props) {
  const [answer, setAnswer] = useState<string | null>(null);
  if (!estimate) return <p className="hint">This browser does not say how much storage the studio may use.</p>;
  const ask = async () => {
    const granted = await onPersist();
    setAnswer(granted ? ANSWERS.granted : granted === false ? ANSWERS.refused : ANSWERS.impossible);
  };
  return (
    <div className="storage-bar">
      <Bar role="meter" label="Storage used" value={estimate.usage} max={estimate.quota} />
      <span className="progress-text">
        Storage: {formatBytes(estimate.usage)} used of {formatBytes(estimate.quota)}
        {estimate.persisted ? ' · kept persistently' : ' · the browser may clear it when disk space runs low'}
      </span>
      {!estimate.persisted && (
        <button type="button" onClick={() => void ask()}>
          Keep data persistent
        </button>
      )}
      {answer && <span className="hint">{answer}</span>}
    </div>
  );
}
