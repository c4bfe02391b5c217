/** One file of an exported project, its path relative to the project folder. */
export interface ExportFile {
  path: string;
  contents: string | Uint8Array;
}
