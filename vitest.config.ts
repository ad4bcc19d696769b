import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Finds (or starts) the Redis the suites share and checks at the end that they left no key behind.
    globalSetup: ['test/setup/global.ts'],
    // Removes each test file's Redis keys when the file ends.
    setupFiles: ['test/setup/cleanup.ts'],
    // Redis-backed suites share one server; files run in parallel but each uses its own key prefix.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
