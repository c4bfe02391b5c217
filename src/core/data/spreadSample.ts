/**
 * A small slice of a dataset that still covers all of it: the items sorted by file name, then
 * n of them taken at even steps, so every reference content is represented (bench and browser
 * harness pick the same images this way).
 */
export function spreadSample<T extends { file: string }>(items: readonly T[], n: number): T[] {
  const all = [...items].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const count = Math.max(0, Math.min(Math.floor(n), all.length));
  const step = all.length / count;
  return Array.from({ length: count }, (_, i) => all[Math.floor(i * step)]!);
}
