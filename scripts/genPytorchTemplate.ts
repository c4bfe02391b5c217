/**
 * Writes src/core/export/pytorch/trainPy.generated.ts from template/train.py:
 *   npx tsx scripts/genPytorchTemplate.ts
 *
 * Why a generated module: train.py must stay a real Python file that tests run directly, and
 * core code must reach its text in the browser (Vite), in Node under tsx (CLI) and in Vitest
 * alike. A plain TS string works in all three with no bundler feature (Vite's `?raw` does not
 * load under tsx) and no Node API in core; src/core/export/pytorch/template.test.ts fails
 * when this module is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generatedModule } from '../src/core/export/pytorch/templateModule';

const dir = fileURLToPath(new URL('../src/core/export/pytorch/', import.meta.url));
const source = readFileSync(`${dir}template/train.py`, 'utf8');
writeFileSync(`${dir}trainPy.generated.ts`, generatedModule(source));
console.log(`Wrote ${dir}trainPy.generated.ts (${source.length} characters of train.py).`);
