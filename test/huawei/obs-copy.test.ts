import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HuaweiApiError, InvalidRequestError } from '../../shared/huawei/errors';
import { ObsClient } from '../../shared/huawei/obs';
import { signObsRequest } from '../../shared/huawei/obs-signer';
import type { ApiRequest, Transport } from '../../shared/huawei/transport';
import { DEFAULT_ACCESS_KEY } from '../../scripts/local-cloud/server';
import { realNameObsClient } from '../support/loopback';
import { startHarness, type CloudHarness } from '../support/cloud';

const GB = 1024 ** 3;
const KiB = 1024;
const md5 = (data: Buffer) => createHash('md5').update(data).digest();
const bytesOf = (length: number, seed = 1) => {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return out;
};
/** `parts` ranges covering `size` bytes, as a caller would cut them. */
const ranges = (size: number, parts: number) => {
  const partSize = Math.ceil(size / parts);
  return Array.from({ length: parts }, (_, i) => ({ first: i * partSize, last: Math.min(size, (i + 1) * partSize) - 1 }));
};

let h: CloudHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => {
  h.reset();
  h.cloud.obs.createBucket('mig-backups');
  h.cloud.obs.createBucket('mig-staging');
});
const calls = (operation: string) => h.cloud.requests.filter((r) => r.operation === operation);

describe('OBS headObject', () => {
  it('reports size, eTag, last modification and storage class: absent header = STANDARD, COLD = Archive', async () => {
    const standard = h.cloud.obs.put('mig-backups', 'erp/head/FULL.bak', { content: bytesOf(1000) });
    await expect(h.client.obs.headObject('mig-backups', 'erp/head/FULL.bak')).resolves.toEqual({
      size: 1000,
      eTag: standard.eTag,
      storageClass: 'STANDARD',
      lastModified: standard.lastModified.toUTCString(),
    });
    h.cloud.obs.put('mig-backups', 'erp/head/archived.bak', { content: 'x', size: 12 * GB, storageClass: 'COLD' });
    h.cloud.obs.put('mig-backups', 'erp/head/warm.bak', { storageClass: 'WARM' });
    await expect(h.client.obs.headObject('mig-backups', 'erp/head/archived.bak')).resolves.toMatchObject({ size: 12 * GB, storageClass: 'COLD' });
    await expect(h.client.obs.headObject('mig-backups', 'erp/head/warm.bak')).resolves.toMatchObject({ storageClass: 'WARM' });
    expect(calls('obs.headObject').map((r) => [r.method, r.status])).toEqual([
      ['HEAD', 200],
      ['HEAD', 200],
      ['HEAD', 200],
    ]);
  });

  it('a missing object is undefined; a read is retried on 503; a wrong signature is a 403', async () => {
    await expect(h.client.obs.headObject('mig-backups', 'erp/head/missing.bak')).resolves.toBeUndefined();
    h.cloud.obs.put('mig-backups', 'erp/head/retry.bak');
    h.cloud.faults.add({ operation: 'obs.headObject', kind: 'status', status: 503, count: 1 });
    await expect(h.client.obs.headObject('mig-backups', 'erp/head/retry.bak')).resolves.toMatchObject({ size: 1024 * 1024 });
    expect(calls('obs.headObject').map((r) => r.status)).toEqual([404, 503, 200]);
    const wrong = h.makeClient({ credentials: { ak: DEFAULT_ACCESS_KEY.ak, sk: 'not-the-sk', source: 'environment' } });
    await expect(wrong.obs.headObject('mig-backups', 'erp/head/retry.bak')).rejects.toMatchObject({ operation: 'obs.headObject', status: 403 });
    await expect(h.client.obs.headObject('Bad_Bucket', 'x')).rejects.toBeInstanceOf(InvalidRequestError);
  });
});

