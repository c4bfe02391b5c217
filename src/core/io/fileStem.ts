/** A file-name-safe version of a run's name (letters, digits, '.', '-', '_'), at most 60 characters. */
export function fileStem(name: string): string {
  return name.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 60) || 'model';
}
