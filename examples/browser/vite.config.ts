import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import type { Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const wasmDist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));

/** TensorFlow.js's flat ES module bundles: one file a package instead of hundreds, a faster build. */
const flatBundles = Object.fromEntries(
  [
    ['@tensorflow/tfjs-core', 'tf-core'],
    ['@tensorflow/tfjs-layers', 'tf-layers'],
    ['@tensorflow/tfjs-backend-cpu', 'tf-backend-cpu'],
    ['@tensorflow/tfjs-backend-wasm', 'tf-backend-wasm'],
  ].map(([name, file]) => [name, require.resolve(`${name}/dist/${file}.fesm.js`)]),
);
const wasmFiles = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
];

/** Serves (dev) and emits (build) the wasm backend's binaries under tfjs-wasm/, where main.ts points setWasmPaths. */
function tfjsWasmFiles(): Plugin {
  return {
    name: 'tfjs-wasm-files',
    configureServer(server) {
      server.middlewares.use('/tfjs-wasm', (request, response, next) => {
        const name = (request.url ?? '').replace(/^\//, '').split('?')[0];
        if (!wasmFiles.includes(name)) return next();
        response.setHeader('Content-Type', 'application/wasm');
        response.end(readFileSync(join(wasmDist, name)));
      });
    },
    generateBundle() {
      for (const name of wasmFiles) {
        this.emitFile({
          type: 'asset',
          fileName: `tfjs-wasm/${name}`,
          source: readFileSync(join(wasmDist, name)),
        });
      }
    },
  };
}

/** `npx vite --config examples/browser/vite.config.ts` serves the page; `vite build` writes dist/. */
export default defineConfig({
  root: here,
  base: './',
  // the page imports the library from its sources; an app would import the published package
  resolve: { alias: { 'mars-rec': join(here, '../../src/index.ts'), ...flatBundles } },
  plugins: [tfjsWasmFiles()],
  build: { outDir: join(here, 'dist'), emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4096 },
  logLevel: 'warn',
});
