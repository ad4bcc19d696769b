import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { removeKeys, testPrefix, testRedisUrl } from '../support/redis';
import { findLeftovers, leftoverMessage } from './leftovers';

// The end-of-run check (test/setup/global.ts) relies on these two: it finds a suite's keys by the
// run id in their prefix, and removeKeys clears a prefix whatever the keys' TTL.
it('finds keys under a prefix, the TTL-less page ledger too, and none once the prefix is removed', async () => {
  const prefix = testPrefix('leftover');
  const unique = prefix.slice(0, -1); // leftover-<run>-<uuid>: only this test's keys carry it
  const redis = new Redis(testRedisUrl());
  await redis.hset(`${prefix}{_pages}:ledger`, 'p1', '{}');
  await redis.set(`${prefix}{erp}:meta`, '{}', 'PX', 60_000);
  expect(await redis.pttl(`${prefix}{_pages}:ledger`)).toBe(-1);

  const found = await findLeftovers(testRedisUrl(), unique, { everyKey: false });
  expect(found).toEqual([`${prefix}{_pages}:ledger`, `${prefix}{erp}:meta`]);
  expect(leftoverMessage('redis://r:6379', found)).toContain(`left 2 key(s) in redis://r:6379`);

  await removeKeys(prefix);
  expect(await findLeftovers(testRedisUrl(), unique, { everyKey: false })).toEqual([]);
  redis.disconnect();
});
