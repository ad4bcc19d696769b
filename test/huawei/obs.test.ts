import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HuaweiApiError } from '../../shared/huawei/errors';
import { ObsClient } from '../../shared/huawei/obs';
import { signObsRequest } from '../../shared/huawei/obs-signer';
import type { ApiRequest, Transport } from '../../shared/huawei/transport';
import { DEFAULT_ACCESS_KEY } from '../../scripts/local-cloud/server';
import { realNameObsClient } from '../support/loopback';
import { startHarness, type CloudHarness } from '../support/cloud';

let h: CloudHarness;
beforeAll(async () => {
  h = await startHarness({ accessKeys: [DEFAULT_ACCESS_KEY, { ak: 'TEMPAK0000000001', sk: 'temp-sk-000001', securityToken: 'temp-token-000001' }] });
});
afterAll(() => h.close());
beforeEach(() => h.reset());

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
    const { client, pools, port } = realNameObsClient(h);
    try {
      const page = await client.obs.listObjects('mig-backups', { prefix: 'vhost/' });
      expect(page.objects.map((o) => o.key)).toEqual(['vhost/ERP_FULL_20261120000000.bak']);
      expect(pools.origins).toEqual([`http://mig-backups.obs.cn-north-4.myhuaweicloud.com:${port}`]);
      expect(h.cloud.requests.at(-1)).toMatchObject({ operation: 'obs.listObjects', path: '/', status: 200 });
      const wrong = realNameObsClient(h, { credentials: { ak: DEFAULT_ACCESS_KEY.ak, sk: 'not-the-sk', source: 'environment' } });
      await expect(wrong.client.obs.listObjects('mig-backups')).rejects.toMatchObject({ status: 403, errorCode: 'SignatureDoesNotMatch' });
      await wrong.pools.close();
    } finally {
      await pools.close();
    }
  });
});

