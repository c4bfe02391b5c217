import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  // tfjs ships prebuilt bundles; pre-bundling them only slows the dev server.
  optimizeDeps: { exclude: ['@tensorflow/tfjs-backend-wasm'] },
});
