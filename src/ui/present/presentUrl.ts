/**
 * The presentation's choices in the address, so a speaker can prepare a link: `?present` opens
 * presentation mode, `theme=light` its light theme (for bright rooms). They live in the query,
 * not the hash: the hash holds the experiment (#config=…) and is rewritten on every edit.
 */
export type PresentTheme = 'dark' | 'light';

export interface PresentChoices {
  present: boolean;
  theme: PresentTheme;
}

export function readPresentChoices(search: string): PresentChoices {
  const q = new URLSearchParams(search);
  return { present: q.has('present') && q.get('present') !== '0', theme: q.get('theme') === 'light' ? 'light' : 'dark' };
}

/** `search` with the choices written in (other parameters, e.g. `demo`, kept); "" when nothing is left. */
export function writePresentChoices(search: string, c: PresentChoices): string {
  const q = new URLSearchParams(search);
  q.delete('present');
  q.delete('theme');
  // Bare flags (`demo`, `present`, no "=") read best in a link.
  const rest = [...q].map(([k, v]) => (v === '' ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)).join('&');
  const parts = [rest, c.present ? 'present' : '', c.present && c.theme === 'light' ? 'theme=light' : ''].filter(Boolean);
  return parts.length ? `?${parts.join('&')}` : '';
}
