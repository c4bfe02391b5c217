/**
 * Builds the app with the project's Vite config (harness.html is one of its inputs) into a
 * cache folder and serves it with `vite preview`, so the benchmark runs the same production
 * bundle as the studio and the browser tests, without touching dist/.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview, type PreviewServer } from 'vite';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const OUT_DIR = resolve(ROOT, 'node_modules/.cache/dml-harness');

export interface HarnessServer {
  /** e.g. http://localhost:4183/harness.html */
  url: string;
  close(): Promise<void>;
}

export async function buildHarness(): Promise<void> {
  await build({
    root: ROOT,
    configFile: resolve(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: {
      outDir: OUT_DIR,
      emptyOutDir: true,
      // Same key as vite.config.ts, so the inputs merge (and harness.html is built even if it leaves the config).
      rollupOptions: {
        input: { harness: resolve(ROOT, 'harness.html') },
        // "plugins took N s" notes: slow CPUs make them every time, and they are not ours to act on.
        checks: { bundlerTimings: false },
      },
    },
  });
}

export async function serveHarness(port: number): Promise<HarnessServer> {
  const server: PreviewServer = await preview({
    root: ROOT,
    configFile: resolve(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: OUT_DIR },
    preview: { port, strictPort: true, host: 'localhost' },
  });
  return { url: `http://localhost:${port}/harness.html`, close: () => server.close() };
}

