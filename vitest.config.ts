import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'ui/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Real-socket suites start servers and proxies; two cores do not gain from more workers.
    maxWorkers: 2,
    // A skipped test in CI hides a missing dependency: fail instead.
    allowOnly: false,
    // CI also writes a machine-readable summary that .ci/run turns into its closing line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.test-results.json' }]] : ['default'],
  },
});
