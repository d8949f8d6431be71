import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// The console SPA. No React plugin: Vite's built-in oxc transform compiles TSX with React's
// automatic runtime. `vite build --config apps/console/vite.config.mts` → dist/console/.
const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: resolve(here, '../../dist/console'),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    // `vite --config apps/console/vite.config.mts` during development: proxy to a running
    // console server (npm start), which forwards to the services.
    proxy: { '/api': process.env.CONSOLE_URL ?? 'http://127.0.0.1:3000' },
  },
});
