/** The experiment config, restored from and kept in sync with the URL hash (#config=…). */
import { useEffect, useState } from 'react';
import { configFromHash, configToHash, DEFAULT_CONFIG, type StudioConfig } from './studioConfig';

export function useConfigState() {
  const [initial] = useState(() => configFromHash(window.location.hash));
  const [config, setConfig] = useState<StudioConfig>(initial?.config ?? DEFAULT_CONFIG);
  const [linkProblems, setLinkProblems] = useState<string[]>(initial?.problems ?? []);

  useEffect(() => {
    const hash = configToHash(config);
    // replaceState: every edit must not add a history entry, and it fires no hashchange.
    if (window.location.hash !== hash) window.history.replaceState(null, '', hash);
  }, [config]);

  useEffect(() => {
    const onHash = () => {
      const parsed = configFromHash(window.location.hash);
      if (!parsed) return;
      if (parsed.config) {
        setConfig(parsed.config);
        setLinkProblems([]);
      } else setLinkProblems(parsed.problems);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  return { config, setConfig, linkProblems };
}
