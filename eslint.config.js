import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'docs/api/**',
      'node_modules/**',
      'coverage/**',
      'examples/browser/dist/**',
      'src/kernels/assembly/**',
      '.scratch/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: [
      'src/text/**',
      'src/data/**',
      'src/sampling/**',
      'src/metrics/**',
      'src/ragged/**',
      'src/synthetic/**',
      'src/baselines/**',
    ],
    ignores: ['src/ragged/tensors.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@tensorflow/*', '**/layers/**', '**/model/**', '**/backend/**'],
              message: 'text/data/sampling/metrics must stay TensorFlow-free.',
            },
          ],
        },
      ],
    },
  },
);
