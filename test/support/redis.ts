import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Redis test/setup/global.ts found or started for this run. */
    redisUrl: string;
    /** Part of every key prefix the run uses, so its leftovers can be found (test/setup/leftovers.ts). */
    redisRunId: string;
  }
}

/** The Redis every suite uses: REDIS_URL, the local one, or a private server (test/setup/find-redis.ts). */
export function testRedisUrl(): string {
  return inject('redisUrl');
}

// Modules are isolated per test file, so this is the current file's list; test/setup/cleanup.ts empties it after the file.
const tracked = new Set<string>();

/** A fresh key prefix, e.g. `test-<run>-<uuid>:`, whose keys are removed when the test file ends. */
export function testPrefix(kind = 'test'): string {
  return trackPrefix(`${kind}-${inject('redisRunId')}-${randomUUID()}:`);
}

/** Registers a prefix something else chose (a deployed stage's) for removal when the test file ends. */
export function trackPrefix(prefix: string): string {
  tracked.add(prefix);
  return prefix;
}

/** Removes every key under the prefix, whatever its TTL (the page ledger has none). */
export async function removeKeys(prefix: string): Promise<void> {
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function removeTrackedKeys(): Promise<void> {
  for (const prefix of tracked) await removeKeys(prefix);
  tracked.clear();
}

// Prefixes hold ':' and '-' only today, but a '{' or '*' in one must not widen the match to other keys.
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** A STATE_URL for the test Redis with the given key prefix (and a password, for tests of its redaction). */
export function testStateUrl(prefix?: string, options: { password?: string } = {}): string {
  const url = new URL(testRedisUrl());
  if (options.password && !url.password) url.password = options.password;
  if (prefix) url.searchParams.set('prefix', prefix);
  return url.toString();
}
