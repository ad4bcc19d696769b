import { request as undiciRequest } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HuaweiApiError } from '../../shared/huawei/errors';
import { signRequest } from '../../shared/huawei/signer';
import { DEFAULT_ACCESS_KEY } from '../../scripts/local-cloud/server';
import { obsRestoreRequest, startHarness, type CloudHarness } from '../support/cloud';

let h: CloudHarness;
beforeAll(async () => {
  h = await startHarness({
    accessKeys: [DEFAULT_ACCESS_KEY, { ak: 'TEMPORARYAK000000001', sk: 'temporary-secret-key-1', securityToken: 'temporary-security-token-abcdef' }],
  });
});
afterAll(() => h.close());
beforeEach(() => h.reset());

const calls = (operation: string) => h.cloud.requests.filter((r) => r.operation === operation).length;
const listPath = () => `/v5/${h.cloud.projectId}/backup-migration-jobs`;

describe('signing, as the local cloud verifies it', () => {
  it('refuses a request whose query was changed after signing', async () => {
    const host = new URL(h.cloud.url).host;
    const signed = signRequest({ method: 'GET', path: listPath(), host, query: { limit: '1' }, headers: {} }, DEFAULT_ACCESS_KEY);
    const good = await undiciRequest(`${h.cloud.url}${listPath()}?limit=1`, { headers: signed });
    expect(good.statusCode).toBe(200);
    await good.body.dump();
    const tampered = await undiciRequest(`${h.cloud.url}${listPath()}?limit=2`, { headers: signed });
    expect(tampered.statusCode).toBe(401);
    expect(await tampered.body.json()).toMatchObject({ error_code: 'APIGW.0301', error_msg: expect.stringContaining('verify aksk signature fail') });
  });

  it('refuses a body changed after signing', async () => {
    const host = new URL(h.cloud.url).host;
    const body = JSON.stringify(obsRestoreRequest('a.bak'));
    const signed = signRequest({ method: 'POST', path: listPath(), host, headers: { 'Content-Type': 'application/json' }, body }, DEFAULT_ACCESS_KEY);
    const response = await undiciRequest(`${h.cloud.url}${listPath()}`, { method: 'POST', headers: signed, body: body.replace('a.bak', 'b.bak') });
    expect(response.statusCode).toBe(401);
    await response.body.dump();
    expect(calls('drs.createBackupMigrationJob')).toBe(0);
  });

  it('a wrong SK gives a typed 401 that does not show the AK', async () => {
    const client = h.makeClient({ credentials: { ak: DEFAULT_ACCESS_KEY.ak, sk: 'wrong-secret-key-xyz', source: 'environment' } });
    const error = (await client.drs.listBackupMigrationJobs().catch((e: unknown) => e)) as HuaweiApiError;
    expect(error).toMatchObject({ status: 401, errorCode: 'APIGW.0301' });
    expect(calls('drs.listBackupMigrationJobs')).toBe(0);
    // The gateway's message masks the AK (ak:******); ours must not add it back.
    expect(error.message).not.toContain(DEFAULT_ACCESS_KEY.ak);
  });

  it('temporary credentials must carry their security token', async () => {
    const withToken = h.makeClient({ credentials: { ak: 'TEMPORARYAK000000001', sk: 'temporary-secret-key-1', securityToken: 'temporary-security-token-abcdef', source: 'agency' } });
    await expect(withToken.drs.listBackupMigrationJobs()).resolves.toMatchObject({ count: expect.any(Number) });
    const withoutToken = h.makeClient({ credentials: { ak: 'TEMPORARYAK000000001', sk: 'temporary-secret-key-1', source: 'agency' } });
    await expect(withoutToken.drs.listBackupMigrationJobs()).rejects.toMatchObject({ status: 401, errorMsg: expect.stringContaining('token') });
  });
});

