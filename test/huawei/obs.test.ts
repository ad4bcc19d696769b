import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HuaweiApiError } from '../../shared/huawei/errors';
import { DEFAULT_ACCESS_KEY } from '../../scripts/local-cloud/server';
import { startHarness, type CloudHarness } from '../support/cloud';

let h: CloudHarness;
beforeAll(async () => {
  h = await startHarness({ accessKeys: [DEFAULT_ACCESS_KEY, { ak: 'TEMPAK0000000001', sk: 'temp-sk-000001', securityToken: 'temp-token-000001' }] });
});
afterAll(() => h.close());
beforeEach(() => {
  h.cloud.faults.clear();
  h.cloud.requests.length = 0;
});

describe('OBS listObjects (signed REST, verified with esdk-obs-nodejs)', () => {
  it('lists a prefix across pages, decoding XML-escaped keys', async () => {
    for (let i = 0; i < 25; i++) h.cloud.obs.put('mig-backups', `erp/LOG_${String(i).padStart(3, '0')}.trn`);
    h.cloud.obs.put('mig-backups', 'erp/a&b <c> "d".bak');
    h.cloud.obs.put('mig-backups', 'crm/other.bak');
    const page = await h.client.obs.listObjects('mig-backups', { prefix: 'erp/', maxKeys: 10 });
    expect(page.objects).toHaveLength(10);
    expect(page.truncated).toBe(true);
    const all = await h.client.obs.listAllObjects('mig-backups', 'erp/');
    expect(all).toHaveLength(26);
    expect(all.map((o) => o.key)).toContain('erp/a&b <c> "d".bak');
    expect(all[0]).toMatchObject({ key: 'erp/LOG_000.trn', eTag: expect.stringMatching(/^[0-9a-f]{32}$/), size: 1048576 });
    expect(h.cloud.requests.filter((r) => r.operation === 'obs.listObjects').length).toBe(2); // 10-page + one 1000-page walk
  });

  it('a wrong SK is refused with OBS SignatureDoesNotMatch; temporary credentials need their token', async () => {
    h.cloud.obs.put('mig-backups', 'x.bak');
    const wrong = h.makeClient({ credentials: { ak: DEFAULT_ACCESS_KEY.ak, sk: 'not-the-sk', source: 'environment' } });
    await expect(wrong.obs.listObjects('mig-backups')).rejects.toMatchObject({ status: 403, errorCode: 'SignatureDoesNotMatch' });
    const temp = h.makeClient({ credentials: { ak: 'TEMPAK0000000001', sk: 'temp-sk-000001', securityToken: 'temp-token-000001', source: 'agency' } });
    await expect(temp.obs.listObjects('mig-backups')).resolves.toMatchObject({ truncated: false });
  });

  it('an unknown bucket is a typed 404 NoSuchBucket; reads are retried on 503', async () => {
    const error = (await h.client.obs.listObjects('no-such-bucket').catch((e: unknown) => e)) as HuaweiApiError;
    expect(error).toMatchObject({ status: 404, errorCode: 'NoSuchBucket', requestId: expect.any(String) });
    h.cloud.obs.put('mig-backups', 'y.bak');
    h.cloud.faults.add({ operation: 'obs.listObjects', kind: 'status', status: 503, count: 1 });
    await expect(h.client.obs.listObjects('mig-backups')).resolves.toBeDefined();
    await expect(h.client.obs.listObjects('Bad_Bucket')).rejects.toMatchObject({ field: 'bucket' });
  });
});
