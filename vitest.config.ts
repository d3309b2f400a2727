import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The JSON report lets .ci/run print a plain "N passed, N failed" closing line.
    reporters: ['default', ['json', { outputFile: 'out/test-results.json' }]],
    projects: [
      {
        // Pure modules: specs beside their code.
        test: {
          name: 'unit',
          include: ['domain/**/*.spec.ts', 'render/**/*.spec.ts', 'demo/**/*.spec.ts', 'templates/**/*.spec.ts', 'config/**/*.spec.ts', 'iati/**/*.spec.ts', 'imports/**/*.spec.ts', 'sources/**/*.spec.ts', 'logframe/**/*.spec.ts'],
        },
      },
      {
        // Against real servers that the global setup starts (PostgreSQL, Temporal dev server) and stops.
        // One fork, one file at a time: the Temporal native bridge does not survive multi-threaded pools.
        test: {
          name: 'integration',
          include: ['test/**/*.spec.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          pool: 'forks',
          maxWorkers: 1,
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
