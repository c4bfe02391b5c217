/**
 * Running Debian's Python with PyTorch from the export's tests. A missing torch is a failure
 * with the reason, never a skip: these tests are the proof that the export trains as the studio.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ExportFile } from './files';

export const PYTHON = '/usr/bin/python3';
export const HERE = import.meta.dirname;
export const CHECK_PY = join(HERE, 'testing', 'check.py');
export const TRAIN_PY_PATH = join(HERE, 'template', 'train.py');

export interface ProcessResult {
  code: number | null;
  out: string;
  seconds: number;
}

/** Run a command; throws with its output unless it exits 0. */
export function run(cmd: string, args: readonly string[], opts: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): ProcessResult {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, encoding: 'utf8', timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 << 20 });
  const res = { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, seconds: (performance.now() - t0) / 1000 };
  if (r.error) throw new Error(`${cmd} ${args.join(' ')} could not run: ${r.error.message}\n${res.out}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}:\n${res.out}`);
  return res;
}

/** Fails loudly when /usr/bin/python3 cannot import torch, numpy and PIL. Returns torch's version. */
export function requireTorch(): string {
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy, PIL; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0)
    throw new Error(
      `The PyTorch export's equivalence tests need ${PYTHON} with torch, numpy and Pillow, and it cannot import them ` +
        `(${r.error?.message ?? (r.stderr || '').trim().split('\n').pop()}). Install Debian's python3-torch, python3-numpy and python3-pil.`,
    );
  return r.stdout.trim();
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeFiles(dir: string, files: readonly ExportFile[]): void {
  for (const f of files) {
    const path = join(dir, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.contents);
  }
}

/** Float32 little-endian bytes of an array. */
export function f32Bytes(a: ArrayLike<number>): Uint8Array {
  const f = Float32Array.from(a);
  return new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
}
