import { defineConfig } from 'tsup';

/** One bundle per public entry; TensorFlow stays external so the TF-free entries never pull it in. */
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'text/index': 'src/text/index.ts',
    'data/index': 'src/data/index.ts',
    'sampling/index': 'src/sampling/index.ts',
    'metrics/index': 'src/metrics/index.ts',
    'http/index': 'src/serving/http/index.ts',
    'cli/main': 'src/cli/main.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
  target: 'node20',
  external: [/^@tensorflow\//, 'webgpu', 'fastify'],
});
