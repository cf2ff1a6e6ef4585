import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// Built by `npm run build` into dist/web, which ships in the npm package and is served by
// src/server/dashboard-route.ts. Everything is bundled: the page never loads from a CDN.
const webDir = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: webDir,
  base: '/',
  plugins: [preact()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    // Small enough to read in devtools; the page is served from the same process, not a CDN.
    sourcemap: false,
  },
  server: {
    // `npx vite --config web/vite.config.ts` during development, against a running `gapwarden serve`.
    proxy: { '/api': 'http://127.0.0.1:7070' },
  },
});
