import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HuaweiApiError, InvalidRequestError } from '../../shared/huawei/errors';
import { isSqlServer, sqlServerMajorOf } from '../../shared/huawei/rds';
import { startHarness, type CloudHarness } from '../support/cloud';
import { ERP_INSTANCE } from '../support/pipeline';

let h: CloudHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => h.reset());

describe('RDS getInstance', () => {
  it('reads a test chain target over signed HTTP: SQL Server 2019 Standard, ACTIVE', async () => {
    const instance = await h.client.rds.getInstance(ERP_INSTANCE);
    expect(instance).toMatchObject({ id: ERP_INSTANCE, status: 'ACTIVE', datastore: { type: 'SQLServer', version: '2019_SE' } });
    expect(isSqlServer(instance!)).toBe(true);
    expect(sqlServerMajorOf(instance!.datastore.version)).toBe(15);
    const sent = h.cloud.requests.at(-1)!;
    expect(sent).toMatchObject({ operation: 'rds.listInstances', method: 'GET', path: `/v3/${h.cloud.projectId}/instances`, status: 200 });
    expect(sent.query.get('id')).toBe(ERP_INSTANCE);
    await expect(h.client.rds.getInstance('crm-instance-in04')).resolves.toMatchObject({ datastore: { version: '2019_SE' } });
  });

  it('an instance changed to SQL Server 2017 Enterprise reads as major 14, fields kept as sent', async () => {
    h.cloud.rds.setInstance('target-2017-in04', { name: 'erp-2017', datastore: { type: 'SQLServer', version: '2017_EE' }, status: 'MODIFYING' });
    const instance = await h.client.rds.getInstance('target-2017-in04');
    expect(instance).toMatchObject({ id: 'target-2017-in04', name: 'erp-2017', status: 'MODIFYING', type: 'Ha', port: 1433 });
    expect(sqlServerMajorOf(instance!.datastore.version)).toBe(14);
  });

  it('an unknown id is an empty list on RDS, and undefined here', async () => {
    await expect(h.client.rds.getInstance('no-such-instance-in04')).resolves.toBeUndefined();
    expect(h.cloud.requests.at(-1)).toMatchObject({ status: 200 });
  });

  it('refuses an empty id or one RDS would read as a fuzzy match, before sending', async () => {
    for (const id of ['', '*in04']) {
      const error = await h.client.rds.getInstance(id).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect(error).toMatchObject({ field: 'id' });
    }
    expect(h.cloud.requests).toHaveLength(0);
  });

  it('retries a 429 and then answers', async () => {
    h.cloud.faults.add({ operation: 'rds.listInstances', kind: 'status', status: 429, count: 1 });
    await expect(h.client.rds.getInstance(ERP_INSTANCE)).resolves.toMatchObject({ id: ERP_INSTANCE });
    expect(h.cloud.requests.map((r) => r.status)).toEqual([429, 200]);
    expect(h.waits).toHaveLength(1);
  });

  it('an answer without a datastore version is a typed response-shape error', async () => {
    h.cloud.faults.add({ operation: 'rds.listInstances', kind: 'status', status: 200, count: 1, body: { instances: [{ id: ERP_INSTANCE, status: 'ACTIVE', datastore: { type: 'SQLServer' } }], total_count: 1 } });
    const error = await h.client.rds.getInstance(ERP_INSTANCE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HuaweiApiError);
    expect(error).toMatchObject({ kind: 'response-shape', operation: 'rds.listInstances' });
  });

  it('the local RDS checks signatures like every other route', async () => {
    const other = h.makeClient({ credentials: { ak: 'LOCALCLOUDAK0000000001', sk: 'wrong-secret', source: 'environment' } });
    await expect(other.rds.getInstance(ERP_INSTANCE)).rejects.toMatchObject({ status: 401 });
  });
});

describe('sqlServerMajorOf', () => {
  it('maps each RDS for SQL Server release to its major version (Microsoft KB 321185)', () => {
    const expected: [string, number][] = [
      ['2008_R2_EE', 10],
      ['2008_R2_WEB', 10],
      ['2012_SE', 11],
      ['2012_WEB', 11],
      ['2014_EE', 12],
      ['2016_SE', 13],
      ['2017_EE', 14],
      ['2017_WEB', 14],
      ['2019_SE', 15],
      ['2019_EE', 15],
      ['2022_WEB', 16],
      ['2022_SE', 16],
      ['2019', 15],
    ];
    for (const [version, major] of expected) expect([version, sqlServerMajorOf(version)]).toEqual([version, major]);
  });

  it('never guesses: unknown releases, other engines and malformed values are undefined', () => {
    for (const version of ['2008_EE', '2008', '2025_EE', '2000_SE', '20190_SE', '2019SE', 'SE_2019', '15.0', '8.0', '5.7', '', 'sqlserver 2019']) {
      expect([version, sqlServerMajorOf(version)]).toEqual([version, undefined]);
    }
  });
});