describe('retries', () => {
  it('retries a read on 500 and succeeds', async () => {
    h.cloud.faults.add({ operation: 'drs.listBackupMigrationJobs', kind: 'status', status: 500, count: 2 });
    await expect(h.client.drs.listBackupMigrationJobs()).resolves.toMatchObject({ count: expect.any(Number) });
    expect(calls('drs.listBackupMigrationJobs')).toBe(3);
    expect(h.waits).toHaveLength(2);
    // Full jitter: each wait is within [0, base·2^(n-1)].
    expect(h.waits[0]).toBeLessThanOrEqual(100);
    expect(h.waits[1]).toBeLessThanOrEqual(200);
  });

  it('honours Retry-After on 429', async () => {
    h.cloud.faults.add({ operation: 'drs.getBackupMigrationJob', kind: 'status', status: 429, retryAfter: '2', count: 1 });
    await expect(h.client.drs.getBackupMigrationJob('nope')).rejects.toMatchObject({ errorCode: 'DRS.10000010' });
    expect(h.waits).toEqual([2000]);
  });

  it('reads Retry-After dates and its deadline on the clock it is given', async () => {
    const clock = Date.parse('2030-01-01T00:00:00Z');
    const client = h.makeClient({ now: () => clock });
    h.cloud.faults.add({ operation: 'drs.listBackupMigrationJobs', kind: 'status', status: 429, retryAfter: new Date(clock + 3_000).toUTCString(), count: 1 });
    await expect(client.drs.listBackupMigrationJobs()).resolves.toBeDefined();
    expect(h.waits).toEqual([3_000]);
  });

  it('retries a read after a dropped connection', async () => {
    h.cloud.faults.add({ operation: 'drs.listBackupMigrationJobs', kind: 'drop', count: 1 });
    await expect(h.client.drs.listBackupMigrationJobs()).resolves.toBeDefined();
    expect(h.waits).toHaveLength(1);
  });

  it('gives up after the attempt limit with the last error', async () => {
    h.cloud.faults.add({ operation: 'drs.listBackupMigrationJobs', kind: 'status', status: 503, count: 10 });
    const error = (await h.client.drs.listBackupMigrationJobs().catch((e: unknown) => e)) as HuaweiApiError;
    expect(error).toMatchObject({ status: 503, attempts: 4, retryable: true });
    expect(calls('drs.listBackupMigrationJobs')).toBe(4);
  });

  it('does not retry when Retry-After is beyond the time the invocation has left', async () => {
    const client = h.makeClient({ remainingTimeMs: () => 5_000 });
    h.cloud.faults.add({ operation: 'drs.listBackupMigrationJobs', kind: 'status', status: 429, retryAfter: '30', count: 1 });
    await expect(client.drs.listBackupMigrationJobs()).rejects.toMatchObject({ status: 429 });
    expect(h.waits).toEqual([]);
  });

  it('never retries a create: 500, 429 and a dropped connection each reach the cloud once', async () => {
    for (const fault of [
      { kind: 'status', status: 500 },
      { kind: 'status', status: 429, retryAfter: '1' },
      { kind: 'drop' },
    ] as const) {
      h.cloud.requests.length = 0;
      h.cloud.faults.add({ operation: 'drs.createBackupMigrationJob', ...fault, count: 1 });
      const error = (await h.client.drs.createBackupMigrationJob(obsRestoreRequest('a.bak')).catch((e: unknown) => e)) as HuaweiApiError;
      expect(error).toBeInstanceOf(HuaweiApiError);
      expect(error.attempts).toBe(1);
      expect(h.waits).toEqual([]);
    }
    expect(h.cloud.drs.jobs.size).toBe(0);
  });

  it('a create whose answer is lost is reported as outcome unknown, and the job exists', async () => {
    h.cloud.faults.add({ operation: 'drs.createBackupMigrationJob', kind: 'drop-after', count: 1 });
    const error = (await h.client.drs.createBackupMigrationJob(obsRestoreRequest('lost.bak', { name: 'lost-answer' })).catch((e: unknown) => e)) as HuaweiApiError;
    expect(error).toMatchObject({ kind: 'network', outcomeUnknown: true });
    expect(await h.client.drs.findBackupMigrationJobsByName('lost-answer')).toHaveLength(1);
  });

  it('times out a slow answer and retries it within the budget', async () => {
    const client = h.makeClient({ requestTimeoutMs: 20 });
    h.cloud.faults.add({ operation: 'drs.listBackupMigrationJobs', kind: 'latency', ms: 100, count: 1 });
    await expect(client.drs.listBackupMigrationJobs()).resolves.toBeDefined();
    expect(h.logs.text()).toContain('"kind":"timeout"');
  });
});
