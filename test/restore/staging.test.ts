import { afterEach, describe, expect, it } from 'vitest';
import { SyntheticDatabase } from '../../scripts/synthetic/backups';
import { isDrsSafeName, stagingKeyFor } from '../../shared/chains/drs-name';
import { obsEvent, startPipeline, type Pipeline } from '../support/pipeline';

/** DRS takes only `[A-Za-z0-9_-]{1,…}.bak` names: anything else goes to DRS as a server-side, DRS-safe copy. */
let p: Pipeline;
afterEach(async () => p?.close());

const put = (key: string, content: Uint8Array, size?: number) => p.upload(key, { content, ...(size ? { size } : {}) });
const requests = (operation: string) => p.cloud.requests.filter((r) => r.operation === operation);

describe('DRS-safe names', () => {
  it('the rule, and one deterministic copy name per file version', () => {
    expect(isDrsSafeName('ERP_FULL_20261120_020000.bak')).toBe(true);
    for (const name of ['ERP_LOG_1.trn', 'SRV1$SQL2019_ERP_LOG_1.trn', 'Sales.EU_FULL.bak', 'my db.bak', 'Zürich_FULL.bak', `${'a'.repeat(197)}.bak`]) expect(isDrsSafeName(name), name).toBe(false);
    const key = stagingKeyFor('restore-pilot-staging/', 'erp-prod', 'mig-backups', 'erp/SRV1$SQL2019_ERP_LOG_1.trn', 'e1')!;
    expect(key).toMatch(/^restore-pilot-staging\/erp-prod\/SRV1_SQL2019_ERP_LOG_1-[0-9a-f]{12}\.bak$/);
    expect(stagingKeyFor('restore-pilot-staging/', 'erp-prod', 'mig-backups', 'erp/SRV1$SQL2019_ERP_LOG_1.trn', 'e1')).toBe(key);
    expect(stagingKeyFor('restore-pilot-staging/', 'erp-prod', 'mig-backups', 'erp/SRV1$SQL2019_ERP_LOG_1.trn', 'e2')).not.toBe(key);
    expect(stagingKeyFor('restore-pilot-staging/', 'erp-prod', 'mig-backups', 'erp/ERP_FULL_1.bak', 'e1')).toBeUndefined();
  });
});

