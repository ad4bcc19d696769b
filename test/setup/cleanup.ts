import { afterAll } from 'vitest';
import { removeTrackedKeys } from '../support/redis';

// A setup file runs in every test file, and its hook is registered first so it runs after the file's
// own afterAll hooks (which close stores and stop clouds): whatever the file's prefixes still hold goes.
afterAll(async () => {
  await removeTrackedKeys();
});
