import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Redis-backed suites share one server; files run in parallel but each uses its own key prefix.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
