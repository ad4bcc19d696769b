import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RECENT_FINISHED } from '../../shared/chains/prune';
import { SyntheticDatabase } from '../../scripts/synthetic/backups';
import { testRedisUrl } from '../support/redis';
import { startPipeline, type Pipeline } from '../support/pipeline';

/**
 * Through the real handlers, Redis and the local cloud: a database that has restored many logs keeps a
 * fixed number of records in Redis, and an old event delivered again after its record left is read,
 * found covered by its LSNs, and never becomes a second restore job.
 */
let p: Pipeline;
let redis: Redis | undefined;
afterEach(async () => {
  await redis?.quit();
  await p?.close();
});

describe('bounded chain state', () => {
  it('60 restored logs leave at most the full, the restore point and the recent files; an old event again makes no job', async () => {
    p = await startPipeline();
    redis = new Redis(testRedisUrl());
    const db = new SyntheticDatabase('ERP');
    const events = [p.upload('erp/ERP/full.bak', { content: db.full() })];
    for (let i = 1; i <= 60; i++) events.push(p.upload(`erp/ERP/log-${String(i).padStart(3, '0')}.trn`, { content: db.log() }));
    for (const event of events) {
      await p.handler(event);
      p.cloud.drs.settle();
      await p.poll();
      p.advanceClock(15 * 60_000); // a log every 15 minutes
    }
    expect(p.created()).toHaveLength(61);
    const records = await redis.hlen(`${p.keyPrefix}{erp-prod}/ERP:files`);
    expect(records).toBeGreaterThan(0);
    expect(records).toBeLessThanOrEqual(RECENT_FINISHED + 2);

    const reads = () => p.cloud.requests.filter((r) => r.operation === 'obs.getObject').length;
    const before = reads();
    await p.handler(events[3]!); // log-003: its record left long ago
    await p.handler(events[0]!); // the full
    p.cloud.drs.settle();
    await p.poll();
    expect(p.created()).toHaveLength(61);
    expect(reads() - before).toBeGreaterThan(0); // recognised by its LSNs, not by a record
    const status = await p.state('erp-prod');
    expect(status.files['erp/ERP/log-003.trn']).toMatchObject({ status: 'not-needed', because: 'covered' });
    expect(p.pages()).toEqual([]);
  });

  it("a database whose chain expired (retention) leaves its source's list at the next tick, and no tick works on it again", async () => {
    p = await startPipeline();
    redis = new Redis(testRedisUrl());
    await p.handler(p.upload('erp/ERP_FULL_20261120000000.bak'));
    await p.handler(p.upload('erp/CRM_FULL_20261120000000.bak'));
    await p.poll();
    await redis.del(`${p.keyPrefix}{erp-prod}/CRM:meta`, `${p.keyPrefix}{erp-prod}/CRM:files`); // as retention would
    expect((await p.store.listDatabases('erp-prod')).sort()).toEqual(['', 'CRM', 'ERP']);
    await p.poll();
    expect((await p.store.listDatabases('erp-prod')).sort()).toEqual(['', 'ERP']);
    expect((await p.poll()).chains).toBe(1);
  });

  it('a database still in play that nothing changes for days has its retention renewed once a day, so it does not expire', async () => {
    p = await startPipeline();
    redis = new Redis(testRedisUrl());
    await p.handler(p.upload('erp/ERP_LOG_20261120010000.trn')); // waits for its full
    const updatedAt = async () => (await p.store.load('erp-prod/ERP')).meta.updatedAt;
    const first = await updatedAt();
    await p.poll();
    expect(await updatedAt()).toBe(first);
    p.advanceClock(25 * 3_600_000);
    await p.poll();
    expect(await updatedAt()).toBeGreaterThan(first + 24 * 3_600_000);
    expect(await redis.pttl(`${p.keyPrefix}{erp-prod}/ERP:files`)).toBeGreaterThan(0);
  });
});
