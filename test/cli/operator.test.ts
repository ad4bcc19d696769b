import { execFile } from 'node:child_process';
import { Redis } from 'ioredis';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SyntheticDatabase } from '../../scripts/synthetic/backups';
import { ERP_INSTANCE, startPipeline, TEST_CHAINS, type Pipeline } from '../support/pipeline';
import { testRedisUrl, testStateUrl } from '../support/redis';

const CLI = join(resolve(__dirname, '../..'), 'scripts/cli/restore-pilot.js');
const FULL = 'erp/ERP_FULL_20261120000000.bak';
const LOG = (n: number) => `erp/ERP_LOG_2026112001${String(n).padStart(2, '0')}00.trn`;

let p: Pipeline;
afterEach(async () => p?.close());

/** `npx restore-pilot …` as an operator runs it, with the functions' environment, against the local cloud and Redis. */
function restorePilot(args: string[]): Promise<{ code: number; out: string }> {
  const env = { PATH: process.env.PATH, ...p.cloud.env(), STATE_URL: testStateUrl(p.keyPrefix), RESTORE_CHAINS: JSON.stringify(TEST_CHAINS) };
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { env, timeout: 30_000 }, (error, stdout, stderr) => done({ code: error ? Number(error.code) : 0, out: stdout + stderr }));
  });
}

async function settle() {
  p.cloud.drs.settle();
  await p.poll();
}

