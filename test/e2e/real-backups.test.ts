import { afterEach, describe, expect, it } from 'vitest';
import { SyntheticDatabase } from '../../scripts/synthetic/backups';
import { expected, fixture } from '../backup/fixtures';
import { startPipeline, type Pipeline } from '../support/pipeline';

/**
 * End to end with the real SQL Server backups (64 KiB excerpts, test/fixtures/mssql): uploaded under
 * their real names in shuffled order through the upload handler, then the poller, against the local
 * cloud (whose DRS restores by LSN like SQL Server) and the real Redis.
 */
const CHAIN = { id: 'lab', bucket: 'mig-backups', prefix: 'lab/', targetInstanceId: 'rds-lab-in04', gapAlertMinutes: 600 };
const MIN = 60_000;
let p: Pipeline;
afterEach(async () => p?.close());

const paths = (folder: string) => expected.map((e) => e.path).filter((path) => path.startsWith(folder));
/** A fixed shuffle, so a failure reproduces. */
const shuffled = (list: string[]) => [...list].sort((a, b) => (a.split('').reverse().join('') < b.split('').reverse().join('') ? -1 : 1));
const name = (key: string) => key.split('/').at(-1)!;

async function uploadAll(keys: string[], content: (key: string) => Uint8Array = (key) => fixture(key.slice('lab/'.length))) {
  for (const key of keys) await p.handler(p.upload(key, { content: content(key) }));
}

/** Ticks, each after DRS finished what it was doing, until a tick starts nothing new. */
async function runToQuiet() {
  for (let i = 0; i < 40; i++) {
    p.cloud.drs.settle();
    const before = p.created().length;
    await p.poll();
    if (p.created().length === before && [...p.cloud.drs.jobs.values()].every((j) => p.cloud.drs.statusOf(j) !== 'TRANSFERRING')) return;
  }
  throw new Error('the chain did not settle');
}

const failedJobs = () => [...p.cloud.drs.jobs.values()].filter((j) => p.cloud.drs.statusOf(j) !== 'SUCCESS');
const subjects = () => p.pages().map((m) => m.subject);

