import { defineConfig } from 'tsup';
import type { Options } from 'tsup';

/** The package's public entries (the CLI aside). */
const libraryEntries = {
  index: 'src/index.ts',
  'text/index': 'src/text/index.ts',
  'data/index': 'src/data/index.ts',
  'sampling/index': 'src/sampling/index.ts',
  'metrics/index': 'src/metrics/index.ts',
};

/** TensorFlow and Dawn stay external, so the TF-free entries never pull them in. */
const external = [/^@tensorflow\//, 'webgpu'];

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * The browser build's stand-in for Node's built-in modules. The library imports them only
 * lazily, on paths a browser never takes (reading a file by its path, saving to a directory,
 * probing Dawn in a child process); in the browser bundle such an import loads this module,
 * which fails with a message saying what to pass instead. So the bundle has no `node:` import
 * for a bundler to warn about.
 */
const nodeBuiltinsForBrowser: EsbuildPlugin = {
  name: 'mars-rec-node-builtins-for-browser',
  setup(build) {
    build.onResolve({ filter: /^node:/ }, (args) => ({
      path: args.path.slice(5),
      namespace: 'node-builtin',
    }));
    build.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) => ({
      loader: 'js',
      contents:
        `throw new Error("mars-rec: Node's '${args.path}' module is not available in a browser: pass ` +
        `lines (e.g. (await (await fetch(url)).text()).split('\\\\n')) instead of a file path, and a ` +
        `URL such as 'indexeddb://name' or a tf.io.IOHandler instead of a directory");`,
    }));
  },
};

/** Node: ES modules and CommonJS with types, and the `mars-rec` command. */
export const nodeBuild: Options = {
  entry: { ...libraryEntries, 'http/index': 'src/serving/http/index.ts', 'cli/main': 'src/cli/main.ts' },
  format: ['esm', 'cjs'],
  // tfjs-core's declarations use the global `Long` of @types/long without referencing it: a
  // consumer with skipLibCheck: false and a `types` list would get "Cannot find name 'Long'"
  dts: { banner: '/// <reference types="long" />' },
  sourcemap: true,
  clean: ['!browser/**'], // the browser build cleans its own folder; the two builds run at once
  splitting: true,
  treeshake: true,
  target: 'node20',
  shims: true, // import.meta.url in the CommonJS build (it locates the optional `webgpu` package)
  external: [...external, 'fastify'],
};

/** The `exports` condition "browser": the same API as ES modules without Node's built-ins. */
export const browserBuild: Options = {
  entry: libraryEntries,
  outDir: 'dist/browser',
  format: ['esm'],
  platform: 'browser',
  dts: false, // the types are the Node build's (dist/*.d.ts): the same API
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
  target: 'es2022',
  external,
  removeNodeProtocol: false, // else tsup strips `node:` and marks the import external first
  esbuildPlugins: [nodeBuiltinsForBrowser],
};

export default defineConfig([nodeBuild, browserBuild]);
