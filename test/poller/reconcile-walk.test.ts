import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { SyntheticDatabase } from '../../scripts/synthetic/backups';
import { testRedisUrl } from '../support/redis';
import { startPipeline, type Pipeline } from '../support/pipeline';

/**
 * Reconcile walks a source's prefix page by page, linear in what it lists: across ticks when one
 * tick's time cannot hold it (a cursor in the source's own chain), reading only objects no chain
 * knows that are newer than the last complete walk.
 */
let p: Pipeline;
afterEach(async () => p?.close());

const HOUR = 3_600_000;
const count = (operation: string) => p.cloud.requests.filter((r) => r.operation === operation).length;

describe('reconcile walk', () => {
  it('1,100 objects whose events were lost: one page per tick when time is short, every file found, then nothing read again', async () => {
    p = await startPipeline();
    const db = new SyntheticDatabase('ERP');
    // Uploaded, but no event ever arrived: only a reconcile can find them.
    p.cloud.obs.put('mig-backups', 'erp/ERP/full.bak', { content: db.full() });
    for (let i = 1; i < 1_100; i++) p.cloud.obs.put('mig-backups', `erp/ERP/log-${String(i).padStart(4, '0')}.trn`, { content: db.log() });

    // Time runs short after the first listing page: the walk stops there and keeps its place.
    const lists = count('obs.listObjects');
    const first = await p.poll({ getRemainingTimeInMilliSeconds: () => (count('obs.listObjects') > lists ? 19_000 : 120_000) });
    expect(first).toMatchObject({ reconciled: 1, lostUploadsFound: 1_000, errors: [] }); // crm's prefix is empty: its walk completes
    expect(Object.keys((await p.state('erp-prod')).files)).toHaveLength(1_000);
    expect(p.created().map((c) => c.file)).toEqual(['erp/ERP/full.bak']);

    const listed = p.cloud.requests.length;
    const second = await p.poll();
    expect(second).toMatchObject({ reconciled: 1, lostUploadsFound: 100, errors: [] }); // crm's is not due again yet
    const calls = p.cloud.requests.slice(listed);
    // It went on from its cursor: erp's one list call starts after the first page, and only the rest was read.
    expect(calls.filter((r) => r.operation === 'obs.listObjects' && r.query.get('prefix') === 'erp/').map((r) => r.query.get('marker'))).toEqual(['erp/ERP/log-0999.trn']);
    expect(calls.filter((r) => r.operation === 'obs.getObject')).toHaveLength(100);
    expect(Object.keys((await p.state('erp-prod')).files)).toHaveLength(1_100);

    // The next walks list everything and read nothing: versions the chains know, then objects older than the last walk.
    p.advanceClock(HOUR);
    let reads = count('obs.getObject');
    expect(await p.poll()).toMatchObject({ reconciled: 2, lostUploadsFound: 0 });
    expect(count('obs.getObject')).toBe(reads);
    const redis = new Redis(testRedisUrl());
    // As if every record had been pruned and the hints lost: only the last walk's time keeps the next from reading.
    await redis.del(`${p.keyPrefix}{erp-prod}/ERP:files`, `${p.keyPrefix}{erp-prod}:where`);
    await redis.quit();
    p.advanceClock(HOUR);
    reads = count('obs.getObject');
    expect(await p.poll()).toMatchObject({ reconciled: 2, lostUploadsFound: 0 });
    expect(count('obs.getObject')).toBe(reads);
    expect(p.created()).toHaveLength(1);
  });

  it('an object OBS will not serve now is skipped, the rest of the walk goes on, and the next walk reads it again', async () => {
    p = await startPipeline();
    const db = new SyntheticDatabase('ERP');
    p.cloud.obs.put('mig-backups', 'erp/ERP/full.bak', { content: db.full() });
    for (let i = 1; i < 30; i++) p.cloud.obs.put('mig-backups', `erp/ERP/log-${String(i).padStart(2, '0')}.trn`, { content: db.log() });
    p.cloud.faults.add({ operation: 'obs.getObject', kind: 'status', status: 403, errorCode: 'AccessDenied', errorMsg: 'Access Denied', count: 1 });
    expect(await p.poll()).toMatchObject({ reconciled: 2, lostUploadsFound: 29, errors: [] });
    expect(p.logs.text()).toContain('reconcile.read.failed');
    p.advanceClock(HOUR);
    const reads = count('obs.getObject');
    expect(await p.poll()).toMatchObject({ reconciled: 2, lostUploadsFound: 1, errors: [] });
    expect(count('obs.getObject') - reads).toBe(1);
    expect(Object.keys((await p.state('erp-prod')).files)).toHaveLength(30);
    p.advanceClock(HOUR);
    const after = count('obs.getObject');
    expect(await p.poll()).toMatchObject({ lostUploadsFound: 0 });
    expect(count('obs.getObject')).toBe(after);
  });
});
