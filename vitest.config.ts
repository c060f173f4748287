import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
    // tests that start the cpu backend with tf.setBackend (selectBackend mutes it) would print
    // tfjs-backend-cpu's advice to install tfjs-node, which is an optional peer here
    onConsoleLog: (log) => !log.includes('install our node backend'),
  },
});
