import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 600_000,
    // E2E suites share one Docker engine and fixed container names: one file at a time there.
    fileParallelism: true,
    // In CI a JSON report lets .ci/run print the 'N passed, N failed' line from the runner's own counts.
    reporters: process.env.CI === 'true' ? ['default', ['json', { outputFile: '.tmp/vitest-report.json' }]] : ['default'],
  },
});