describe('staging copies', () => {
  it('an upload and a tick reaching the same big copy at once make it once: one upload, each part once', async () => {
    p = await startPipeline();
    const key = 'erp/ERP FULL.bak';
    const event = put(key, new SyntheticDatabase('ERP').full(), 12 * 1024 ** 3);
    await Promise.all([p.handler(event), p.poll()]);
    await p.poll();
    expect(requests('obs.initiateMultipartUpload')).toHaveLength(1);
    expect(requests('obs.uploadPartCopy')).toHaveLength(12);
    expect(requests('obs.completeMultipartUpload').filter((r) => r.status === 200)).toHaveLength(1);
    expect(p.created().map((c) => c.file)).toEqual([key]);
  });

  it('a copy that cannot be deleted after its restore does not stop the chain: the success is recorded, the copy stays shown', async () => {
    p = await startPipeline();
    const db = new SyntheticDatabase('ERP');
    await p.handler(put('erp/ERP FULL.bak', db.full()));
    await p.handler(put('erp/ERP LOG 1.trn', db.log()));
    p.cloud.faults.add({ operation: 'obs.deleteObject', kind: 'status', status: 403, errorCode: 'AccessDenied', errorMsg: 'Access Denied' });
    p.cloud.drs.settle();
    await p.poll();
    const state = await p.state('erp-prod');
    expect(state.files['erp/ERP FULL.bak']).toMatchObject({ status: 'succeeded', staging: { eTag: expect.any(String) } });
    expect(state.files['erp/ERP FULL.bak']!.staging!.deleted).toBeUndefined();
    expect(p.created().map((c) => c.file)).toEqual(['erp/ERP FULL.bak', 'erp/ERP LOG 1.trn']);
    expect(p.logs.text()).toContain('staging.copy.delete.failed');
  });

  it('.trn, $, dots, spaces and non-ASCII names restore through one copy each; the copies go once restored; their events start nothing', async () => {
    p = await startPipeline();
    const db = new SyntheticDatabase('Sales.EU');
    const files: [string, Uint8Array][] = [
      ['erp/SRV1$SQL2019/Sales.EU_FULL_20261120_020000.bak', db.full()],
      ['erp/SRV1$SQL2019/Sales.EU LOG 1.trn', db.log()],
      ['erp/SRV1$SQL2019/Sales.EU_LOG_Zürich_2.trn', db.log()],
    ];
    for (const [key, bytes] of files) {
      const event = put(key, bytes);
      await p.handler(event);
      await p.handler(event); // a redelivery copies nothing again
    }
    for (let i = 0; i < 4; i++) {
      p.cloud.drs.settle();
      await p.poll();
    }
    expect(p.created().map((c) => c.file)).toEqual(files.map(([key]) => key));
    const restored = p.restored();
    expect(restored.every((key) => key.startsWith('restore-pilot-staging/erp-prod/') && isDrsSafeName(key.split('/').at(-1)!))).toBe(true);
    expect(requests('obs.copyObject').filter((r) => r.status === 200)).toHaveLength(3);
    expect([...p.cloud.drs.jobs.values()].map((j) => p.cloud.drs.statusOf(j))).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
    // Each copy is deleted once its restore succeeded.
    expect(restored.map((key) => p.cloud.obs.get('mig-backups', key))).toEqual([undefined, undefined, undefined]);
    // OBS announces a copy like any object; restore-pilot knows its own.
    const copyEvent = obsEvent([{ key: restored[0]!, eTag: 'whatever', eventName: 'ObjectCreated:Copy' }]);
    expect((await p.handler(copyEvent)).records[0]).toMatchObject({ status: 'ignored', reason: expect.stringContaining('DRS-safe copy') });
  });

  it('a 12 GB full copies in parts; cut short by the invocation\'s time, the next one resumes without repeating a finished part', async () => {
    p = await startPipeline();
    const key = 'erp/ERP_FULL_20261120_020000.trn.bak.weird name.bak';
    const twelveGb = 12 * 1024 ** 3;
    const event = put(key, new SyntheticDatabase('ERP').full(), twelveGb);
    const partsSent = () => requests('obs.uploadPartCopy').length;
    // The invocation runs short of time once five parts were sent: no new part starts.
    const outcome = (await p.handler(event, { getRemainingTimeInMilliSeconds: () => (partsSent() >= 5 ? 14_000 : 60_000) })).records[0];
    expect(outcome).toMatchObject({ status: 'queued', reason: expect.stringContaining('a DRS-safe copy') });
    const firstRun = partsSent();
    expect(firstRun).toBeGreaterThanOrEqual(5);
    expect(firstRun).toBeLessThan(12);
    expect(p.created()).toEqual([]);
    expect((await p.state('erp-prod')).files[key]!.staging).toMatchObject({ uploadId: expect.any(String) });

    await p.poll(); // the next invocation: asks OBS which parts are done, sends the rest, completes
    const parts = requests('obs.uploadPartCopy').map((r) => r.copySourceRange);
    expect(parts).toHaveLength(12);
    expect(new Set(parts).size).toBe(12);
    expect(requests('obs.initiateMultipartUpload')).toHaveLength(1);
    expect(requests('obs.completeMultipartUpload').filter((r) => r.status === 200)).toHaveLength(1);
    expect(p.created().map((c) => c.file)).toEqual([key]);
    const copy = p.cloud.obs.get('mig-backups', p.restored()[0]!)!;
    expect(copy.size).toBe(twelveGb);
    p.cloud.drs.settle();
    await p.poll();
    expect([...p.cloud.drs.jobs.values()].map((j) => p.cloud.drs.statusOf(j))).toEqual(['SUCCESS']);
    expect(p.cloud.obs.get('mig-backups', p.restored()[0]!)).toBeUndefined();
  });
});
