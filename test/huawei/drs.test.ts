import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SyntheticDatabase } from '../../scripts/synthetic/backups';
import { HuaweiApiError, InvalidRequestError } from '../../shared/huawei/errors';
import { obsRestoreRequest, startHarness, type CloudHarness } from '../support/cloud';

let h: CloudHarness;
beforeAll(async () => {
  h = await startHarness({ drs: { jobDurationMs: 60_000, precheckMs: 0 } });
});
afterAll(() => h.close());
beforeEach(() => {
  h.reset();
  h.cloud.drs.jobs.clear();
});

const creates = () => h.cloud.requests.filter((r) => r.operation === 'drs.createBackupMigrationJob').length;

describe('DRS backup migration jobs through the local cloud', () => {
  it('creates a job, reads it back TRANSFERRING, then SUCCESS once it finishes', async () => {
    h.cloud.obs.put('mig-backups', 'erp/ERP_FULL_1.bak', { content: new SyntheticDatabase('ERP').full(), size: 721_000 });
    const { job_id } = await h.client.drs.createBackupMigrationJob(obsRestoreRequest('ERP_FULL_1.bak'));
    const running = await h.client.drs.getBackupMigrationJob(job_id);
    expect(running.status).toBe('TRANSFERRING');
    expect(running.base_info?.name).toBe('job-ERP_FULL_1-bak');
    expect(running.backup_info?.file_info?.[0]).toMatchObject({ file_name: 'ERP_FULL_1.bak', file_size: '705KB' });
    h.cloud.drs.settle();
    const done = await h.client.drs.getBackupMigrationJob(job_id);
    expect(done.status).toBe('SUCCESS');
    expect(done.finish_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('reports PRECHECK FAILED (with its space) and the error_log for a missing backup file', async () => {
    const { job_id } = await h.client.drs.createBackupMigrationJob(obsRestoreRequest('NOT_UPLOADED.bak'));
    const [job] = await h.client.drs.listAllBackupMigrationJobs({ status: 'PRECHECK FAILED' });
    expect(job).toMatchObject({ id: job_id, status: 'PRECHECK FAILED' });
    expect(job?.error_log).toContain('NOT_UPLOADED.bak');
  });

  it('a scripted failure applies to the named file once', async () => {
    h.cloud.obs.put('mig-backups', 'erp/LOG_2.bak');
    h.cloud.drs.script('LOG_2.bak', { status: 'FAILED', errorLog: 'log chain broken' });
    const first = await h.client.drs.createBackupMigrationJob(obsRestoreRequest('LOG_2.bak', { name: 'first-try' }));
    h.cloud.drs.settle();
    expect(await h.client.drs.getBackupMigrationJob(first.job_id)).toMatchObject({ status: 'FAILED', error_log: 'log chain broken' });
  });

  it('get answers recovery_mode as "1"/"2", as DRS does, whatever "full"/"incre" was sent', async () => {
    h.cloud.obs.put('mig-backups', 'erp/full.bak');
    h.cloud.obs.put('mig-backups', 'erp/log.trn');
    const full = await h.client.drs.createBackupMigrationJob(obsRestoreRequest('full.bak', { name: 'mode-full' }));
    const log = await h.client.drs.createBackupMigrationJob(obsRestoreRequest('log.trn', { name: 'mode-log', recovery_mode: 'incre' }));
    expect((await h.client.drs.getBackupMigrationJob(full.job_id)).options?.recovery_mode).toBe('1');
    expect((await h.client.drs.getBackupMigrationJob(log.job_id)).options?.recovery_mode).toBe('2');
  });

  it('renames a database only with the key "", the client and the local cloud each on their own reading', async () => {
    const request = (map: Record<string, string>) => ({ ...obsRestoreRequest('full.bak', { name: 'rename-db', is_last_backup: true }), options: { ...obsRestoreRequest('full.bak', { is_last_backup: true }).options, reset_db_name_map: map } });
    await expect(h.client.drs.createBackupMigrationJob(request({ old_db: 'new_db' }))).rejects.toMatchObject({ field: 'options.reset_db_name_map' });
    expect(creates()).toBe(0);
    const { Transport } = await import('../../shared/huawei/transport');
    const { resolveEndpoints } = await import('../../shared/huawei/endpoints');
    const { DEFAULT_ACCESS_KEY } = await import('../../scripts/local-cloud/server');
    const raw = new Transport({ endpoints: resolveEndpoints(h.cloud.env()), credentials: { ...DEFAULT_ACCESS_KEY, source: 'environment' }, logger: h.logs.logger, pools: h.pools });
    const send = (body: unknown) => raw.send({ operation: 'raw', service: 'drs', method: 'POST', path: `/v5/${h.cloud.projectId}/backup-migration-jobs`, body, retry: false });
    await expect(send(request({ old_db: 'new_db' }))).rejects.toMatchObject({ status: 400, errorMsg: expect.stringContaining('reset_db_name_map') });
    const { job_id } = await h.client.drs.createBackupMigrationJob(request({ '': 'new_db' }));
    expect((await h.client.drs.getBackupMigrationJob(job_id)).new_db_names).toBe('["new_db"]');
  });

  it('answers 400 DRS.10000010 for an unknown job id, as a typed error with the request id', async () => {
    const error = await h.client.drs.getBackupMigrationJob('0667845a-6291-4e2a-95b0-190c0abjb703').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HuaweiApiError);
    expect(error).toMatchObject({ status: 400, errorCode: 'DRS.10000010', operation: 'drs.getBackupMigrationJob', kind: 'http' });
    expect((error as HuaweiApiError).requestId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('lists with filters, limit/offset and count as documented, and walks every page', async () => {
    for (let i = 0; i < 230; i++) {
      const instance = i % 2 === 0 ? 'inst-even' : 'inst-odd';
      const request = obsRestoreRequest(`F${i}.bak`, { name: `walk-${String(i).padStart(3, '0')}` });
      request.target_db_info.target_instance_id = instance;
      await h.client.drs.createBackupMigrationJob(request);
    }
    const firstPage = await h.client.drs.listBackupMigrationJobs();
    expect(firstPage.count).toBe(230);
    expect(firstPage.jobs).toHaveLength(10); // documented default limit
    const page = await h.client.drs.listBackupMigrationJobs({ limit: 5, offset: 228 });
    expect(page.jobs).toHaveLength(2);

    h.cloud.requests.length = 0;
    const all = await h.client.drs.listAllBackupMigrationJobs();
    expect(new Set(all.map((j) => j.id)).size).toBe(230);
    expect(h.cloud.requests).toHaveLength(3); // 100 + 100 + 30

    const even = await h.client.drs.listAllBackupMigrationJobs({ dbs_instance_ids: ['inst-even'] });
    expect(even).toHaveLength(115);
    const fuzzy = await h.client.drs.listBackupMigrationJobs({ name: 'WALK-22', limit: 100 });
    expect(fuzzy.jobs.map((j) => j.name).sort()).toEqual(['walk-220', 'walk-221', 'walk-222', 'walk-223', 'walk-224', 'walk-225', 'walk-226', 'walk-227', 'walk-228', 'walk-229']);
    expect(await h.client.drs.findBackupMigrationJobsByName('walk-022')).toHaveLength(1);
  });

  it('refuses bad requests before sending, naming the field', async () => {
    const cases: [unknown, string][] = [
      [obsRestoreRequest('a.bak', { name: 'abc' }), 'base_info.name'],
      [obsRestoreRequest('a.bak', { name: 'has space here' }), 'base_info.name'],
      [{ ...obsRestoreRequest('a.bak'), backup_info: { file_source: 'OBS', bucket_name: '192.168.1.1', files: [{ name: 'a.bak', obs_path: '' }] } }, 'backup_info.bucket_name'],
      [{ ...obsRestoreRequest('a.bak'), backup_info: { file_source: 'OBS', bucket_name: 'Upper', files: [{ name: 'a.bak', obs_path: '' }] } }, 'backup_info.bucket_name'],
      [{ ...obsRestoreRequest('a.bak'), backup_info: { file_source: 'OBS', bucket_name: 'mig-backups', files: [{ name: 'a.bak' }] } }, 'backup_info.files.0.obs_path'],
      [{ ...obsRestoreRequest('a.bak'), backup_info: { file_source: 'OBS', files: [{ name: 'a.bak', obs_path: '' }] } }, 'backup_info.bucket_name'],
      [{ ...obsRestoreRequest('a.bak'), base_info: { name: 'good-name', engine_type: 'sqlserver', tags: [{ key: 'k'.repeat(37), value: 'v' }] } }, 'base_info.tags.0.key'],
      [{ ...obsRestoreRequest('a.bak'), base_info: { name: 'good-name', engine_type: 'sqlserver', tags: [{ key: 'k', value: 'semi;colon' }] } }, 'base_info.tags.0.value'],
      [{ ...obsRestoreRequest('a.bak'), options: { ...obsRestoreRequest('a.bak').options, is_default_restore: false } }, 'options.db_names'],
      [{ ...obsRestoreRequest('a.bak'), options: { ...obsRestoreRequest('a.bak').options, recovery_mode: 'incre', reset_db_name_map: { '': 'new_db' } } }, 'options.reset_db_name_map'],
      [{ ...obsRestoreRequest('a.bak'), options: { ...obsRestoreRequest('a.bak').options, recovery_mode: 'differential' } }, 'options.recovery_mode'],
      [{ ...obsRestoreRequest('a.bak'), target_db_info: { target_instance_id: '' } }, 'target_db_info.target_instance_id'],
    ];
    for (const [request, field] of cases) {
      const error = await h.client.drs.createBackupMigrationJob(request as never).catch((e: unknown) => e);
      expect(error, field).toBeInstanceOf(InvalidRequestError);
      expect((error as InvalidRequestError).field).toBe(field);
      expect((error as Error).message).toContain(field);
    }
    await expect(h.client.drs.listBackupMigrationJobs({ dbs_instance_ids: Array.from({ length: 11 }, (_, i) => `i${i}`) })).rejects.toMatchObject({ field: 'dbs_instance_ids' });
    await expect(h.client.drs.listBackupMigrationJobs({ limit: 0 })).rejects.toMatchObject({ field: 'limit' });
    expect(h.cloud.requests).toHaveLength(0);
  });

  it('accepts the three documented scenarios: OBS full, OBS full+incremental, RDS backup', async () => {
    h.cloud.obs.put('mig-backups', 'erp/full.bak');
    h.cloud.obs.put('mig-backups', 'erp/log1.bak');
    await h.client.drs.createBackupMigrationJob(obsRestoreRequest('full.bak', { name: 'obs-full', is_last_backup: true }));
    await h.client.drs.createBackupMigrationJob(obsRestoreRequest('full.bak', { name: 'obs-incr-full' }));
    await h.client.drs.createBackupMigrationJob(obsRestoreRequest('log1.bak', { name: 'obs-incr-log', recovery_mode: 'incre', is_last_backup: true }));
    await h.client.drs.createBackupMigrationJob({
      base_info: { name: 'rds-restore', engine_type: 'sqlserver', enterprise_project_id: '0', tags: [] },
      target_db_info: { target_instance_id: '0a3182607bc549bcb46cc9a8755761a6in04', ms_file_stream_status: 'off', file_id: '0d87037d934848999fdc10bbabb08e6fbr04' },
      backup_info: { file_source: 'RDS', files: [{ name: '', obs_path: '', rds_version: '2019_EE', rds_source_instance_id: '7fb189b57339473a929d41dabb3878a2in04' }] },
      options: { is_precheck: true, recovery_mode: 'full', is_last_backup: true, db_names: ['db_test12'] },
    });
    await expect(
      h.client.drs.createBackupMigrationJob({
        ...obsRestoreRequest('x.bak'),
        backup_info: { file_source: 'RDS', files: [{ name: '', rds_version: '2019_EE', rds_source_instance_id: 'src' }] },
      }),
    ).rejects.toMatchObject({ field: 'target_db_info.file_id' });
    expect(creates()).toBe(4);
  });

  it('the local cloud refuses, on its own reading of the reference, a create missing mandatory fields', async () => {
    const { Transport } = await import('../../shared/huawei/transport');
    const { resolveEndpoints } = await import('../../shared/huawei/endpoints');
    const { DEFAULT_ACCESS_KEY } = await import('../../scripts/local-cloud/server');
    const raw = new Transport({ endpoints: resolveEndpoints(h.cloud.env()), credentials: { ...DEFAULT_ACCESS_KEY, source: 'environment' }, logger: h.logs.logger, pools: h.pools });
    const send = (body: unknown) => raw.send({ operation: 'raw', service: 'drs', method: 'POST', path: `/v5/${h.cloud.projectId}/backup-migration-jobs`, body, retry: false });
    const valid = obsRestoreRequest('x.bak');
    await expect(send({ ...valid, options: { ...valid.options, is_precheck: undefined } })).rejects.toMatchObject({ status: 400, errorCode: 'DRS.10000001', errorMsg: expect.stringContaining('options.is_precheck') });
    await expect(send({ ...valid, backup_info: { ...valid.backup_info, file_source: 'obs' } })).rejects.toMatchObject({ errorMsg: expect.stringContaining('file_source') });
    await expect(send({ ...valid, base_info: { ...valid.base_info, name: 'a b' } })).rejects.toMatchObject({ errorMsg: expect.stringContaining('base_info.name') });
    await expect(send(valid)).resolves.toMatchObject({ status: 200 });
  });

  it('a 2xx answer missing a documented required field is a typed response-shape error', async () => {
    h.cloud.faults.add({ operation: 'drs.listBackupMigrationJobs', kind: 'status', status: 200, body: { jobs: [] }, count: 1 });
    await expect(h.client.drs.listBackupMigrationJobs()).rejects.toMatchObject({ kind: 'response-shape', errorMsg: expect.stringContaining('count') });
    h.cloud.faults.add({ operation: 'drs.listBackupMigrationJobs', kind: 'status', status: 200, body: { count: 1, jobs: [{ id: 'x', name: 'y', status: 'DONE' }] }, count: 1 });
    await expect(h.client.drs.listBackupMigrationJobs()).rejects.toMatchObject({ kind: 'response-shape', errorMsg: expect.stringContaining('jobs.0.status') });
    h.cloud.faults.add({ operation: 'drs.listBackupMigrationJobs', kind: 'status', status: 200, body: { count: 0, jobs: [], brand_new_field: { x: 1 } }, count: 1 });
    await expect(h.client.drs.listBackupMigrationJobs()).resolves.toMatchObject({ count: 0, brand_new_field: { x: 1 } });
  });
});
