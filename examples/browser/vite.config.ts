import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * `npm run example:browser` builds the package and serves the page; `vite build` writes dist/.
 * An app that installed mars-rec needs none of this file: Vite finds the package's "browser"
 * build through its exports. Here, inside the repository, 'mars-rec' is aliased to the
 * repository itself so the page imports the built package exactly as an app would.
 */
export default defineConfig({
  root: here,
  base: './',
  resolve: { alias: { 'mars-rec': join(here, '../..') } },
  build: { outDir: join(here, 'dist'), emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4096 },
  server: { open: false },
});
