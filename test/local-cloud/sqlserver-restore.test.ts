import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SyntheticDatabase } from '../../scripts/synthetic/backups';
import { writeSyntheticBackup } from '../../shared/backup/write-backup';
import { obsRestoreRequest, startHarness, type CloudHarness } from '../support/cloud';
import { fixture } from '../backup/fixtures';

/**
 * The local cloud's DRS restores like SQL Server: it reads each job's file from its own OBS and
 * fails what SQL Server would refuse, with SQL Server's error text. Jobs go through the real client.
 */
let h: CloudHarness;
beforeAll(async () => {
  h = await startHarness({ drs: { jobDurationMs: 60_000, precheckMs: 0 } });
});
afterAll(() => h.close());
beforeEach(() => h.cloud.drs.jobs.clear());

let instance = 0;
/** Restores the files in order into a fresh instance, each job finishing before the next; returns how each ended. */
async function restore(files: { name: string; bytes: Uint8Array; log?: boolean; last?: boolean; precheck?: boolean }[]) {
  instance += 1;
  const ended: { status: string; error?: string }[] = [];
  for (const [i, file] of files.entries()) {
    h.cloud.obs.put('mig-backups', `erp/${file.name}`, { content: file.bytes });
    const request = obsRestoreRequest(file.name, { name: `job-${instance}-${i}`, recovery_mode: file.log ? 'incre' : 'full', is_last_backup: file.last ?? false });
    const sent = { ...request, target_db_info: { ...request.target_db_info, target_instance_id: `instance-${instance}` }, options: { ...request.options, is_cover: false, is_precheck: file.precheck ?? false } };
    const { job_id } = await h.client.drs.createBackupMigrationJob(sent);
    h.cloud.drs.settle();
    const job = await h.client.drs.getBackupMigrationJob(job_id);
    ended.push({ status: job.status, ...(job.error_log ? { error: job.error_log } : {}) });
  }
  return ended;
}

describe('the local DRS restores by LSN, as SQL Server does', () => {
  it('a full and its logs in order succeed; an empty log at the point applies', async () => {
    const db = new SyntheticDatabase('ERP');
    const ended = await restore([{ name: 'full.bak', bytes: db.full() }, { name: 'l1.trn', bytes: db.log(), log: true }, { name: 'l2.trn', bytes: db.log({ empty: true }), log: true }, { name: 'l3.trn', bytes: db.log(), log: true, last: true }]);
    expect(ended.map((e) => e.status)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS']);
  });

  it('a log past a hole fails with 4305 naming both LSNs; with precheck on, as PRECHECK FAILED', async () => {
    const db = new SyntheticDatabase('ERP');
    const full = db.full();
    db.log();
    const third = db.log();
    const ended = await restore([{ name: 'full.bak', bytes: full }, { name: 'l2.trn', bytes: third, log: true }]);
    expect(ended[1]).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/^Msg 4305, .*begins at LSN \d+, which is too recent to apply to the database\. An earlier log backup that includes LSN \d+ can be restored\./) });
    const prechecked = await restore([{ name: 'full.bak', bytes: full }, { name: 'l2.trn', bytes: third, log: true, precheck: true }]);
    expect(prechecked[1]).toMatchObject({ status: 'PRECHECK FAILED', error: expect.stringContaining('Msg 4305') });
  });

  it('a log already covered fails with 4326; a log after the last backup with 3117; a log with no full with 3117', async () => {
    const db = new SyntheticDatabase('ERP');
    const first = db.full();
    const l1 = db.log();
    const l2 = db.log();
    expect((await restore([{ name: 'f.bak', bytes: first }, { name: 'l1.trn', bytes: l1, log: true }, { name: 'l2.trn', bytes: l2, log: true }, { name: 'l1-again.trn', bytes: l1, log: true }]))[3]).toMatchObject({
      status: 'FAILED',
      error: expect.stringContaining('Msg 4326'),
    });
    expect((await restore([{ name: 'f.bak', bytes: first }, { name: 'l1.trn', bytes: l1, log: true, last: true }, { name: 'l2.trn', bytes: l2, log: true }]))[2]).toMatchObject({ error: expect.stringContaining('Msg 3117') });
    expect((await restore([{ name: 'l1.trn', bytes: l1, log: true }]))[0]).toMatchObject({ error: expect.stringContaining('Msg 3117') });
  });

  it('refuses stripes, differentials, password-protected and unreadable files, as SQL Server or DRS would', async () => {
    const db = new SyntheticDatabase('ERP');
    const full = db.full();
    const ended = await restore([
      { name: 'stripe.bak', bytes: fixture('sql2008-backups/RestoreTimeStripe/Stripe1/RestoreTimeStripe.bak') },
      { name: 'passwd.bak', bytes: fixture('backuppassword/passwd.bak') },
      { name: 'full.bak', bytes: full },
      { name: 'diff.bak', bytes: db.diff() },
      { name: 'zip.bak', bytes: new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]) },
      { name: 'garbled.bak', bytes: writeSyntheticBackup({ databaseName: 'X' }).map((b, i) => (i < 8 ? b : b ^ 0x5a)) },
    ]);
    expect(ended.map((e) => e.error?.slice(0, 8) ?? e.status)).toEqual(['Msg 3132', 'Msg 3279', 'SUCCESS', 'DRS.BACK', 'Msg 3241', 'Msg 3241']);
  });

  it('a second full onto a database that exists fails unless restored with overwrite', async () => {
    const db = new SyntheticDatabase('ERP');
    const ended = await restore([{ name: 'f1.bak', bytes: db.full() }, { name: 'f2.bak', bytes: db.full() }]);
    expect(ended[1]).toMatchObject({ status: 'FAILED', error: expect.stringContaining('already exists') });
  });
});