describe('OBS readObjectStart (one ranged GetObject with If-Match)', () => {
  const KiB64 = 64 * 1024;
  const bytesOf = (length: number, seed = 1) => {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
    return out;
  };
  const reads = () => h.cloud.requests.filter((r) => r.operation === 'obs.getObject');

  it('returns exactly the first N bytes of a larger object, with one ranged read', async () => {
    const content = bytesOf(300 * 1024);
    const object = h.cloud.obs.put('mig-backups', 'erp/ERP_FULL_20261120.bak', { content });
    const result = await h.client.obs.readObjectStart('mig-backups', 'erp/ERP_FULL_20261120.bak', { bytes: KiB64, ifMatch: object.eTag });
    expect('bytes' in result && Buffer.from(result.bytes).equals(content.subarray(0, KiB64))).toBe(true);
    expect(reads()).toEqual([expect.objectContaining({ method: 'GET', path: '/mig-backups/erp/ERP_FULL_20261120.bak', status: 206, range: 'bytes=0-65535' })]);
  });

  it('a smaller object comes back whole, whether OBS answers 206 or 200', async () => {
    const content = bytesOf(1000, 2);
    const object = h.cloud.obs.put('mig-backups', 'erp/small.trn', { content });
    expect(object.size).toBe(1000);
    const ranged = await h.client.obs.readObjectStart('mig-backups', 'erp/small.trn', { bytes: KiB64, ifMatch: object.eTag });
    expect('bytes' in ranged && Buffer.from(ranged.bytes).equals(content)).toBe(true);
    h.cloud.obs.ignoreRange = true;
    try {
      const whole = await h.client.obs.readObjectStart('mig-backups', 'erp/small.trn', { bytes: KiB64, ifMatch: object.eTag });
      expect('bytes' in whole && Buffer.from(whole.bytes).equals(content)).toBe(true);
    } finally {
      h.cloud.obs.ignoreRange = false;
    }
    expect(reads().map((r) => r.status)).toEqual([206, 200]);
  });

  it('a version replaced since the event (If-Match mismatch, 412) is { changed: true }, not retried', async () => {
    const first = h.cloud.obs.put('mig-backups', 'erp/LOG_1.trn', { content: bytesOf(5000, 3) });
    const second = h.cloud.obs.put('mig-backups', 'erp/LOG_1.trn', { content: bytesOf(5000, 4) });
    expect(second.eTag).not.toBe(first.eTag);
    await expect(h.client.obs.readObjectStart('mig-backups', 'erp/LOG_1.trn', { bytes: KiB64, ifMatch: first.eTag })).resolves.toEqual({ changed: true });
    expect(reads().map((r) => r.status)).toEqual([412]);
    const current = await h.client.obs.readObjectStart('mig-backups', 'erp/LOG_1.trn', { bytes: 16, ifMatch: `"${second.eTag}"` });
    expect('bytes' in current && Buffer.from(current.bytes).equals(bytesOf(5000, 4).subarray(0, 16))).toBe(true);
  });

  it('a server that ignores Range still yields at most N bytes, the rest of the stream left unread', async () => {
    const content = bytesOf(8 * 1024 * 1024, 5);
    const object = h.cloud.obs.put('mig-backups', 'erp/huge.bak', { content });
    h.cloud.obs.ignoreRange = true;
    try {
      const result = await h.client.obs.readObjectStart('mig-backups', 'erp/huge.bak', { bytes: KiB64, ifMatch: object.eTag });
      expect('bytes' in result && result.bytes.length).toBe(KiB64);
      expect('bytes' in result && Buffer.from(result.bytes).equals(content.subarray(0, KiB64))).toBe(true);
    } finally {
      h.cloud.obs.ignoreRange = false;
    }
    expect(reads().map((r) => r.status)).toEqual([200]);
  });

  it('an endless 200 body is cut at N bytes and the connection aborted (never buffered whole)', async () => {
    let closed!: () => void;
    const aborted = new Promise<void>((resolve) => (closed = resolve));
    let sent = 0;
    const endless = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'binary/octet-stream' });
      const chunk = Buffer.alloc(16 * 1024, 0x42);
      const timer = setInterval(() => {
        sent += chunk.length;
        res.write(chunk);
      }, 1);
      res.on('close', () => {
        clearInterval(timer);
        closed();
      });
    });
    await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve));
    const port = (endless.address() as AddressInfo).port;
    try {
      const client = h.makeClient({ env: { ...h.cloud.env(), OBS_ENDPOINT: `http://127.0.0.1:${port}` } });
      const result = await client.obs.readObjectStart('mig-backups', 'erp/endless.bak', { bytes: 1000, ifMatch: 'abc' });
      expect('bytes' in result && result.bytes.length).toBe(1000);
      expect('bytes' in result && result.bytes.every((b) => b === 0x42)).toBe(true);
      await aborted;
      expect(sent).toBeLessThan(64 * 1024 * 1024);
    } finally {
      endless.closeAllConnections();
      await new Promise((resolve) => endless.close(resolve));
    }
  });

  it('keys with spaces, $, +, % and / are sent percent-encoded and signed as sent', async () => {
    const key = 'erp/ERP DB$1/50% done+more.bak';
    const object = h.cloud.obs.put('mig-backups', key, { content: 'header bytes' });
    const result = await h.client.obs.readObjectStart('mig-backups', key, { bytes: 6, ifMatch: object.eTag });
    expect('bytes' in result && Buffer.from(result.bytes).toString()).toBe('header');
    expect(reads()[0]).toMatchObject({ path: '/mig-backups/erp/ERP%20DB%241/50%25%20done%2Bmore.bak', status: 206 });
  });

  it('a wrong signature is refused, and so is a signature over another key', async () => {
    const object = h.cloud.obs.put('mig-backups', 'erp/signed.bak', { content: 'x'.repeat(100) });
    const wrong = h.makeClient({ credentials: { ak: DEFAULT_ACCESS_KEY.ak, sk: 'not-the-sk', source: 'environment' } });
    await expect(wrong.obs.readObjectStart('mig-backups', 'erp/signed.bak', { bytes: 10, ifMatch: object.eTag })).rejects.toMatchObject({ status: 403, errorCode: 'SignatureDoesNotMatch' });
    const headers = signObsRequest({ method: 'GET', resource: '/mig-backups/erp/other.bak', headers: {} }, DEFAULT_ACCESS_KEY);
    const response = await fetch(`${h.cloud.url}/mig-backups/erp/signed.bak`, { headers });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(reads()).toEqual([]);
  });

  it('a missing key is a typed 404 NoSuchKey; reads are retried on 503; content never reaches logs or errors', async () => {
    const error = (await h.client.obs.readObjectStart('mig-backups', 'erp/missing.bak', { bytes: 10, ifMatch: 'abc' }).catch((e: unknown) => e)) as HuaweiApiError;
    expect(error).toBeInstanceOf(HuaweiApiError);
    expect(error).toMatchObject({ operation: 'obs.getObject', status: 404, errorCode: 'NoSuchKey', requestId: expect.any(String), attempts: 1 });
    const marker = 'CONFIDENTIAL-BACKUP-CONTENT';
    const object = h.cloud.obs.put('mig-backups', 'erp/retry.bak', { content: marker.repeat(100) });
    h.cloud.faults.add({ operation: 'obs.getObject', kind: 'status', status: 503, count: 1 });
    const result = await h.client.obs.readObjectStart('mig-backups', 'erp/retry.bak', { bytes: 27, ifMatch: object.eTag });
    expect('bytes' in result && Buffer.from(result.bytes).toString()).toBe(marker);
    expect(reads().map((r) => r.status)).toEqual([404, 503, 206]);
    await expect(h.client.obs.readObjectStart('mig-backups', 'erp/retry.bak', { bytes: 27, ifMatch: 'ffff' })).resolves.toEqual({ changed: true });
    expect(h.logs.text()).not.toContain('CONFIDENTIAL');
    await expect(h.client.obs.readObjectStart('mig-backups', 'erp/retry.bak', { bytes: 0, ifMatch: object.eTag })).rejects.toMatchObject({ field: 'bytes' });
    await expect(h.client.obs.readObjectStart('Bad_Bucket', 'x.bak', { bytes: 1, ifMatch: object.eTag })).rejects.toMatchObject({ field: 'bucket' });
  });

  it('addresses the real endpoint virtual-hosted style, signing /bucket/key', async () => {
    const sent: ApiRequest[] = [];
    const transport = { send: async (request: ApiRequest) => (sent.push(request), { status: 206, body: {}, text: '', requestId: 'r', bytes: new Uint8Array(4), contentRange: 'bytes 0-3/10' }) };
    const obs = new ObsClient(transport as unknown as Transport, new URL('https://obs.cn-north-4.myhuaweicloud.com'));
    await obs.readObjectStart('mig-backups', 'erp/a b.bak', { bytes: 4, ifMatch: '"e1"' });
    expect(sent[0]).toMatchObject({
      operation: 'obs.getObject',
      method: 'GET',
      path: '/erp/a%20b.bak',
      obsResource: '/mig-backups/erp/a%20b.bak',
      origin: new URL('https://mig-backups.obs.cn-north-4.myhuaweicloud.com'),
      headers: { Range: 'bytes=0-3', 'If-Match': '"e1"' },
      maxBodyBytes: 4,
      retry: true,
    });
    const shifted = { send: async () => ({ status: 206, body: {}, text: '', requestId: 'r', bytes: new Uint8Array(4), contentRange: 'bytes 6-9/10' }) };
    await expect(new ObsClient(shifted as unknown as Transport, new URL('https://obs.cn-north-4.myhuaweicloud.com')).readObjectStart('mig-backups', 'k', { bytes: 4, ifMatch: 'e1' })).rejects.toMatchObject({ kind: 'response-shape' });
  });
});
