import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { findRedis, NoRedisError } from './find-redis';
import { pings } from './ping';
import { freePort, redisServerOnPath } from './private-redis';

// Discovery's own paths, run for real: the machine's shared Redis is never touched; each case points
// discovery at a port nobody listens on, so "the local Redis" is absent.
describe('finding a Redis for the tests', () => {
  it('with no REDIS_URL, nothing on the local port and no redis-server on PATH, fails at once saying how to get one', async () => {
    const closed = await freePort();
    const started = Date.now();
    const error = await findRedis({ env: { PATH: '/nonexistent' }, local: { host: '127.0.0.1', port: closed } }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error).toBeInstanceOf(NoRedisError);
    const message = (error as Error).message;
    expect(message).toContain(`127.0.0.1:${closed}`);
    expect(message).toContain('apt-get install redis-server');
    expect(message).toContain('REDIS_URL=redis://host:port');
  });

  it.skipIf(!redisServerOnPath(process.env.PATH))('with redis-server on PATH, starts a private one on a free port that answers PING, and stops it', async () => {
    const closed = await freePort();
    const found = await findRedis({ env: { PATH: process.env.PATH }, local: { host: '127.0.0.1', port: closed } });
    try {
      expect(found.source).toBe('private');
      const redis = new Redis(found.url);
      expect(await redis.ping()).toBe('PONG');
      // Nothing is saved to disk: a private server starts empty and leaves nothing behind.
      expect(await redis.config('GET', 'save')).toEqual(['save', '']);
      expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
      redis.disconnect();
    } finally {
      await found.stop();
    }
    const { port } = new URL(found.url);
    expect(await pings('127.0.0.1', Number(port), 300)).toBe(false);
  });

  it('REDIS_URL comes first, and one that does not answer is named without its password', async () => {
    const closed = await freePort();
    const error = await findRedis({ env: { REDIS_URL: `redis://:hunter2@127.0.0.1:${closed}/3`, PATH: process.env.PATH } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoRedisError);
    expect((error as Error).message).toContain(`REDIS_URL (redis://127.0.0.1:${closed}/3) does not answer PING`);
    expect((error as Error).message).not.toContain('hunter2');
  });
});
