/** Peer k's name in tables, charts and file names: A, B, C, … (then 27, 28, … past Z). */
export function peerLetter(k: number): string {
  return k < 26 ? String.fromCharCode(65 + k) : String(k + 1);
}
