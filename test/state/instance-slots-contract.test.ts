import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FRESH_MS, LEASE_MS, PACE_BASE_MS, PACE_CAP_MS } from '../../shared/restore/slot-book';
import { FileStateStore } from '../../shared/state/file-store';
import { RedisStateStore } from '../../shared/state/redis-store';
import type { StateStore } from '../../shared/state/store';
import { testPrefix, testRedisUrl } from '../support/redis';

const opened: StateStore[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

const factories: Record<string, () => StateStore> = {
  redis: () => new RedisStateStore(testRedisUrl(), { keyPrefix: testPrefix() }),
  file: () => new FileStateStore(join(mkdtempSync(join(tmpdir(), 'rp-slots-')), 'state.json')),
};

const T = 1_800_000_000_000;
const I = 'rds-instance-in04';

for (const [kind, make] of Object.entries(factories)) {
  const open = () => {
    const store = make();
    opened.push(store);
    return store.slots;
  };

  describe(`${kind} instance slots contract`, () => {
    it('grants up to the limit, then queues with the count ahead; a holder keeps its slot', async () => {
      const slots = open();
      expect(await slots.acquire(I, 'a/DB1', { limit: 2, now: T })).toEqual({ granted: true, holder: 'a/DB1' });
      expect(await slots.acquire(I, 'b/DB2', { limit: 2, now: T + 1 })).toEqual({ granted: true, holder: 'b/DB2' });
      expect(await slots.acquire(I, 'a/DB3', { limit: 2, now: T + 2 })).toEqual({ granted: false, reason: 'busy', busy: 2, limit: 2, ahead: 0, since: T + 2 });
      expect(await slots.acquire(I, 'b/DB4', { limit: 2, now: T + 3 })).toMatchObject({ granted: false, ahead: 1, since: T + 3 });
      expect(await slots.acquire(I, 'a/DB1', { limit: 2, now: T + 4 })).toMatchObject({ granted: true });
      // Asking again keeps the place in the queue.
      expect(await slots.acquire(I, 'a/DB3', { limit: 2, now: T + 5 })).toMatchObject({ granted: false, since: T + 2, ahead: 0 });
    });

    it('a released slot goes to the oldest waiter, whoever asks first', async () => {
      const slots = open();
      await slots.acquire(I, 'a/DB1', { limit: 1, now: T });
      await slots.acquire(I, 'a/DB2', { limit: 1, now: T + 1 }); // waits first
      await slots.acquire(I, 'b/DB3', { limit: 1, now: T + 2 }); // waits second
      await slots.settle(I, ['a/DB1', 'a/DB2'], [], ['a/DB2'], T + 10); // DB1's job finished
      expect(await slots.acquire(I, 'b/DB3', { limit: 1, now: T + 11 })).toMatchObject({ granted: false, busy: 0, ahead: 1 });
      expect(await slots.acquire(I, 'a/DB2', { limit: 1, now: T + 12 })).toEqual({ granted: true, holder: 'a/DB2', waitedSince: T + 1 });
    });

    it('settle renews a step’s in-flight slots, releases the rest of its own, and leaves every other holder alone', async () => {
      const slots = open();
      await slots.acquire(I, 'a/DB1', { limit: 3, now: T });
      await slots.acquire(I, 'a/DB2', { limit: 3, now: T });
      await slots.acquire(I, 'a/DB2X', { limit: 3, now: T }); // another database whose name starts like DB2
      await slots.settle(I, ['a/DB1', 'a/DB2'], ['a/DB1'], [], T + LEASE_MS - 1);
      const book = await slots.inspect(I, T + LEASE_MS);
      expect(Object.keys(book.leases)).toEqual(['a/DB1']); // renewed; DB2X's lease lapsed on its own, DB2's was released
      expect(book.leases['a/DB1']).toBe(T + 2 * LEASE_MS - 1);
    });

    it('a lapsed lease frees its slot: an invocation that died cannot keep one', async () => {
      const slots = open();
      await slots.acquire(I, 'a/DB1', { limit: 1, now: T });
      expect(await slots.acquire(I, 'b/DB2', { limit: 1, now: T + LEASE_MS - 1 })).toMatchObject({ granted: false });
      expect(await slots.acquire(I, 'b/DB2', { limit: 1, now: T + LEASE_MS })).toMatchObject({ granted: true });
    });

    it('a waiter that stopped asking no longer holds the queue up', async () => {
      const slots = open();
      await slots.acquire(I, 'a/DB1', { limit: 1, now: T });
      await slots.acquire(I, 'a/GONE', { limit: 1, now: T + 1 });
      await slots.settle(I, ['a/DB1', 'a/GONE'], [], ['a/GONE'], T + 2);
      expect(await slots.acquire(I, 'b/DB2', { limit: 1, now: T + 2 + FRESH_MS })).toMatchObject({ granted: true });
    });

    it('a throttled create gives the slot back, keeps the place, pauses with a growing, capped backoff; an accepted one ends it', async () => {
      const slots = open();
      await slots.acquire(I, 'a/DB1', { limit: 2, now: T });
      const first = await slots.throttled(I, 'a/DB1', T - 5, T + 1, 'HTTP 429');
      expect(first).toEqual({ pausedUntil: T + 1 + PACE_BASE_MS, backoffMs: PACE_BASE_MS, since: T + 1, last: T + 1, error: 'HTTP 429' });
      // A second create sent before the pause: the same signal, the pause does not grow.
      expect(await slots.throttled(I, 'b/DB2', T + 2, T + 2, 'HTTP 429')).toMatchObject({ backoffMs: PACE_BASE_MS, last: T + 2 });
      expect(await slots.acquire(I, 'a/DB1', { limit: 2, now: T + 3 })).toMatchObject({ granted: false, reason: 'paused', busy: 0, since: T - 5, pausedUntil: T + 1 + PACE_BASE_MS });
      let now = T + 1 + PACE_BASE_MS;
      for (const expected of [2, 4, 8, 16, 16].map((m) => m * PACE_BASE_MS)) {
        const pace = await slots.throttled(I, 'a/DB1', T - 5, now, 'quota');
        expect(pace.backoffMs).toBe(Math.min(expected, PACE_CAP_MS));
        expect(pace.since).toBe(T + 1);
        now = pace.pausedUntil;
      }
      expect(await slots.acquire(I, 'a/DB1', { limit: 2, now })).toEqual({ granted: true, holder: 'a/DB1', waitedSince: T - 5 });
      await slots.accepted(I);
      expect((await slots.inspect(I, now)).pace).toBeUndefined();
    });

    it('twenty concurrent askers for three slots: exactly three get one', async () => {
      const slots = open();
      const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => slots.acquire(I, `c${i % 4}/DB${i}`, { limit: 3, now: T })));
      expect(outcomes.filter((o) => o.granted)).toHaveLength(3);
      expect(Object.keys((await slots.inspect(I, T)).leases)).toHaveLength(3);
    });

    it('instances are independent', async () => {
      const slots = open();
      await slots.acquire('one', 'a/DB1', { limit: 1, now: T });
      expect(await slots.acquire('two', 'a/DB2', { limit: 1, now: T })).toMatchObject({ granted: true });
      expect(await slots.inspect('three', T)).toEqual({ leases: {}, queue: {} });
    });
  });
}
