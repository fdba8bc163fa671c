import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Real engines, real databases and real child processes: generous timeouts, never timing assertions.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores on CI; files run in parallel forks, tests inside a file run in order.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
