import { Redis } from 'ioredis';
import { pings } from './ping';
import { redisServerOnPath, startPrivateRedis } from './private-redis';

export interface FoundRedis {
  url: string;
  /** Where it came from; a private server is the only one the run owns entirely. */
  source: 'REDIS_URL' | 'local' | 'private';
  /** Stops what discovery started (the private server); nothing otherwise. */
  stop(): Promise<void>;
}

export interface FindRedisOptions {
  /** REDIS_URL and PATH are read from here. */
  env?: NodeJS.ProcessEnv;
  /** The developer's usual Redis. */
  local?: { host: string; port: number };
  pingTimeoutMs?: number;
}

/** No Redis anywhere: the one message a newcomer sees, saying how to get one. */
export class NoRedisError extends Error {
  override readonly name = 'NoRedisError';
  constructor(message: string) {
    super(message);
    // No frames: vitest would print them with a code frame, burying the one line that says what to do.
    this.stack = `${this.name}: ${message}`;
  }
}

/**
 * Finds the Redis the tests use, in this order: REDIS_URL if set; else the local one if it answers
 * PING quickly; else a private redis-server on a free port when the binary is on PATH. Otherwise it
 * throws NoRedisError at once rather than letting 45 tests time out one by one.
 */
export async function findRedis(options: FindRedisOptions = {}): Promise<FoundRedis> {
  const env = options.env ?? process.env;
  const local = options.local ?? { host: '127.0.0.1', port: 6379 };
  const pingTimeoutMs = options.pingTimeoutMs ?? 300;
  const nothing = async () => undefined;

  if (env.REDIS_URL) {
    await checkRedisUrl(env.REDIS_URL);
    return { url: env.REDIS_URL, source: 'REDIS_URL', stop: nothing };
  }
  if (await pings(local.host, local.port, pingTimeoutMs)) return { url: `redis://${local.host}:${local.port}`, source: 'local', stop: nothing };
  const binary = redisServerOnPath(env.PATH);
  if (binary) {
    const started = await startPrivateRedis(binary);
    return { url: started.url, source: 'private', stop: started.stop };
  }
  throw new NoRedisError(
    `The tests need Redis and found none: REDIS_URL is not set, nothing answered PING on ${local.host}:${local.port} within ${pingTimeoutMs} ms, ` +
      `and redis-server is not on PATH to start a private one. Install it (Debian/Ubuntu: sudo apt-get install redis-server) ` +
      `or point the tests at a Redis: REDIS_URL=redis://host:port npm test`,
  );
}

/** A REDIS_URL that does not answer would fail every Redis test slowly; say so once, without its password. */
async function checkRedisUrl(url: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    const safe = new URL(url);
    safe.password = '';
    safe.username = '';
    throw new NoRedisError(`REDIS_URL (${safe.toString()}) does not answer PING: ${(error as Error).message}. Unset it to use 127.0.0.1:6379 or a private redis-server.`);
  } finally {
    redis.disconnect();
  }
}
