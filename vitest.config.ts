import { defineConfig } from 'vitest/config';

/**
 * Tests that spawn processes or run real binaries (Prometheus, promtool, Chromium, the CLI,
 * npm): `npm test` runs them, `npm run test:fast` (the edit loop) leaves them out.
 */
const SLOW = [
  'test/integration/**',
  'test/cli/lifecycle.test.ts',
  'test/cli/run-command.test.ts',
  'test/architecture/**',
  'test/prometheus/**',
  'test/deploy/**',
  'test/examples/**',
  'test/package/**',
  'test/regression/**',
];

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'fast', include: ['test/**/*.test.ts'], exclude: SLOW } },
      { extends: true, test: { name: 'slow', include: SLOW.map((g) => (g.endsWith('.ts') ? g : `${g}/*.test.ts`)) } },
    ],
  },
});