describe('restore-pilot operator CLI', () => {
  it('retry sends a failed file to DRS again under a new attempt, without a re-upload', async () => {
    p = await startPipeline();
    p.cloud.drs.script('ERP_FULL_20261120000000.bak', { status: 'FAILED', errorLog: 'The target instance is out of disk space.' });
    await p.handler(p.upload(FULL));
    await p.handler(p.upload(LOG(1)));
    await settle();

    const before = await restorePilot(['status']);
    expect(before.code).toBe(1); // an open problem
    expect(before.out).toContain(`erp-prod ERP: halted since`);
    expect(before.out).toContain(`${FULL} failed (The target instance is out of disk space.); retry it: npx restore-pilot retry ${FULL}`);
    expect(before.out).toContain('Restore failed: erp-prod');
    const full = await restorePilot(['status', '--db', 'ERP']);
    expect(full.code).toBe(1);
    expect(full.out).toContain('✗ failed');
    expect(full.out).toContain('The target instance is out of disk space.');
    expect(full.out).toContain('Restore failed: erp-prod');

    const retried = await restorePilot(['retry', FULL]);
    expect(retried).toMatchObject({ code: 0 });
    expect(retried.out).toContain(`${FULL} will be restored again (attempt 2`);
    expect(retried.out).toMatch(/sent erp\/ERP_FULL_20261120000000.bak to DRS: job [0-9a-f-]{36}/);
    const creates = p.created();
    expect(creates.map((c) => c.file)).toEqual([FULL, FULL]);
    expect(creates[1]!.name).not.toBe(creates[0]!.name);

    await settle(); // the full succeeds now; the log follows into the same instance
    expect(p.created().map((c) => c.file)).toEqual([FULL, FULL, LOG(1)]);
    expect((await restorePilot(['retry', LOG(1)])).out).toContain(`not done: ${LOG(1)} is running; only a failed file, or one held by its preflight, can be retried`);
    await settle();
    expect((await p.state('erp-prod')).files[LOG(1)]).toMatchObject({ status: 'succeeded' });
  });

  it('after the state is lost, reconcile finds the retried job and a second retry creates nothing', async () => {
    p = await startPipeline();
    p.cloud.drs.script('ERP_FULL_20261120000000.bak', { status: 'FAILED', errorLog: 'disk full' });
    await p.handler(p.upload(FULL));
    await settle();
    await restorePilot(['retry', FULL]);
    await settle();
    expect(p.created()).toHaveLength(2);

    const redis = new Redis(testRedisUrl());
    await redis.del(`${p.keyPrefix}{erp-prod}:files`, `${p.keyPrefix}{erp-prod}:meta`);
    await redis.quit();
    await p.poll(); // reconcile rebuilds the chain from OBS and DRS
    await settle();
    expect((await p.state('erp-prod')).files[FULL]).toMatchObject({ status: 'succeeded', attempt: 2 });
    expect((await restorePilot(['retry', FULL])).out).toContain('is succeeded; only a failed file, or one held by its preflight, can be retried');
    expect(p.created()).toHaveLength(2);
  });

  it('a retry that fails again is paged again', async () => {
    p = await startPipeline();
    p.cloud.drs.script('ERP_FULL_20261120000000.bak', { status: 'PRECHECK FAILED', errorLog: 'not enough disk space' });
    await p.handler(p.upload(FULL));
    await settle();
    await p.poll();
    expect(p.pages().map((m) => m.subject)).toEqual(['[restore-pilot] Restore precheck failed: erp-prod']);
    p.cloud.drs.script('ERP_FULL_20261120000000.bak', { status: 'PRECHECK FAILED', errorLog: 'still not enough disk space' });
    await restorePilot(['retry', FULL]);
    await settle();
    await p.poll();
    const failures = p.pages().filter((m) => m.subject === '[restore-pilot] Restore precheck failed: erp-prod');
    expect(failures).toHaveLength(2);
    expect(failures[1]!.message).toContain('still not enough disk space');
    expect(p.pages().map((m) => m.subject)).toContain('[restore-pilot] RESOLVED: Restore precheck failed: erp-prod'); // the first attempt's page
  });

  it('skip refuses without confirmation, then takes the file out so the chain moves on', async () => {
    p = await startPipeline();
    await p.handler(p.upload(FULL));
    const log1 = p.upload(LOG(1));
    p.cloud.drs.script(p.drsName(LOG(1)), { status: 'PRECHECK FAILED', errorLog: 'backup set is damaged' });
    await p.handler(log1);
    await p.handler(p.upload(LOG(2)));
    await settle();
    await settle();
    expect(p.created().map((c) => c.file)).toEqual([FULL, LOG(1)]);

    const unconfirmed = await restorePilot(['skip', LOG(1)]);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.out).toContain('SQL Server restores logs as one unbroken sequence');
    expect(unconfirmed.out).toContain('confirm with --yes');
    expect(p.created()).toHaveLength(2);

    const skipped = await restorePilot(['skip', LOG(1), '--yes']);
    expect(skipped).toMatchObject({ code: 0 });
    expect(skipped.out).toContain(`sent ${LOG(2)} to DRS`);
    expect(p.created().map((c) => c.file)).toEqual([FULL, LOG(1), LOG(2)]);
    const status = await restorePilot(['status', '--db', 'ERP']);
    expect(status.out).toContain('» skipped');
    expect(status.out).not.toContain('Restore precheck failed');
    expect(status.code).toBe(0); // no open problem left
    expect(await restorePilot(['status'])).toMatchObject({ code: 0, out: expect.stringContaining('nothing needs attention') });
  });

  it('cutover makes the next log the last one; a second cutover is refused', async () => {
    p = await startPipeline();
    await p.handler(p.upload(FULL));
    await settle();
    const cutover = await restorePilot(['cutover', 'erp-prod']);
    expect(cutover).toMatchObject({ code: 0 });
    expect(cutover.out).toContain('waiting for the tail-log backup');
    expect((await restorePilot(['cutover', 'erp-prod'])).out).toContain('not done: cutover was already requested');

    await p.handler(p.upload(LOG(1)));
    expect(p.created().at(-1)).toMatchObject({ file: LOG(1), last: true });
  });

  it('cutover --db NAME cuts over that database of the chain only', async () => {
    p = await startPipeline();
    const crmFull = 'erp/CRM_FULL_20261120000000.bak';
    const crmLog = 'erp/CRM_LOG_20261120010100.trn';
    await p.handler(p.upload(FULL));
    await p.handler(p.upload(crmFull));
    await settle();
    expect(await restorePilot(['cutover', 'erp-prod', '--db', 'NOPE'])).toMatchObject({ code: 2, out: expect.stringContaining('chain erp-prod has no database NOPE') });
    expect(await restorePilot(['cutover', 'erp-prod', '--db'])).toMatchObject({ code: 2, out: expect.stringContaining('--db needs NAME') });
    expect(await restorePilot(['cutover', 'erp-prod', '--db', 'CRM'])).toMatchObject({ code: 0, out: expect.stringContaining('waiting for the tail-log backup of CRM') });
    await p.handler(p.upload(LOG(1)));
    await p.handler(p.upload(crmLog));
    await settle();
    expect(p.created().slice(-2).map((c) => [c.file, c.last])).toEqual(expect.arrayContaining([[LOG(1), false], [crmLog, true]]));
  });

  it('status shows each database at its LSN and the hole; restart --from a newer full is the way out', async () => {
    p = await startPipeline();
    const db = new SyntheticDatabase('ERP');
    const files: [string, Uint8Array][] = [['erp/ERP/f1.bak', db.full()], ['erp/ERP/l1.trn', db.log()], ['erp/ERP/l2.trn', db.log()], ['erp/ERP/l3.trn', db.log()], ['erp/ERP/f2.bak', db.full()], ['erp/ERP/l4.trn', db.log()]];
    for (const [key, bytes] of files.filter(([key]) => key !== 'erp/ERP/l2.trn')) await p.handler(p.upload(key, { content: bytes }));
    for (let i = 0; i < 3; i++) await settle();
    expect((await restorePilot(['status'])).out).toMatch(/erp-prod ERP: log chain broken since \d\d:\d\dZ: restored to LSN \d+, the next log \(erp\/ERP\/l3\.trn\) starts at LSN \d+/);
    const status = await restorePilot(['status', '--db', 'ERP']);
    expect(status.out).toMatch(/database ERP: restored to LSN (\d+) by ERP\/l1\.trn \(taken [^)]+\); the next log must include LSN \1; log chain broken: restored to LSN \1, the next log starts at LSN \d+/);
    expect(status.out).toContain('a later full backup: the log chain continues without it');

    expect(await restorePilot(['restart', 'erp-prod'])).toMatchObject({ code: 2, out: expect.stringContaining('restart needs --from FULL') });
    const restarted = await restorePilot(['restart', 'erp-prod', '--from', 'erp/ERP/f2.bak']);
    expect(restarted).toMatchObject({ code: 0 });
    expect(restarted.out).toContain('ERP restarts from erp/ERP/f2.bak');
    expect(restarted.out).toMatch(/sent erp\/ERP\/f2\.bak to DRS: job/);
    const create = p.cloud.requests.filter((r) => r.operation === 'drs.createBackupMigrationJob').at(-1)!;
    expect((create.body as { options: { is_cover: boolean } }).options.is_cover).toBe(true);
    for (let i = 0; i < 3; i++) await settle();
    expect(p.created().map((c) => c.file).slice(-2)).toEqual(['erp/ERP/f2.bak', 'erp/ERP/l4.trn']);
    expect([...p.cloud.drs.jobs.values()].map((j) => p.cloud.drs.statusOf(j))).toEqual(Array(4).fill('SUCCESS'));
  });

  it('retry overrides a preflight that holds a full: the operator knows DRS will take it', async () => {
    p = await startPipeline();
    p.cloud.rds.setInstance(ERP_INSTANCE, { datastore: { type: 'SQLServer', version: '2017_EE' } });
    await p.handler(p.upload(FULL));
    await p.poll();
    expect(p.created()).toEqual([]);
    expect((await restorePilot(['status'])).out).toContain(`erp-prod ERP: held by the preflight since`);
    expect((await restorePilot(['status'])).out).toContain(`${FULL}: this backup comes from SQL Server 2019`);
    expect((await restorePilot(['status', '--db', 'ERP'])).out).toContain('held by the preflight: this backup comes from SQL Server 2019');
    const retried = await restorePilot(['retry', FULL]);
    expect(retried).toMatchObject({ code: 0 });
    expect(retried.out).toContain(`${FULL} will be sent to DRS despite its preflight (newer-server)`);
    expect(p.created().map((c) => c.file)).toEqual([FULL]);
  });

  it('status --json: chains, databases, files with LSNs and job ids, refusal and not-needed codes, open problems', async () => {
    p = await startPipeline();
    const db = new SyntheticDatabase('ERP');
    const [full, diff, log] = [db.full(), db.diff(), db.log()];
    p.cloud.drs.script('ERP_FULL_20261120000000.bak', { status: 'FAILED', errorLog: 'disk full' });
    await p.handler(p.upload(FULL, { content: full }));
    await p.handler(p.upload('erp/ERP_DIFF_20261120003000.bak', { content: diff }));
    await p.handler(p.upload(LOG(1), { content: log }));
    await p.handler(p.upload('erp/notes.bak', { content: new TextEncoder().encode('not a backup') }));
    await settle();

    const { code, out } = await restorePilot(['status', '--json']);
    expect(code).toBe(1);
    const doc = JSON.parse(out);
    expect(doc).toMatchObject({ version: 1, liveDrs: true, openProblems: expect.any(Number) });
    expect(doc.chains.map((c: { id: string }) => c.id)).toEqual(['erp-prod', 'crm']);
    const [erp, crm] = doc.chains;
    expect(crm).toEqual({
      id: 'crm',
      bucket: 'mig-backups',
      prefix: 'crm/',
      targetInstanceId: 'crm-instance-in04',
      cutoverRequested: false,
      summary: { databases: 0, restored: 0, 'in-flight': 0, queued: 0, waiting: 0, broken: 0, done: 0, needAttention: 0 },
      attention: [],
      databases: [],
      otherFiles: [],
      problems: [],
    });
    expect(erp.databases).toHaveLength(1);
    const [database] = erp.databases;
    expect(database).toMatchObject({ name: 'ERP', standing: 'broken', attention: { code: 'halted', reason: expect.stringContaining(`${FULL} failed (disk full)`) }, restoredTo: null, next: { kind: 'wait', code: 'halted' } });
    expect(erp.summary).toMatchObject({ databases: 1, broken: 1, needAttention: 2 }); // ERP, and the files in no database
    expect(erp.attention.map((a: { database: string; code: string }) => [a.database, a.code])).toEqual([['ERP', 'halted'], ['', 'refused']]);
    expect(doc.needAttention).toBe(2);
    // In LSN order: the log taken before the full begins at an earlier LSN.
    expect(database.files.map((f: { key: string }) => f.key)).toEqual([LOG(1), FULL, 'erp/ERP_DIFF_20261120003000.bak']);
    expect(database.files[1]).toEqual({
      key: FULL,
      status: 'failed',
      type: 'full',
      database: 'ERP',
      firstLsn: expect.stringMatching(/^\d+$/),
      lastLsn: expect.stringMatching(/^\d+$/),
      attempt: 1,
      jobId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      drsStatus: 'FAILED',
      drsStatusLive: false,
      last: false,
      refusal: null,
      notNeeded: null,
      error: expect.stringContaining('disk full'),
    });
    expect(database.files[2]).toMatchObject({ status: 'not-needed', notNeeded: 'differential', jobId: null });
    expect(database.files[0]).toMatchObject({ status: 'waiting', type: 'log' });
    expect(erp.otherFiles).toEqual([expect.objectContaining({ key: 'erp/notes.bak', status: 'refused', refusal: 'not-a-backup', type: null })]);
    expect(erp.problems).toContainEqual({ id: expect.any(String), kind: 'restore-failed', database: 'ERP', title: expect.stringContaining('Restore failed: erp-prod'), since: expect.any(String), paged: true, nextStep: expect.any(String) });
    expect(erp.problems.map((q: { kind: string }) => q.kind)).toContain('backup-refused');
    expect(doc.openProblems).toBe(erp.problems.length);
  });

  it('--help on every command, with no environment at all', async () => {
    p = await startPipeline();
    for (const command of ['status', 'retry', 'skip', 'cutover', 'restart']) {
      const help = await new Promise<{ code: number; out: string }>((done) => {
        execFile(process.execPath, [CLI, command, '--help'], { env: { PATH: process.env.PATH }, timeout: 30_000 }, (error, stdout, stderr) => done({ code: error ? Number(error.code) : 0, out: stdout + stderr }));
      });
      expect(help).toMatchObject({ code: 0, out: expect.stringContaining(`usage: restore-pilot ${command}`) });
      expect(help.out).toContain('Exit status:');
    }
    expect(await restorePilot(['help', 'skip'])).toMatchObject({ code: 0, out: expect.stringContaining('--yes    confirm without asking') });
    expect(await restorePilot(['--help'])).toMatchObject({ code: 0, out: expect.stringContaining('restart CHAIN --from FULL') });
    expect(await restorePilot([])).toMatchObject({ code: 2, out: expect.stringContaining('usage: restore-pilot <command>') });
  });

  it('bad input says what was wrong and changes nothing', async () => {
    p = await startPipeline();
    expect(await restorePilot(['retry'])).toMatchObject({ code: 2, out: expect.stringContaining('retry takes exactly one FILE') });
    expect(await restorePilot(['retry', 'erp/nope.bak'])).toMatchObject({ code: 2, out: expect.stringContaining('no chain has a file erp/nope.bak') });
    expect(await restorePilot(['cutover', 'nope'])).toMatchObject({ code: 2, out: expect.stringContaining('no chain nope; chains: erp-prod, crm') });
    expect(await restorePilot(['frobnicate'])).toMatchObject({ code: 2, out: expect.stringContaining('unknown command frobnicate') });
    expect(await restorePilot(['skip', 'erp/x.bak', '--force'])).toMatchObject({ code: 2, out: expect.stringContaining('skip has no option --force') });
    expect(await restorePilot(['status', 'erp-prod'])).toMatchObject({ code: 2, out: expect.stringContaining('status takes no FILE or CHAIN') });
    expect(p.cloud.requests.filter((r) => r.operation.startsWith('drs.'))).toEqual([]);
  });
});
