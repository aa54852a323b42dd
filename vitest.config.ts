import { defineConfig } from 'vitest/config';

// Tests open real sockets and spawn real processes on 127.0.0.1; on a 2-core
// machine too many parallel files make timing-based assertions flaky.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'reports/runs/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    maxWorkers: 2,
    pool: 'forks',
  },
});
