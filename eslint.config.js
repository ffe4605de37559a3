// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Modules a pure controller must never see (STYLE.md rule 2). */
const impure = ['@tensorflow/*', 'rxjs', 'rxjs/*', 'express', 'prom-client', 'fs', 'node:*', 'pino', 'seedrandom'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/results/**', 'runs/**', 'coverage/**', 'scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Plain JavaScript entry points run on Node.
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/train/**', 'src/model/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['@tensorflow/*'], message: 'Tensors end at the training boundary (STYLE.md rule 5).' }],
      }],
    },
  },
  {
    files: ['src/control/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: impure, message: 'src/control/ is pure: no tfjs, RxJS, HTTP, metrics or I/O (STYLE.md rule 2).' }],
      }],
    },
  },
);
