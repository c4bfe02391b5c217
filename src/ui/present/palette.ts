/**
 * Colours of the presentation, per theme. The dark theme keeps the studio's network colours;
 * the light one darkens them so every line and label keeps a contrast of at least 4.5:1 on white.
 */
import type { Network } from '../charts/networks';
import type { PresentTheme } from './presentUrl';

export interface Palette {
  text: string;
  muted: string;
  grid: string;
  axis: string;
  tooltipBg: string;
  /** Per network key (baseline, peer0, …, ensemble, control). */
  net: (n: Pick<Network, 'key' | 'color'>) => string;
  peer: (k: number) => string;
}

const LIGHT_PEERS = ['#0a58b0', '#17733f', '#6a3fb5', '#b0306a', '#0b6f72', '#7a6200', '#3b4fb0', '#a04a00'];
const DARK_PEERS = ['#4fa8ff', '#5fd68f', '#c79bff', '#ff8fb8', '#60e0e0', '#e6c85c', '#a0b4ff', '#ffb36b'];

const LIGHT_NETS: Record<string, string> = { baseline: '#a34700', ensemble: '#111418', control: '#555d69' };

export function paletteOf(theme: PresentTheme): Palette {
  if (theme === 'light')
    return {
      text: '#111418',
      muted: '#3d4652',
      grid: '#d5dae1',
      axis: '#4a5360',
      tooltipBg: '#ffffff',
      peer: (k) => LIGHT_PEERS[k % LIGHT_PEERS.length]!,
      net: (n) => LIGHT_NETS[n.key] ?? (n.key.startsWith('peer') ? LIGHT_PEERS[Number(n.key.slice(4)) % LIGHT_PEERS.length]! : n.color),
    };
  return {
    text: '#f4f6fa',
    muted: '#c3ccd8',
    grid: '#2f3946',
    axis: '#8a95a5',
    tooltipBg: '#1b222c',
    peer: (k) => DARK_PEERS[k % DARK_PEERS.length]!,
    net: (n) => n.color,
  };
}
