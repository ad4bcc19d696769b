import { randomUUID } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { findRedis } from './find-redis';
import { findLeftovers, leftoverMessage, removeLeftovers } from './leftovers';

/**
 * Vitest globalSetup: finds a Redis once for the whole run (find-redis.ts), hands its URL and a run
 * id to the suites, and at the end fails the run if the suites left any key of theirs behind.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await findRedis();
  const runId = randomUUID().slice(0, 8);
  project.provide('redisUrl', redis.url);
  project.provide('redisRunId', runId);
  return async () => {
    try {
      const left = await findLeftovers(redis.url, runId, { everyKey: redis.source === 'private' });
      if (left.length > 0) {
        // Vitest only logs an error thrown here ("error during close") and still exits 0; set the code too.
        process.exitCode = 1;
        const error = new Error(leftoverMessage(redis.source === 'private' ? 'the private redis-server' : redactedUrl(redis.url), left));
        error.stack = error.message; // where teardown threw says nothing; the keys say which suite
        // Reported, then removed: a failing run must not pollute the developer's Redis either.
        await removeLeftovers(redis.url, left);
        throw error;
      }
    } finally {
      await redis.stop();
    }
  };
}

function redactedUrl(url: string): string {
  const safe = new URL(url);
  safe.password = '';
  return safe.toString();
}