describe('OBS copyObject (server-side, up to 5 GB)', () => {
  it('copies the content under a new key; the new eTag is the content MD5; the source header is percent-encoded', async () => {
    const content = bytesOf(5000, 2);
    const source = h.cloud.obs.put('mig-backups', 'erp/SRV1$SQL2019_ERP_LOG_20261120_094500.trn', { content });
    const eTag = await h.client.obs.copyObject({ bucket: 'mig-backups', key: source.key }, { bucket: 'mig-staging', key: 'drs/ERP_LOG_20261120_094500.bak' }, { ifMatch: source.eTag });
    expect(eTag).toBe(md5(content).toString('hex'));
    const copy = h.cloud.obs.get('mig-staging', 'drs/ERP_LOG_20261120_094500.bak')!;
    expect(copy).toMatchObject({ eTag, size: 5000, createdBy: 'Copy', storageClass: 'STANDARD' });
    expect(copy.content.equals(content)).toBe(true);
    expect(calls('obs.copyObject')).toEqual([
      expect.objectContaining({ method: 'PUT', path: '/mig-staging/drs/ERP_LOG_20261120_094500.bak', copySource: '/mig-backups/erp/SRV1%24SQL2019_ERP_LOG_20261120_094500.trn', status: 200 }),
    ]);
  });

  it('keys with $, spaces, dots and non-ASCII work as source and as target', async () => {
    const key = 'erp/SRV1$SQL2019/ERP.Prod DB/Überweisung_数据库 50%.trn';
    const target = 'staging/ERP.Prod DB/Überweisung_数据库 $copy.bak';
    const source = h.cloud.obs.put('mig-backups', key, { content: 'log bytes' });
    const eTag = await h.client.obs.copyObject({ bucket: 'mig-backups', key }, { bucket: 'mig-staging', key: target });
    expect(h.cloud.obs.get('mig-staging', target)?.content.toString()).toBe('log bytes');
    await expect(h.client.obs.headObject('mig-staging', target)).resolves.toMatchObject({ eTag, size: source.size });
    const uploadId = await h.client.obs.initiateMultipartUpload('mig-staging', `${target}.parts`);
    const part = await h.client.obs.uploadPartCopy('mig-staging', `${target}.parts`, uploadId, 1, { bucket: 'mig-backups', key }, { first: 0, last: 3 });
    await expect(h.client.obs.listParts('mig-staging', `${target}.parts`, uploadId)).resolves.toEqual([expect.objectContaining({ partNumber: 1, eTag: part, size: 4 })]);
    await h.client.obs.completeMultipartUpload('mig-staging', `${target}.parts`, uploadId, [{ partNumber: 1, eTag: part }]);
    expect(h.cloud.obs.get('mig-staging', `${target}.parts`)?.content.toString()).toBe('log ');
    await h.client.obs.deleteObject('mig-staging', target);
    expect(h.cloud.obs.get('mig-staging', target)).toBeUndefined();
    expect(h.cloud.requests.every((r) => r.status < 300)).toBe(true);
  });

  it('a source version replaced since (If-Match) is 412; a missing source 404 NoSuchKey; over 5 GB 400; Archive 403', async () => {
    const first = h.cloud.obs.put('mig-backups', 'erp/copy/LOG_1.trn', { content: bytesOf(100, 3) });
    h.cloud.obs.put('mig-backups', 'erp/copy/LOG_1.trn', { content: bytesOf(100, 4) });
    const target = { bucket: 'mig-staging', key: 'drs/LOG_1.bak' };
    await expect(h.client.obs.copyObject({ bucket: 'mig-backups', key: 'erp/copy/LOG_1.trn' }, target, { ifMatch: first.eTag })).rejects.toMatchObject({
      operation: 'obs.copyObject',
      status: 412,
      errorCode: 'PreconditionFailed',
    });
    await expect(h.client.obs.copyObject({ bucket: 'mig-backups', key: 'erp/copy/missing.trn' }, target)).rejects.toMatchObject({ status: 404, errorCode: 'NoSuchKey' });
    h.cloud.obs.put('mig-backups', 'erp/copy/FULL_12GB.bak', { content: 'head', size: 12 * GB });
    await expect(h.client.obs.copyObject({ bucket: 'mig-backups', key: 'erp/copy/FULL_12GB.bak' }, target)).rejects.toMatchObject({ status: 400, errorCode: 'InvalidRequest' });
    h.cloud.obs.put('mig-backups', 'erp/copy/archived.bak', { storageClass: 'COLD' });
    await expect(h.client.obs.copyObject({ bucket: 'mig-backups', key: 'erp/copy/archived.bak' }, target)).rejects.toMatchObject({ status: 403, errorCode: 'InvalidObjectState' });
    expect(h.cloud.obs.get('mig-staging', 'drs/LOG_1.bak')).toBeUndefined();
  });

  it('is sent once (a 503 is not resent), and a 200 whose body carries an Error is a failed copy', async () => {
    h.cloud.obs.put('mig-backups', 'erp/copy/once.trn');
    const source = { bucket: 'mig-backups', key: 'erp/copy/once.trn' };
    h.cloud.faults.add({ operation: 'obs.copyObject', kind: 'status', status: 503, count: 1 });
    await expect(h.client.obs.copyObject(source, { bucket: 'mig-staging', key: 'drs/once.bak' })).rejects.toMatchObject({ status: 503, attempts: 1 });
    expect(calls('obs.copyObject')).toHaveLength(1);
    const failedIn200 = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>copy failed midway</Message></Error>';
    h.cloud.faults.add({ operation: 'obs.copyObject', kind: 'status', status: 200, body: failedIn200, count: 1 });
    const error = (await h.client.obs.copyObject(source, { bucket: 'mig-staging', key: 'drs/once.bak' }).catch((e: unknown) => e)) as HuaweiApiError;
    expect(error).toBeInstanceOf(HuaweiApiError);
    expect(error).toMatchObject({ kind: 'http', status: 200, errorCode: 'InternalError', errorMsg: 'copy failed midway' });
    h.cloud.faults.add({ operation: 'obs.copyObject', kind: 'status', status: 200, body: '<?xml version="1.0"?><Nothing/>', count: 1 });
    await expect(h.client.obs.copyObject(source, { bucket: 'mig-staging', key: 'drs/once.bak' })).rejects.toMatchObject({ kind: 'response-shape', outcomeUnknown: true });
    await expect(h.client.obs.copyObject(source, { bucket: 'mig-staging', key: 'drs/once.bak' })).resolves.toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('OBS multipart copy (initiate, uploadPartCopy, listParts, complete, abort)', () => {
  it('assembles the parts of a real source in order: same bytes, size, eTag MD5-of-part-MD5s-N', async () => {
    const content = bytesOf(520 * KiB + 3, 5); // parts of 104 KiB: all but the last at least OBS's 100 KB
    h.cloud.obs.put('mig-backups', 'erp/mp/FULL.bak', { content });
    const source = { bucket: 'mig-backups', key: 'erp/mp/FULL.bak' };
    const uploadId = await h.client.obs.initiateMultipartUpload('mig-staging', 'drs/FULL.bak');
    const cut = ranges(content.length, 5);
    const eTags: string[] = [];
    for (const i of [4, 2, 0, 3, 1]) eTags[i] = await h.client.obs.uploadPartCopy('mig-staging', 'drs/FULL.bak', uploadId, i + 1, source, cut[i]!);
    eTags.forEach((eTag, i) => expect(eTag).toBe(md5(content.subarray(cut[i]!.first, cut[i]!.last + 1)).toString('hex')));
    const parts = await h.client.obs.listParts('mig-staging', 'drs/FULL.bak', uploadId);
    expect(parts.map((p) => [p.partNumber, p.eTag, p.size])).toEqual(cut.map((r, i) => [i + 1, eTags[i], r.last - r.first + 1]));
    const eTag = await h.client.obs.completeMultipartUpload('mig-staging', 'drs/FULL.bak', uploadId, parts);
    expect(eTag).toBe(`${md5(Buffer.concat(eTags.map((e) => Buffer.from(e, 'hex')))).toString('hex')}-5`);
    const object = h.cloud.obs.get('mig-staging', 'drs/FULL.bak')!;
    expect(object).toMatchObject({ eTag, size: content.length, createdBy: 'CompleteMultipartUpload' });
    expect(object.content.equals(content)).toBe(true);
    expect(h.cloud.obs.multipartUploads.has(uploadId)).toBe(false);
    expect(calls('obs.uploadPartCopy').map((r) => r.copySourceRange)).toEqual([4, 2, 0, 3, 1].map((i) => `bytes=${cut[i]!.first}-${cut[i]!.last}`));
    expect(calls('obs.completeMultipartUpload')).toEqual([expect.objectContaining({ method: 'POST', status: 200, body: expect.stringContaining('<PartNumber>5</PartNumber>') })]);
  });

  it('a 12 GB object in 5 parts: part 3 is killed once, listParts shows 1–2 done, the copy resumes without resending them', async () => {
    const size = 12 * GB;
    h.cloud.obs.put('mig-backups', 'erp/mp/SRV1$ERP FULL 12GB.bak', { content: bytesOf(64 * KiB, 6), size });
    const source = { bucket: 'mig-backups', key: 'erp/mp/SRV1$ERP FULL 12GB.bak' };
    const target = 'drs/ERP_FULL_12GB.bak';
    const cut = ranges(size, 5);
    expect(cut.every((r) => r.last - r.first + 1 <= 5 * GB)).toBe(true);

    // First invocation: its time runs out at part 3 (one attempt, the connection cut).
    const first = h.makeClient({ retry: { maxAttempts: 1 } });
    const uploadId = await first.obs.initiateMultipartUpload('mig-staging', target);
    for (const i of [0, 1]) await first.obs.uploadPartCopy('mig-staging', target, uploadId, i + 1, source, cut[i]!);
    h.cloud.faults.add({ operation: 'obs.uploadPartCopy', kind: 'drop', count: 1 });
    await expect(first.obs.uploadPartCopy('mig-staging', target, uploadId, 3, source, cut[2]!)).rejects.toMatchObject({ kind: 'network', outcomeUnknown: true });

    // Next invocation: learns what is done from OBS, sends only the rest.
    const done = await h.client.obs.listParts('mig-staging', target, uploadId);
    expect(done.map((p) => [p.partNumber, p.size])).toEqual([
      [1, cut[0]!.last + 1],
      [2, cut[1]!.last - cut[1]!.first + 1],
    ]);
    const parts = done.map(({ partNumber, eTag }) => ({ partNumber, eTag }));
    for (const i of [2, 3, 4]) parts.push({ partNumber: i + 1, eTag: await h.client.obs.uploadPartCopy('mig-staging', target, uploadId, i + 1, source, cut[i]!) });
    const eTag = await h.client.obs.completeMultipartUpload('mig-staging', target, uploadId, parts);

    expect(eTag).toMatch(/^[0-9a-f]{32}-5$/);
    expect(new Set(parts.map((p) => p.eTag)).size).toBe(5);
    await expect(h.client.obs.headObject('mig-staging', target)).resolves.toMatchObject({ size, eTag, storageClass: 'STANDARD' });
    expect(calls('obs.uploadPartCopy').map((r) => [r.query.get('partNumber'), r.status])).toEqual([
      ['1', 200],
      ['2', 200],
      ['3', 200],
      ['4', 200],
      ['5', 200],
    ]);
    expect(calls('obs.uploadPartCopy').every((r) => r.copySource === '/mig-backups/erp/mp/SRV1%24ERP%20FULL%2012GB.bak')).toBe(true);
    expect(calls('obs.initiateMultipartUpload')).toHaveLength(1);
    expect(h.cloud.obs.multipartUploads.has(uploadId)).toBe(false);
  });

  it('uploadPartCopy is retried (idempotent): a part copied but its answer lost is copied again into the same slot', async () => {
    h.cloud.obs.put('mig-backups', 'erp/mp/LOG.trn', { content: bytesOf(300 * KiB, 7) });
    const uploadId = await h.client.obs.initiateMultipartUpload('mig-staging', 'drs/LOG.bak');
    h.cloud.faults.add({ operation: 'obs.uploadPartCopy', kind: 'drop-after', count: 1 });
    const eTag = await h.client.obs.uploadPartCopy('mig-staging', 'drs/LOG.bak', uploadId, 1, { bucket: 'mig-backups', key: 'erp/mp/LOG.trn' }, { first: 0, last: 199 * KiB });
    expect(calls('obs.uploadPartCopy').map((r) => r.query.get('partNumber'))).toEqual(['1', '1']);
    await expect(h.client.obs.listParts('mig-staging', 'drs/LOG.bak', uploadId)).resolves.toEqual([expect.objectContaining({ partNumber: 1, eTag })]);
  });

  it('initiate and complete are sent once; complete refuses a wrong eTag, a small middle part and an unknown upload', async () => {
    h.cloud.obs.put('mig-backups', 'erp/mp/small.trn', { content: bytesOf(300 * KiB, 8) });
    const source = { bucket: 'mig-backups', key: 'erp/mp/small.trn' };
    const uploadsBefore = h.cloud.obs.multipartUploads.size;
    h.cloud.faults.add({ operation: 'obs.initiateMultipartUpload', kind: 'status', status: 503, count: 1 });
    await expect(h.client.obs.initiateMultipartUpload('mig-staging', 'drs/small.bak')).rejects.toMatchObject({ status: 503, attempts: 1 });
    expect(calls('obs.initiateMultipartUpload')).toHaveLength(1);
    expect(h.cloud.obs.multipartUploads.size).toBe(uploadsBefore);

    const uploadId = await h.client.obs.initiateMultipartUpload('mig-staging', 'drs/small.bak');
    const p1 = await h.client.obs.uploadPartCopy('mig-staging', 'drs/small.bak', uploadId, 1, source, { first: 0, last: 10 * KiB - 1 });
    const p2 = await h.client.obs.uploadPartCopy('mig-staging', 'drs/small.bak', uploadId, 2, source, { first: 10 * KiB, last: 300 * KiB - 1 });
    await expect(h.client.obs.completeMultipartUpload('mig-staging', 'drs/small.bak', uploadId, [{ partNumber: 1, eTag: p1 }, { partNumber: 2, eTag: 'ffff' }])).rejects.toMatchObject({ status: 400, errorCode: 'InvalidPart' });
    await expect(h.client.obs.completeMultipartUpload('mig-staging', 'drs/small.bak', uploadId, [{ partNumber: 1, eTag: p1 }, { partNumber: 2, eTag: p2 }])).rejects.toMatchObject({ status: 400, errorCode: 'EntityTooSmall' });
    h.cloud.faults.add({ operation: 'obs.completeMultipartUpload', kind: 'status', status: 503, count: 1 });
    await expect(h.client.obs.completeMultipartUpload('mig-staging', 'drs/small.bak', uploadId, [{ partNumber: 2, eTag: p2 }])).rejects.toMatchObject({ status: 503, attempts: 1 });
    expect(calls('obs.completeMultipartUpload').map((r) => r.status)).toEqual([400, 400, 503]);
    await expect(h.client.obs.completeMultipartUpload('mig-staging', 'drs/small.bak', uploadId, [{ partNumber: 2, eTag: p2 }])).resolves.toMatch(/-1$/);
    await expect(h.client.obs.completeMultipartUpload('mig-staging', 'drs/small.bak', uploadId, [{ partNumber: 2, eTag: p2 }])).rejects.toMatchObject({ status: 404, errorCode: 'NoSuchUpload' });
    await expect(h.client.obs.uploadPartCopy('mig-staging', 'drs/small.bak', 'NOSUCHUPLOAD', 1, source, { first: 0, last: 1 })).rejects.toMatchObject({ status: 404, errorCode: 'NoSuchUpload' });
    await expect(h.client.obs.uploadPartCopy('mig-staging', 'drs/small.bak', uploadId, 1, { bucket: 'mig-backups', key: 'erp/mp/gone.trn' }, { first: 0, last: 1 })).rejects.toMatchObject({ status: 404 });
  });

  it('abort removes the upload and its parts; aborting again counts as done', async () => {
    h.cloud.obs.put('mig-backups', 'erp/mp/abort.trn', { content: bytesOf(200 * KiB, 9) });
    const uploadId = await h.client.obs.initiateMultipartUpload('mig-staging', 'drs/abort.bak');
    await h.client.obs.uploadPartCopy('mig-staging', 'drs/abort.bak', uploadId, 1, { bucket: 'mig-backups', key: 'erp/mp/abort.trn' }, { first: 0, last: 200 * KiB - 1 });
    await h.client.obs.abortMultipartUpload('mig-staging', 'drs/abort.bak', uploadId);
    expect(h.cloud.obs.multipartUploads.has(uploadId)).toBe(false);
    await expect(h.client.obs.listParts('mig-staging', 'drs/abort.bak', uploadId)).rejects.toMatchObject({ status: 404, errorCode: 'NoSuchUpload' });
    await expect(h.client.obs.abortMultipartUpload('mig-staging', 'drs/abort.bak', uploadId)).resolves.toBeUndefined();
    expect(calls('obs.abortMultipartUpload').map((r) => [r.method, r.status])).toEqual([
      ['DELETE', 204],
      ['DELETE', 404],
    ]);
    expect(h.cloud.obs.get('mig-staging', 'drs/abort.bak')).toBeUndefined();
  });

  it('listParts pages through more than 1000 parts', async () => {
    h.cloud.obs.put('mig-backups', 'erp/mp/many.trn', { content: 'x', size: 2000 * 100 * KiB });
    const uploadId = await h.client.obs.initiateMultipartUpload('mig-staging', 'drs/many.bak');
    const upload = h.cloud.obs.multipartUploads.get(uploadId)!;
    // 1500 parts put straight into the store (1500 requests would only slow the test down).
    for (let n = 1; n <= 1500; n++) upload.parts.set(n, { partNumber: n, eTag: md5(Buffer.from(String(n))).toString('hex'), size: 100 * KiB, content: Buffer.alloc(0), lastModified: new Date() });
    const parts = await h.client.obs.listParts('mig-staging', 'drs/many.bak', uploadId);
    expect(parts.map((p) => p.partNumber)).toEqual(Array.from({ length: 1500 }, (_, i) => i + 1));
    expect(calls('obs.listParts').map((r) => r.query.get('part-number-marker'))).toEqual([null, '1000']);
  });

  it('refuses bad requests before sending them', async () => {
    const source = { bucket: 'mig-backups', key: 'erp/x.trn' };
    await expect(h.client.obs.uploadPartCopy('mig-staging', 'k', 'U1', 0, source, { first: 0, last: 1 })).rejects.toMatchObject({ field: 'partNumber' });
    await expect(h.client.obs.uploadPartCopy('mig-staging', 'k', 'U1', 10_001, source, { first: 0, last: 1 })).rejects.toMatchObject({ field: 'partNumber' });
    await expect(h.client.obs.uploadPartCopy('mig-staging', 'k', 'U1', 1, source, { first: 5, last: 4 })).rejects.toMatchObject({ field: 'range.last' });
    await expect(h.client.obs.uploadPartCopy('mig-staging', 'k', 'U1', 1, source, { first: 0, last: 5 * GB })).rejects.toMatchObject({ field: 'range.last' });
    await expect(h.client.obs.completeMultipartUpload('mig-staging', 'k', 'U1', [])).rejects.toMatchObject({ field: 'parts' });
    await expect(h.client.obs.completeMultipartUpload('mig-staging', 'k', 'U1', [{ partNumber: 2, eTag: 'a' }, { partNumber: 1, eTag: 'b' }])).rejects.toMatchObject({ field: 'parts' });
    await expect(h.client.obs.copyObject(source, { bucket: 'Bad_Bucket', key: 'k' })).rejects.toMatchObject({ field: 'target.bucket' });
    await expect(h.client.obs.listParts('mig-staging', 'k', '')).rejects.toMatchObject({ field: 'uploadId' });
    expect(h.cloud.requests).toEqual([]);
  });
});

describe('OBS deleteObject', () => {
  it('deletes; a missing object counts as deleted', async () => {
    h.cloud.obs.put('mig-staging', 'drs/done.bak');
    await h.client.obs.deleteObject('mig-staging', 'drs/done.bak');
    expect(h.cloud.obs.get('mig-staging', 'drs/done.bak')).toBeUndefined();
    await expect(h.client.obs.deleteObject('mig-staging', 'drs/done.bak')).resolves.toBeUndefined();
    expect(calls('obs.deleteObject').map((r) => [r.method, r.status])).toEqual([
      ['DELETE', 204],
      ['DELETE', 204],
    ]);
    await expect(h.client.obs.deleteObject('no-such-bucket', 'x')).rejects.toMatchObject({ status: 404, errorCode: 'NoSuchBucket' });
  });
});

describe('OBS copy signatures', () => {
  it('wrong keys are refused for every new operation, and nothing is changed', async () => {
    h.cloud.obs.put('mig-backups', 'erp/sig/LOG.trn', { content: bytesOf(200 * KiB) });
    const source = { bucket: 'mig-backups', key: 'erp/sig/LOG.trn' };
    const uploadId = await h.client.obs.initiateMultipartUpload('mig-staging', 'drs/sig.bak');
    const wrong = h.makeClient({ credentials: { ak: DEFAULT_ACCESS_KEY.ak, sk: 'not-the-sk', source: 'environment' } });
    const refused = { status: 403, errorCode: 'SignatureDoesNotMatch' };
    await expect(wrong.obs.copyObject(source, { bucket: 'mig-staging', key: 'drs/sig-copy.bak' })).rejects.toMatchObject(refused);
    await expect(wrong.obs.initiateMultipartUpload('mig-staging', 'drs/sig.bak')).rejects.toMatchObject(refused);
    await expect(wrong.obs.uploadPartCopy('mig-staging', 'drs/sig.bak', uploadId, 1, source, { first: 0, last: 9 })).rejects.toMatchObject(refused);
    await expect(wrong.obs.listParts('mig-staging', 'drs/sig.bak', uploadId)).rejects.toMatchObject(refused);
    await expect(wrong.obs.completeMultipartUpload('mig-staging', 'drs/sig.bak', uploadId, [{ partNumber: 1, eTag: 'a' }])).rejects.toMatchObject(refused);
    await expect(wrong.obs.abortMultipartUpload('mig-staging', 'drs/sig.bak', uploadId)).rejects.toMatchObject(refused);
    h.cloud.obs.put('mig-staging', 'drs/keep.bak');
    await expect(wrong.obs.deleteObject('mig-staging', 'drs/keep.bak')).rejects.toMatchObject(refused);
    expect(h.cloud.obs.get('mig-staging', 'drs/keep.bak')).toBeDefined();
    expect(h.cloud.obs.get('mig-staging', 'drs/sig-copy.bak')).toBeUndefined();
    expect(h.cloud.obs.multipartUploads.get(uploadId)?.parts.size).toBe(0);
  });

  it('the signature covers x-obs-copy-source and the sub-resources: a signature without them is refused', async () => {
    h.cloud.obs.put('mig-backups', 'erp/sig/src.trn');
    // Signed over the resource but not over the copy source header that is then sent: another source could be swapped in.
    const headers = signObsRequest({ method: 'PUT', resource: '/mig-staging/drs/swapped.bak', headers: {} }, DEFAULT_ACCESS_KEY);
    const swapped = await fetch(`${h.cloud.url}/mig-staging/drs/swapped.bak`, { method: 'PUT', headers: { ...headers, 'x-obs-copy-source': '/mig-backups/erp/sig/src.trn' } });
    expect(swapped.status).toBe(403);
    expect(await swapped.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    // Signed over /bucket/key without `?uploads`.
    const bare = signObsRequest({ method: 'POST', resource: '/mig-staging/drs/x.bak', headers: {} }, DEFAULT_ACCESS_KEY);
    const initiate = await fetch(`${h.cloud.url}/mig-staging/drs/x.bak?uploads`, { method: 'POST', headers: bare });
    expect(initiate.status).toBe(403);
    // Signed with it, the same request is accepted.
    const good = signObsRequest({ method: 'POST', resource: '/mig-staging/drs/x.bak?uploads', headers: {} }, DEFAULT_ACCESS_KEY);
    const accepted = await fetch(`${h.cloud.url}/mig-staging/drs/x.bak?uploads`, { method: 'POST', headers: good });
    expect(accepted.status).toBe(200);
    expect(await accepted.text()).toMatch(/<UploadId>[0-9A-F]{32}<\/UploadId>/);
    expect(h.cloud.obs.get('mig-staging', 'drs/swapped.bak')).toBeUndefined();
  });
});

describe('OBS copy addressing', () => {
  it('on the real endpoint: virtual-hosted, the canonical resource with the sorted sub-resources', async () => {
    const sent: ApiRequest[] = [];
    const answers: Record<string, string> = {
      'obs.initiateMultipartUpload': '<InitiateMultipartUploadResult><UploadId>U1</UploadId></InitiateMultipartUploadResult>',
      'obs.uploadPartCopy': '<CopyPartResult><ETag>"p1"</ETag></CopyPartResult>',
      'obs.completeMultipartUpload': '<CompleteMultipartUploadResult><ETag>"e-1"</ETag></CompleteMultipartUploadResult>',
      'obs.copyObject': '<CopyObjectResult><ETag>"c1"</ETag></CopyObjectResult>',
    };
    const transport = { send: async (request: ApiRequest) => (sent.push(request), { status: 200, body: {}, text: answers[request.operation] ?? '', requestId: 'r' }) };
    const obs = new ObsClient(transport as unknown as Transport, new URL('https://obs.cn-north-4.myhuaweicloud.com'));
    const origin = new URL('https://mig-staging.obs.cn-north-4.myhuaweicloud.com');
    const source = { bucket: 'mig-backups', key: 'erp/SRV1$A B.trn' };
    await expect(obs.copyObject(source, { bucket: 'mig-staging', key: 'drs/ü.bak' }, { ifMatch: '"e0"' })).resolves.toBe('c1');
    await expect(obs.initiateMultipartUpload('mig-staging', 'drs/a b.bak')).resolves.toBe('U1');
    await expect(obs.uploadPartCopy('mig-staging', 'drs/a b.bak', 'U1', 3, source, { first: 10, last: 19 })).resolves.toBe('p1');
    await expect(obs.completeMultipartUpload('mig-staging', 'drs/a b.bak', 'U1', [{ partNumber: 1, eTag: '"p1"' }])).resolves.toBe('e-1');
    expect(sent.map(({ operation, method, path, query, obsResource, origin: o, headers, rawBody, retry }) => ({ operation, method, path, query, obsResource, origin: o, headers, rawBody, retry }))).toEqual([
      {
        operation: 'obs.copyObject',
        method: 'PUT',
        path: '/drs/%C3%BC.bak',
        query: undefined,
        obsResource: '/mig-staging/drs/%C3%BC.bak',
        origin,
        headers: { 'x-obs-copy-source': '/mig-backups/erp/SRV1%24A%20B.trn', 'x-obs-copy-source-if-match': 'e0' },
        rawBody: undefined,
        retry: false,
      },
      { operation: 'obs.initiateMultipartUpload', method: 'POST', path: '/drs/a%20b.bak', query: { uploads: '' }, obsResource: '/mig-staging/drs/a%20b.bak?uploads', origin, headers: undefined, rawBody: undefined, retry: false },
      {
        operation: 'obs.uploadPartCopy',
        method: 'PUT',
        path: '/drs/a%20b.bak',
        query: { partNumber: '3', uploadId: 'U1' },
        obsResource: '/mig-staging/drs/a%20b.bak?partNumber=3&uploadId=U1',
        origin,
        headers: { 'x-obs-copy-source': '/mig-backups/erp/SRV1%24A%20B.trn', 'x-obs-copy-source-range': 'bytes=10-19' },
        rawBody: undefined,
        retry: true,
      },
      {
        operation: 'obs.completeMultipartUpload',
        method: 'POST',
        path: '/drs/a%20b.bak',
        query: { uploadId: 'U1' },
        obsResource: '/mig-staging/drs/a%20b.bak?uploadId=U1',
        origin,
        headers: undefined,
        rawBody: { content: '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"p1"</ETag></Part></CompleteMultipartUpload>', contentType: 'application/xml' },
        retry: false,
      },
    ]);
  });

  it('over loopback, virtual-hosted: a whole multipart copy signed with the bucket in the Host', async () => {
    const { client, pools, port } = realNameObsClient(h);
    try {
      const content = bytesOf(250 * KiB, 11);
      h.cloud.obs.put('mig-backups', 'erp/vh/ERP.Prod DB$LOG.trn', { content, storageClass: 'WARM' });
      const source = { bucket: 'mig-backups', key: 'erp/vh/ERP.Prod DB$LOG.trn' };
      await expect(client.obs.headObject(source.bucket, source.key)).resolves.toMatchObject({ size: content.length, storageClass: 'WARM' });
      const uploadId = await client.obs.initiateMultipartUpload('mig-staging', 'drs/vh.bak');
      const p1 = await client.obs.uploadPartCopy('mig-staging', 'drs/vh.bak', uploadId, 1, source, { first: 0, last: 150 * KiB - 1 });
      const p2 = await client.obs.uploadPartCopy('mig-staging', 'drs/vh.bak', uploadId, 2, source, { first: 150 * KiB, last: 250 * KiB - 1 });
      expect((await client.obs.listParts('mig-staging', 'drs/vh.bak', uploadId)).map((p) => p.partNumber)).toEqual([1, 2]);
      await client.obs.completeMultipartUpload('mig-staging', 'drs/vh.bak', uploadId, [{ partNumber: 1, eTag: p1 }, { partNumber: 2, eTag: p2 }]);
      expect(h.cloud.obs.get('mig-staging', 'drs/vh.bak')?.content.equals(content)).toBe(true);
      await client.obs.copyObject({ bucket: 'mig-staging', key: 'drs/vh.bak' }, { bucket: 'mig-staging', key: 'drs/vh copy.bak' });
      await client.obs.deleteObject('mig-staging', 'drs/vh.bak');
      const aborted = await client.obs.initiateMultipartUpload('mig-staging', 'drs/vh2.bak');
      await client.obs.abortMultipartUpload('mig-staging', 'drs/vh2.bak', aborted);
      expect(h.cloud.obs.get('mig-staging', 'drs/vh.bak')).toBeUndefined();
      expect([...new Set(pools.origins)].sort()).toEqual([`http://mig-backups.obs.cn-north-4.myhuaweicloud.com:${port}`, `http://mig-staging.obs.cn-north-4.myhuaweicloud.com:${port}`]);
      expect(h.cloud.requests.every((r) => r.status < 300 && !r.path.startsWith('/mig-'))).toBe(true);
    } finally {
      await pools.close();
    }
  });
});
