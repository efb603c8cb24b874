import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration suites each start their own redis-server and worker processes;
    // the machine has two cores, so files run one at a time in a single fork pool.
    fileParallelism: false,
    pool: 'forks',
  },
});
