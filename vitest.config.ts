import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'ui/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll waits for something to happen (a page to render, an event to arrive): its bound is
    // liveness, not speed. Vitest's default (1 s) is less than one Chromium step takes on a loaded
    // 2-core CI box; speed targets live in the benchmarks.
    expect: { poll: { timeout: 10_000 } },
    // Real-socket suites start servers and proxies; two cores do not gain from more workers.
    maxWorkers: 2,
    // A skipped test in CI hides a missing dependency: fail instead.
    allowOnly: false,
    // CI also writes a machine-readable summary that .ci/run turns into its closing line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.test-results.json' }]] : ['default'],
  },
});
