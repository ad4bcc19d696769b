import { afterEach, describe, expect, it } from 'vitest';
import { SyntheticDatabase } from '../../scripts/synthetic/backups';
import { preflightVerdict } from '../../shared/chains/verdicts';
import { headerRead } from '../../shared/chains/header-read';
import { ERP_INSTANCE, startPipeline, type Pipeline } from '../support/pipeline';

/** Before the first job of a database: DRS fails Archive objects and backups from a newer SQL Server, so restore-pilot checks both first. */
let p: Pipeline;
afterEach(async () => p?.close());

const upload = (key: string, content: Uint8Array, storageClass?: string) => p.upload(key, { content, ...(storageClass ? { storageClass } : {}) });
const header = (bytes: Uint8Array) => (headerRead(bytes) as { header: Parameters<typeof preflightVerdict>[0] }).header;

describe('preflight', () => {
  it('names the blocking problem and the fix, from the facts alone', () => {
    const h = header(new SyntheticDatabase('ERP').full({ softwareVersion: { major: 15, minor: 0, build: 4153 } }));
    expect(preflightVerdict(h, { storageClass: 'STANDARD', targetMajor: 15 }, 1)).toEqual({ passed: true, at: 1 });
    expect(preflightVerdict(h, { storageClass: 'STANDARD', targetMajor: 16 }, 1).passed).toBe(true);
    expect(preflightVerdict(h, { storageClass: 'STANDARD', targetMajor: undefined }, 1).passed).toBe(true); // a version RDS names unknown to us: not guessed
    expect(preflightVerdict(h, { storageClass: 'STANDARD', targetMajor: 14, targetVersion: '2017_EE' }, 1)).toMatchObject({
      passed: false,
      code: 'newer-server',
      detail: expect.stringContaining('this backup comes from SQL Server 2019 (15.0.4153), the target runs SQL Server 2017 (2017_EE)'),
    });
    expect(preflightVerdict(h, { storageClass: 'COLD', targetMajor: 15 }, 1)).toMatchObject({ code: 'archived', detail: expect.stringContaining('restore the object from Archive first') });
    expect(preflightVerdict(h, { storageClass: 'STANDARD', targetMajor: null }, 1)).toMatchObject({ code: 'target-not-found' });
  });

  it('an Archive object: one page before any job, and no job; restored from Archive, the chain goes on and the page resolves', async () => {
    p = await startPipeline();
    const db = new SyntheticDatabase('ERP');
    await p.handler(upload('erp/ERP/full.bak', db.full(), 'COLD'));
    await p.handler(upload('erp/ERP/log1.trn', db.log()));
    await p.poll();
    await p.poll();
    expect(p.created()).toEqual([]);
    expect(p.pages().map((m) => m.subject)).toEqual(['[restore-pilot] Restore blocked before DRS: erp-prod']);
    expect(p.pages()[0]!.message).toContain('restore the object from Archive first');
    p.cloud.obs.get('mig-backups', 'erp/ERP/full.bak')!.storageClass = 'STANDARD';
    await p.poll();
    expect(p.created().map((c) => c.file)).toEqual(['erp/ERP/full.bak']);
    expect(p.pages().map((m) => m.subject).at(-1)).toBe('[restore-pilot] RESOLVED: Restore blocked before DRS: erp-prod');
  });

  it('a backup newer than the target: one page, no job, until the operator overrides it with retry', async () => {
    p = await startPipeline();
    p.cloud.rds.setInstance(ERP_INSTANCE, { datastore: { type: 'SQLServer', version: '2017_EE' } });
    const event = upload('erp/ERP/full.bak', new SyntheticDatabase('ERP').full());
    expect((await p.handler(event)).records[0]).toMatchObject({ status: 'queued', reason: expect.stringContaining('newer-server') });
    await p.poll();
    await p.poll();
    expect(p.created()).toEqual([]);
    expect(p.pages().map((m) => m.subject)).toEqual(['[restore-pilot] Restore blocked before DRS: erp-prod']);
    expect(p.pages()[0]!.message).toContain('this backup comes from SQL Server 2019');
    expect(p.pages()[0]!.message).toContain('npx restore-pilot retry erp/ERP/full.bak');
  });
});
