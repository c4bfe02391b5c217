import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    // harness.html drives the worker without the studio UI: browser tests and the benchmark.
    rollupOptions: { input: { main: 'index.html', harness: 'harness.html' } },
  },
  // tfjs ships prebuilt bundles; pre-bundling them only slows the dev server.
  optimizeDeps: { exclude: ['@tensorflow/tfjs-backend-wasm'] },
});
