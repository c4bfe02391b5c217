import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * Cross-origin isolation (COOP + COEP): without it the browser gives no SharedArrayBuffer,
 * and the wasm backend cannot run its threaded binary. Everything the studio loads is
 * same-origin, so require-corp blocks nothing of its own.
 */
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * tfjs's wasm backend starts each pthread of its threaded binary with a script made of the
 * emscripten factory's source text (`factory.toString()`). Once the bundle is minified that
 * text is no longer self-contained: it names the bundle's renamed `_scriptDir` (`e`), so
 * every pthread dies with "ReferenceError: e is not defined" and the uncaught error takes
 * the training worker down. The pthreads get emscripten's file verbatim instead.
 */
function tfjsWasmPthreadScript(): Plugin {
  const factoryText = /`var WasmBackendModuleThreadedSimd = `\s*\+\s*wasmFactoryThreadedSimd\.toString\(\)/;
  return {
    name: 'tfjs-wasm-pthread-script',
    enforce: 'pre',
    transform(code, id) {
      if (!/@tensorflow[\\/]tfjs-backend-wasm[\\/]dist[\\/]backend_wasm\.js$/.test(id.split('?')[0]!)) return null;
      if (!factoryText.test(code)) {
        this.error('@tensorflow/tfjs-backend-wasm no longer builds its pthread script from the factory text: revisit tfjsWasmPthreadScript in vite.config.ts');
      }
      return {
        code:
          "import threadedSimdScript from '../wasm-out/tfjs-backend-wasm-threaded-simd.js?raw';\n" +
          code.replace(factoryText, 'threadedSimdScript'),
        map: null,
      };
    },
  };
}

export default defineConfig({
  plugins: [react(), tfjsWasmPthreadScript()],
  server: { headers: isolation },
  preview: { headers: isolation },
  // config.plugins reach workers only in dev; the build bundles workers with these.
  worker: { format: 'es', plugins: () => [tfjsWasmPthreadScript()] },
  // No optimizeDeps.exclude for tfjs-backend-wasm: served unbundled in dev it brought its
  // CommonJS emscripten files and a second tfjs-core, and the worker failed to load.
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    // harness.html drives the worker without the studio UI: browser tests and the benchmark.
    rollupOptions: { input: { main: 'index.html', harness: 'harness.html' } },
  },
});
