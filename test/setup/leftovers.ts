import { Redis } from 'ioredis';

/**
 * The keys a test run left behind. Every key a suite writes carries the run's id in its prefix
 * (test/support/redis.ts), so on a shared Redis — the developer's, or another worktree running its
 * tests at the same moment — the run's own leftovers are told apart exactly. A private server holds
 * nothing but this run's keys, so there every key counts.
 */
export async function findLeftovers(url: string, runId: string, options: { everyKey: boolean }): Promise<string[]> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  try {
    const found: string[] = [];
    // SCAN, not KEYS: a developer's Redis may be large, and KEYS blocks it.
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', options.everyKey ? '*' : `*${runId}*`, 'COUNT', 1000);
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    return found.sort();
  } finally {
    redis.disconnect();
  }
}

export function leftoverMessage(url: string, keys: string[]): string {
  const shown = keys.slice(0, 10).map((k) => `  ${k}`);
  const more = keys.length > 10 ? [`  … and ${keys.length - 10} more`] : [];
  return [`The test suites left ${keys.length} key(s) in ${url}; each suite must remove what it writes (test/support/redis.ts):`, ...shown, ...more].join('\n');
}

export async function removeLeftovers(url: string, keys: string[]): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    for (let i = 0; i < keys.length; i += 500) await redis.unlink(...keys.slice(i, i + 500));
  } finally {
    redis.disconnect();
  }
}