describe('real SQL Server backups, end to end', () => {
  it('OlaMsFilter/complex: a full, then every log not covered in LSN order up to the newest; no differential, no failed job', async () => {
    p = await startPipeline({ chains: [CHAIN] });
    await uploadAll(shuffled(paths('OlaMsFilter/complex/')).map((path) => `lab/${path}`));
    await runToQuiet();
    const created = p.created().map((c) => [name(c.file), c.mode]);
    expect(created[0]![1]).toBe('full');
    expect(created.filter(([, mode]) => mode === 'full')).toHaveLength(1);
    expect(created.some(([file]) => file!.includes('_DIFF_'))).toBe(false);
    const logs = created.slice(1).map(([file]) => file);
    expect(logs).toEqual([...logs].sort()); // LSN order is time order in this set
    expect(logs.at(-1)).toBe('test_LOG_20160629_142900.trn'); // the newest log with records in it
    expect(failedJobs()).toEqual([]);
    expect(p.pages()).toEqual([]);
    const state = await p.state('lab');
    expect(Object.values(state.files).filter((f) => f.status === 'not-needed').map((f) => f.because).sort()).toContain('differential');
  }, 60_000);

  it('dbOrphanUsers: its full, then its first log, which starts long before the full and ends after it', async () => {
    p = await startPipeline({ chains: [CHAIN] });
    await uploadAll(shuffled(paths('sql2008-backups/dbOrphanUsers/')).map((path) => `lab/${path}`));
    await runToQuiet();
    expect(p.created().map((c) => name(c.file))).toEqual(['SQL2008_dbOrphanUsers_FULL_20170518_041740.bak', 'SQL2008_dbOrphanUsers_LOG_20170518_041831.trn']);
    expect(failedJobs()).toEqual([]);
  }, 60_000);

  it('the striped pair and passwd.bak are refused with one page each and no job', async () => {
    p = await startPipeline({ chains: [CHAIN] });
    await uploadAll([...paths('sql2008-backups/RestoreTimeStripe/'), 'backuppassword/passwd.bak'].map((path) => `lab/${path}`));
    await runToQuiet();
    await p.poll();
    expect(p.created()).toEqual([]);
    expect(subjects()).toEqual(['[restore-pilot] Backup file DRS cannot restore: lab', '[restore-pilot] Backup file DRS cannot restore: lab']);
    const stripes = p.pages().map((m) => m.message).find((m) => m.includes('RestoreTimeStripe'))!;
    const password = p.pages().map((m) => m.message).find((m) => m.includes('passwd.bak'))!;
    expect(stripes).toContain('Members found: lab/sql2008-backups/RestoreTimeStripe/Stripe1/RestoreTimeStripe.bak, lab/sql2008-backups/RestoreTimeStripe/Stripe2/RestoreTimeStripe1.bak');
    expect(stripes).toContain('single file');
    expect(password).toContain('media password');
  }, 60_000);

  it('a missing log: paged once with both LSNs and both neighbours; nothing past it; it arrives late and the chain completes', async () => {
    p = await startPipeline({ chains: [CHAIN] });
    const held = 'lab/OlaMsFilter/complex/Log/test_LOG_20160629_142600.trn';
    await uploadAll(shuffled(paths('OlaMsFilter/complex/')).map((path) => `lab/${path}`).filter((key) => key !== held));
    await runToQuiet();
    p.advanceClock(11 * MIN);
    await p.poll();
    await p.poll();
    expect(subjects()).toEqual(['[restore-pilot] Log chain broken: lab OlaMsFilterTest']);
    const page = p.pages()[0]!.message;
    expect(page).toContain('restored to LSN 21000000022400001 (OlaMsFilter/complex/Log/test_LOG_20160629_142300.trn, taken 2018-07-02 08:');
    expect(page).toContain('the next backup available starts at LSN 21000000023900001 (OlaMsFilter/complex/Log/test_LOG_20160629_142700.trn');
    expect(p.created().map((c) => name(c.file))).not.toContain('test_LOG_20160629_142900.trn');
    expect(failedJobs()).toEqual([]);

    await uploadAll([held]);
    await runToQuiet();
    expect(p.created().map((c) => name(c.file)).slice(-2)).toEqual(['test_LOG_20160629_142600.trn', 'test_LOG_20160629_142900.trn']);
    expect(subjects()).toEqual(['[restore-pilot] Log chain broken: lab OlaMsFilterTest', '[restore-pilot] RESOLVED: Log chain broken: lab OlaMsFilterTest']);
    expect(failedJobs()).toEqual([]);
  }, 60_000);

  it('a same-name backup of another database, a zip renamed .bak and an upload cut at 2 KiB: each its own outcome and page, no job', async () => {
    p = await startPipeline({ chains: [CHAIN] });
    await uploadAll(['lab/sql2008-backups/db2/FULL/SQL2008_db2_FULL_20170518_041738.bak']);
    await runToQuiet();
    const impostor = new SyntheticDatabase('db2', { server: 'OTHERSRV\\SQL2019', bindingId: '0badc0de-0000-4000-a000-000000000001' }).full();
    const cut = fixture('OlaMsFilter/complex/Full/test_FULL_20160629_142200.bak').slice(0, 2048);
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, ...new Array(120).fill(0)]);
    const outcomes = [];
    for (const [key, bytes] of [['lab/other/db2_FULL.bak', impostor], ['lab/zip/backup.bak', zip], ['lab/cut/full.bak', cut]] as const) {
      outcomes.push((await p.handler(p.upload(key, { content: bytes }))).records[0]);
    }
    expect(outcomes.map((o) => [o!.status, /^refused \(([a-z-]+)\)/.exec(o!.reason)?.[1]])).toEqual([
      ['refused', 'other-database'],
      ['refused', 'not-a-backup'],
      ['refused', 'truncated'],
    ]);
    const state = await p.state('lab');
    expect(['lab/other/db2_FULL.bak', 'lab/zip/backup.bak', 'lab/cut/full.bak'].map((key) => state.files[key]!.refusal!.code)).toEqual(['other-database', 'not-a-backup', 'truncated']);
    await p.poll();
    expect(p.created()).toHaveLength(1);
    expect(subjects()).toEqual(Array(3).fill('[restore-pilot] Backup file DRS cannot restore: lab'));
    const firstLines = p.pages().map((m) => m.message.split('\n')[0]);
    expect(firstLines).toHaveLength(3);
    expect(firstLines).toEqual(
      expect.arrayContaining([
        expect.stringContaining('lab/other/db2_FULL.bak is a backup of another database with the same name'),
        expect.stringContaining('lab/zip/backup.bak could not be read as a SQL Server backup (Not a SQL Server backup: it is a ZIP archive'),
        expect.stringContaining('lab/cut/full.bak is cut short (The backup header is cut short: 2048 bytes were read but at least'),
      ]),
    );
    // One ranged read per file version, at most 64 KiB.
    const reads = p.cloud.requests.filter((r) => r.operation === 'obs.getObject');
    expect(reads.every((r) => r.range === 'bytes=0-65535')).toBe(true);
  }, 60_000);
});
