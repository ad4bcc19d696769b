import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { createHuaweiClient } from '../../shared/huawei/client';
import { resolveEndpoints } from '../../shared/huawei/endpoints';
import { HuaweiApiError } from '../../shared/huawei/errors';
import { PoolCache } from '../../shared/huawei/transport';
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

  it('serves the virtual-hosted style the real endpoint uses: bucket in the Host, signature over /bucket/', async () => {
    h.cloud.obs.put('mig-backups', 'vhost/ERP_FULL_20261120000000.bak');
    h.cloud.obs.put('other-bucket', 'vhost/not-this-one.bak');
    // Stands in for DNS: every *.myhuaweicloud.com name resolves to the local cloud on loopback.
    class LoopbackPools extends PoolCache {
      readonly origins: string[] = [];
      private readonly own = new Map<string, Pool>();
      override get(origin: string): Pool {
        this.origins.push(origin);
        let pool = this.own.get(origin);
        if (!pool) {
          const lookup = (_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) =>
            options.all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4);
          pool = new Pool(origin, { connect: { lookup } as never });
          this.own.set(origin, pool);
        }
        return pool;
      }
      override async close() {
        await Promise.all([...this.own.values()].map((p) => p.close()));
      }
    }
    const pools = new LoopbackPools();
    const port = new URL(h.cloud.url).port;
    const endpoints = { ...resolveEndpoints(h.cloud.env()), obs: new URL(`http://obs.cn-north-4.myhuaweicloud.com:${port}`) };
    const client = createHuaweiClient({ env: h.cloud.env(), endpoints, pools, logger: h.logs.logger });
    try {
      const page = await client.obs.listObjects('mig-backups', { prefix: 'vhost/' });
      expect(page.objects.map((o) => o.key)).toEqual(['vhost/ERP_FULL_20261120000000.bak']);
      expect(pools.origins).toEqual([`http://mig-backups.obs.cn-north-4.myhuaweicloud.com:${port}`]);
      expect(h.cloud.requests.at(-1)).toMatchObject({ operation: 'obs.listObjects', path: '/', status: 200 });
      const wrong = createHuaweiClient({ env: h.cloud.env(), endpoints, pools, logger: h.logs.logger, credentials: { ak: DEFAULT_ACCESS_KEY.ak, sk: 'not-the-sk', source: 'environment' } });
      await expect(wrong.obs.listObjects('mig-backups')).rejects.toMatchObject({ status: 403, errorCode: 'SignatureDoesNotMatch' });
    } finally {
      await pools.close();
    }
  });
});
