/** The text of trainPy.generated.ts for a given train.py: shared by the generator and the staleness test. */
export function generatedModule(trainPy: string): string {
  return [
    '// Generated from template/train.py by `npx tsx scripts/genPytorchTemplate.ts`: edit train.py, then run that.',
    `export const TRAIN_PY: string = ${JSON.stringify(trainPy)};`,
    '',
  ].join('\n');
}
