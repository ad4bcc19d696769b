import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { contentFor, obsEvent, startPipeline, type Pipeline } from '../support/pipeline';
import { testRedisUrl } from '../support/redis';

let p: Pipeline;
afterEach(async () => {
  await p?.close();
});

const FULL = 'erp/ERP_FULL_20261120000000.bak';
const LOG = (hour: number, final = false) => `erp/ERP_LOG_20261120${String(hour).padStart(2, '0')}0000${final ? '_FINAL' : ''}.trn`;
const HOUR = 3_600_000;
const subjects = () => p.pages().map((m) => m.subject);

/** Lets DRS finish every running job, then runs a poller tick. */
async function settleAndPoll() {
  p.cloud.drs.settle();
  return p.poll();
}

describe('poll-jobs: whole migrations with both functions', () => {
  it('full + several logs + final, uploaded out of order: every job once, in order, no pages', async () => {
    p = await startPipeline();
    for (const key of [LOG(2), FULL, LOG(1), LOG(4, true), LOG(3)]) await p.handler(p.upload(key));
    const first = await p.poll();
    expect(first).toMatchObject({ chains: 1, jobsChecked: 1, chainsAdvanced: 0, errors: [] });
    for (let i = 0; i < 5; i++) await settleAndPoll();
    expect(p.created().map((c) => [c.file, c.mode, c.last])).toEqual([
      [FULL, 'full', false],
      [LOG(1), 'incre', false],
      [LOG(2), 'incre', false],
      [LOG(3), 'incre', false],
      [LOG(4, true), 'incre', true],
    ]);
    expect([...p.cloud.drs.jobs.values()].every((j) => p.cloud.drs.statusOf(j) === 'SUCCESS')).toBe(true);
    expect(p.pages()).toEqual([]);
    // Once finished, a tick costs no DRS calls: cost follows in-flight jobs, not history.
    p.cloud.requests.length = 0;
    await p.poll();
    expect(p.cloud.requests.filter((r) => r.operation.startsWith('drs.'))).toEqual([]);
  });

  it('a precheck failure pages once with the error log and next step; the re-upload retries and one resolved follows', async () => {
    p = await startPipeline();
    p.cloud.drs.script('ERP_FULL_20261120000000.bak', { status: 'PRECHECK FAILED', errorLog: 'Database ERP already exists on the target instance.' });
    await p.handler(p.upload(FULL));
    await p.handler(p.upload(LOG(1)));
    await settleAndPoll();
    await p.poll();
    await p.poll();
    expect(subjects()).toEqual(['[restore-pilot] Restore precheck failed: erp-prod']);
    const page = p.pages()[0]!.message;
    expect(page).toContain('Database ERP already exists on the target instance.');
    expect(page).toContain(FULL);
    expect(page).toMatch(/Job: [0-9a-f-]{36} \(rp-erp-prod-[0-9a-f]{16}\)/);
    expect(page).toContain('Next step: DRS refused the file');

    await p.handler(p.upload(FULL)); // the DBA fixes it and uploads again
    await settleAndPoll(); // full succeeds, log submitted; the failure resolves
    await settleAndPoll();
    expect(subjects()).toEqual(['[restore-pilot] Restore precheck failed: erp-prod', '[restore-pilot] RESOLVED: Restore precheck failed: erp-prod']);
    expect(p.created().map((c) => c.file)).toEqual([FULL, FULL, LOG(1)]);
  });

  it('a stuck job pages once, stays quiet, and resolves when it finishes', async () => {
    p = await startPipeline({ chains: [{ id: 'erp-prod', bucket: 'mig-backups', prefix: 'erp/', targetInstanceId: 'inst', stuckAfterMinutes: 90 }] });
    await p.handler(p.upload(FULL));
    await p.poll();
    expect(p.pages()).toEqual([]);
    p.advanceClock(2 * HOUR);
    await p.poll();
    await p.poll();
    expect(subjects()).toEqual(['[restore-pilot] Restore stuck: erp-prod']);
    expect(p.pages()[0]!.message).toMatch(/TRANSFERRING for 120 minutes \(limit 90\)/);
    await settleAndPoll();
    expect(subjects()).toEqual(['[restore-pilot] Restore stuck: erp-prod', '[restore-pilot] RESOLVED: Restore stuck: erp-prod']);
  });

  it('an optional reminder repeats an open page after its interval', async () => {
    p = await startPipeline({ pollEnv: { PAGE_REMINDER_MINUTES: '60' } });
    await p.handler(p.upload('erp/ERP_LOG_20261120010000.trn')); // no full: the chain waits
    p.advanceClock(3 * HOUR);
    await p.poll();
    await p.poll();
    p.advanceClock(HOUR);
    await p.poll();
    expect(subjects()).toEqual(['[restore-pilot] Migration chain waiting: erp-prod ERP', '[restore-pilot] Still open: Migration chain waiting: erp-prod ERP']);
    expect(p.pages()[0]!.message).toContain('no full backup of ERP has been uploaded');
  });

  it('a lost upload event is recovered by reconcile', async () => {
    p = await startPipeline();
    await p.handler(p.upload(FULL));
    const lost = p.cloud.obs.put('mig-backups', LOG(1), { content: contentFor(LOG(1)) }); // uploaded, but its event never arrived
    p.cloud.drs.settle();
    const tick = await p.poll();
    expect(tick).toMatchObject({ reconciled: 2, lostUploadsFound: 1, chainsAdvanced: 1 });
    expect(p.created().map((c) => c.file)).toEqual([FULL, LOG(1)]);
    // The late event, when it does arrive, is a duplicate.
    expect((await p.handler(obsEvent([{ key: LOG(1), eTag: lost.eTag }]))).records[0]?.status).toBe('duplicate');
  });

  it('reconcile adopts jobs that exist under our names when the state was lost', async () => {
    p = await startPipeline();
    await p.handler(p.upload(FULL));
    const [jobId] = [...p.cloud.drs.jobs.keys()];
    const redis = new Redis(testRedisUrl());
    await redis.del(await redis.keys(`${p.keyPrefix}*`));
    await redis.quit();
    expect((await p.state('erp-prod')).files).toEqual({});

    // Tracking comes first in a tick (it never waits on a walk), so the adopted job is checked from the next tick on.
    expect(await p.poll()).toMatchObject({ lostUploadsFound: 1, jobsChecked: 0 });
    expect((await p.state('erp-prod')).files[FULL]).toMatchObject({ status: 'running', jobId });
    expect(await p.poll()).toMatchObject({ lostUploadsFound: 0, jobsChecked: 1 });
    expect(p.cloud.drs.jobs.size).toBe(1);
    await settleAndPoll();
    expect(p.created()).toHaveLength(1);
  });
});

describe('poll-jobs: pages survive an SMN outage and overlapping ticks', () => {
  it('SMN down: the page is retried next tick and sent exactly once when SMN is back', async () => {
    p = await startPipeline();
    await p.handler(p.upload('erp/notes.txt'));
    p.cloud.faults.add({ operation: 'smn.publishMessage', kind: 'status', status: 503, count: 1 });
    p.cloud.faults.add({ operation: 'smn.publishMessage', kind: 'drop', count: 1 });
    expect((await p.poll()).pages).toMatchObject({ sent: 0, failed: 1 });
    expect((await p.poll()).pages).toMatchObject({ sent: 0, failed: 1 });
    expect((await p.poll()).pages).toMatchObject({ sent: 1, failed: 0 });
    expect((await p.poll()).pages).toMatchObject({ sent: 0, suppressed: 1 });
    expect(subjects()).toEqual(['[restore-pilot] Backup file DRS cannot restore: erp-prod']);
  });

  it('a failure page with a 2,000-character [Microsoft][ODBC…] error reaches a phone within the SMS rules, and email in full', async () => {
    p = await startPipeline();
    const errorLog = `[Microsoft][ODBC Driver 17 for SQL Server][SQL Server]The log in this backup set begins at LSN 42000000012300001, which is too recent to apply to the database. ${'RESTORE LOG is terminating abnormally. '.repeat(60)}`.slice(0, 2000);
    expect(errorLog).toHaveLength(2000);
    p.cloud.drs.script('ERP_FULL_20261120000000.bak', { status: 'FAILED', errorLog });
    await p.handler(p.upload(FULL));
    await settleAndPoll();
    const [page] = p.cloud.smn.messages;
    expect(page!.subject).toBe('[restore-pilot] Restore failed: erp-prod');
    const { email, sms } = page!.deliveries;
    expect(email).toMatchObject({ delivered: true, subject: '[restore-pilot] Restore failed: erp-prod' });
    expect(email.delivered && email.text).toContain(`DRS error log: ${errorLog}`);
    expect(sms.delivered).toBe(true);
    const text = sms.delivered ? sms.text : '';
    expect(Array.from(text).length).toBeLessThanOrEqual(490);
    expect(text).toMatch(/^restore-pilot alert: Restore failed: erp-prod: the DRS restore of erp\/ERP_FULL_20261120000000\.bak ended FAILED\./);
    expect(text).toContain('(Microsoft)(ODBC Driver 17 for SQL Server)');
    expect(text).toMatch(/Next: Read the DRS error log\./);
  });

  it('the local SMN refuses an SMS text with brackets, as SMN does, so a plain page would never reach the phone', async () => {
    p = await startPipeline();
    const client = (await import('../../shared/huawei/client')).createHuaweiClient({ env: p.cloud.env() });
    await client.smn.publishMessage(p.topicUrn, { subject: '[restore-pilot] x', message: '[Microsoft][ODBC Driver 17 for SQL Server] login failed' });
    expect(p.cloud.smn.messages[0]!.deliveries).toMatchObject({ email: { delivered: true }, sms: { delivered: false, reason: expect.stringContaining('[ ]') } });
    await client.smn.publishMessage(p.topicUrn, { message: 'x '.repeat(400) });
    const sms = p.cloud.smn.messages[1]!.deliveries.sms;
    expect(sms.delivered && Array.from(sms.text).length).toBe(490); // cut, as SMN cuts
  });

  it('two overlapping ticks neither double-advance a chain nor double-page', async () => {
    p = await startPipeline();
    await p.handler(p.upload(FULL));
    const log1 = p.upload(LOG(1));
    p.cloud.drs.script(p.drsName(LOG(1)), { status: 'FAILED', errorLog: 'log chain broken' });
    await p.handler(log1);
    await p.handler(p.upload(LOG(2)));
    p.cloud.drs.settle();
    p.cloud.faults.add({ operation: 'drs.getBackupMigrationJob', kind: 'latency', ms: 100 });
    await Promise.all([p.poll(), p.poll(), p.poll()]);
    p.cloud.faults.clear();
    p.cloud.drs.settle();
    await Promise.all([p.poll(), p.poll(), p.poll()]);
    await Promise.all([p.poll(), p.poll()]);
    expect(p.created().map((c) => c.file)).toEqual([FULL, LOG(1)]);
    expect(subjects()).toEqual(['[restore-pilot] Restore failed: erp-prod']);
    expect(p.pages()[0]!.message).toContain('log chain broken');
  });

  it('a cutover marker with no log after it pages for the tail-log backup, and resolves when it arrives', async () => {
    p = await startPipeline();
    await p.handler(p.upload(FULL));
    await settleAndPoll();
    await p.handler(p.upload('erp/CUTOVER'));
    await p.poll();
    expect(subjects()).toEqual(['[restore-pilot] Cutover waiting for the tail-log backup: erp-prod']);
    expect(p.pages()[0]!.message).toContain('Take the tail-log backup');
    await p.handler(p.upload(LOG(5)));
    await p.poll();
    expect(subjects()[1]).toBe('[restore-pilot] RESOLVED: Cutover waiting for the tail-log backup: erp-prod');
    expect(p.created().at(-1)).toMatchObject({ file: LOG(5), last: true });
  });

  it('an upload to a closed chain pages once and never resolves', async () => {
    p = await startPipeline();
    await p.handler(p.upload('crm/CRM_FULL_20261120000000.bak'));
    await p.handler(p.upload('crm/CRM_FULL_20261121000000.bak'));
    for (let i = 0; i < 3; i++) await settleAndPoll();
    expect(subjects()).toEqual(['[restore-pilot] Upload to a finished migration chain: crm']);
  });
});

describe('poll-jobs: pages that group', () => {
  it('55 unusable files in one folder are one page naming 20 and counting the rest; nothing is dropped, nothing repeats', async () => {
    p = await startPipeline();
    for (let i = 0; i < 55; i++) await p.handler(p.upload(`erp/notes-${String(i).padStart(2, '0')}.txt`));
    await p.poll();
    await p.poll();
    expect(subjects()).toEqual(['[restore-pilot] Backup file DRS cannot restore: erp-prod (55)']);
    const page = p.pages()[0]!.message;
    expect(page).toContain('What happened: 55 problems of one kind in erp-prod:');
    expect(page.match(/^- erp\/notes-\d\d\.txt could not be read as a SQL Server backup/gm)).toHaveLength(20);
    expect(page).toContain('- and 35 more; see npx restore-pilot status');
    // Every member is in the ledger, so none pages again, and the 56th, alone, is its own page.
    await p.handler(p.upload('erp/notes-55.txt'));
    await p.poll();
    expect(subjects()).toEqual(['[restore-pilot] Backup file DRS cannot restore: erp-prod (55)', '[restore-pilot] Backup file DRS cannot restore: erp-prod']);
    expect(p.pages()[1]!.message).toContain('erp/notes-55.txt');
  });
});

describe('poll-jobs: when the poller cannot check', () => {
  it('an OBS listing failure does not stop job tracking; it pages after its grace period and resolves', async () => {
    p = await startPipeline();
    p.cloud.drs.script('ERP_FULL_20261120000000.bak', { status: 'FAILED', errorLog: 'disk full' });
    await p.handler(p.upload(FULL));
    p.cloud.faults.add({ operation: 'obs.listObjects', kind: 'status', status: 403, errorCode: 'AccessDenied', errorMsg: 'Access Denied' });
    p.cloud.drs.settle();
    const tick = await p.poll();
    expect(tick.jobsChecked).toBe(1);
    expect(subjects()).toEqual(['[restore-pilot] Restore failed: erp-prod']);
    p.advanceClock(16 * 60_000);
    await p.poll();
    expect(subjects()).toContain('[restore-pilot] restore-pilot cannot check: erp-prod');
    expect(p.pages().find((m) => m.subject.includes('cannot check'))!.message).toContain('AccessDenied');
    p.cloud.faults.clear();
    await p.poll();
    expect(subjects()).toContain('[restore-pilot] RESOLVED: restore-pilot cannot check: erp-prod');
  });

  it('a poll.error line carries the API error whole: operation, status, code and request id', async () => {
    p = await startPipeline();
    await p.handler(p.upload(FULL));
    p.cloud.faults.add({ operation: 'drs.getBackupMigrationJob', kind: 'status', status: 403, errorCode: 'DRS.10000001', errorMsg: 'no permission' });
    p.cloud.drs.settle();
    await p.poll();
    const line = p.logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.event === 'poll.error');
    expect(line).toMatchObject({
      scope: 'erp-prod',
      during: 'tracking the restore job of ERP',
      error: { name: 'HuaweiApiError', operation: 'drs.getBackupMigrationJob', status: 403, errorCode: 'DRS.10000001', requestId: expect.stringMatching(/./) },
    });
  });

  it('a restore job deleted in the console pages instead of stalling silently', async () => {
    p = await startPipeline();
    await p.handler(p.upload(FULL));
    p.cloud.drs.jobs.clear();
    await p.poll();
    expect(p.pages()).toEqual([]);
    p.advanceClock(16 * 60_000);
    const tick = await p.poll();
    expect(tick.errors[0]?.error).toContain('DRS.10000010');
    expect(p.pages().map((m) => m.subject)).toEqual(['[restore-pilot] restore-pilot cannot check: erp-prod']);
    expect(p.pages()[0]!.message).toContain('Job does not exist');
  });
});

describe('poll-jobs: DCS and TaurusDB watches', () => {
  const TASK = 'a276c1ffa0a54c2597fc824b917db317';
  const INSTANCE = 'a48e43ff268f4c0e879652d65e63d0fbin01';

  it('a failed DCS migration pages once naming source and target, never the passwords, and resolves', async () => {
    p = await startPipeline({ pollEnv: { WATCH_DCS_TASK_IDS: TASK } });
    await p.poll();
    expect(p.pages()).toEqual([]); // TERMINATING in the reference example
    p.cloud.dcs.setStatus(TASK, 'MIGRATION_FAILED');
    await p.poll();
    await p.poll();
    expect(subjects()).toEqual(['[restore-pilot] DCS Redis migration failed: migration1']);
    const page = p.pages()[0]!.message;
    expect(page).toContain('Source: dcs-test (192.168.1.2:6379)');
    expect(page).toContain('Target: test-instance (192.168.1.2:6379)');
    expect(page).not.toContain('DCStest123');
    expect(p.logs.text()).not.toContain('DCStest123');
    p.cloud.dcs.setStatus(TASK, 'SUCCESS');
    await p.poll();
    expect(subjects()[1]).toBe('[restore-pilot] RESOLVED: DCS Redis migration failed: migration1');
  });

  it('a DCS task in ERROR pages as a failure; a status DCS adds later is logged as sent, not turned into "cannot check"', async () => {
    p = await startPipeline({ pollEnv: { WATCH_DCS_TASK_IDS: TASK } });
    p.cloud.dcs.setStatus(TASK, 'ERROR');
    await p.poll();
    expect(subjects()).toEqual(['[restore-pilot] DCS Redis migration failed: migration1']);
    expect(p.pages()[0]!.message).toContain(`(${TASK}) is ERROR.`);
    p.cloud.dcs.setStatus(TASK, 'SOME_NEW_STATE');
    p.advanceClock(60 * 60_000); // past the "cannot check" grace period
    const tick = await p.poll();
    expect(tick.errors).toEqual([]);
    expect(subjects()).toEqual(['[restore-pilot] DCS Redis migration failed: migration1', '[restore-pilot] RESOLVED: DCS Redis migration failed: migration1']);
    expect(p.logs.text()).toContain('SOME_NEW_STATE');
  });

  it('TaurusDB: an AVAILABLE backup counts as done, so a fresh one pages nothing', async () => {
    p = await startPipeline({ pollEnv: { WATCH_TAURUSDB_INSTANCE_IDS: INSTANCE, TAURUSDB_BACKUP_MAX_AGE_HOURS: '24' } });
    const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * HOUR).toISOString().slice(0, 19) + '+0000';
    p.cloud.taurusdb.add({ ...p.cloud.taurusdb.backups[1]!, id: 'fresh-available', status: 'AVAILABLE', begin_time: at(1), end_time: at(0.9) });
    const tick = await p.poll();
    expect(tick.errors).toEqual([]);
    expect(p.pages()).toEqual([]);
  });

  it('TaurusDB: a failed newest backup and a stale last completed backup each page once, and resolve on a fresh backup', async () => {
    p = await startPipeline({ pollEnv: { WATCH_TAURUSDB_INSTANCE_IDS: INSTANCE, TAURUSDB_BACKUP_MAX_AGE_HOURS: '24' } });
    const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * HOUR).toISOString().slice(0, 19) + '+0000';
    const reference = p.cloud.taurusdb.backups[0]!;
    p.cloud.taurusdb.add({ ...reference, id: 'old-ok', status: 'COMPLETED', begin_time: at(30), end_time: at(29.5) });
    p.cloud.taurusdb.add({ ...reference, id: 'new-failed', status: 'FAILED', begin_time: at(2), end_time: at(1.9) });
    await p.poll();
    await p.poll();
    expect(subjects().sort()).toEqual([`[restore-pilot] TaurusDB backup failed: ${INSTANCE}`, `[restore-pilot] TaurusDB backup too old: ${INSTANCE}`]);
    p.cloud.taurusdb.add({ ...reference, id: 'fresh', status: 'COMPLETED', begin_time: at(0.5), end_time: at(0.4) });
    await p.poll();
    expect(subjects().slice(2).sort()).toEqual([`[restore-pilot] RESOLVED: TaurusDB backup failed: ${INSTANCE}`, `[restore-pilot] RESOLVED: TaurusDB backup too old: ${INSTANCE}`]);
    // The +HHMM offsets travelled percent-encoded and signed.
    expect(p.cloud.requests.some((r) => r.operation === 'taurusdb.listBackups' && r.status === 200 && r.query.get('begin_time')?.endsWith('+0000'))).toBe(true);
  });
});

describe('poll-jobs: a bounded tick', () => {
  it('leaves chains for the next tick when the invocation is nearly out of time', async () => {
    p = await startPipeline();
    await p.handler(p.upload(FULL));
    expect(await p.poll({ getRemainingTimeInMilliSeconds: () => 1_000 })).toMatchObject({ leftOver: 1, jobsChecked: 0 });
    expect(await p.poll()).toMatchObject({ leftOver: 0, jobsChecked: 1 });
  });

  it('checks a hundred chains with running jobs in one tick, one DRS read per running job', async () => {
    const chains = Array.from({ length: 100 }, (_, i) => ({ id: `c${i}`, bucket: 'mig-backups', prefix: `c${i}/`, targetInstanceId: `inst-${i}` }));
    p = await startPipeline({ chains, pollEnv: { POLL_CONCURRENCY: '16' } });
    for (let i = 0; i < 100; i++) await p.handler(p.upload(`c${i}/DB_FULL_20261120000000.bak`));
    await p.poll(); // first tick also reconciles every prefix
    p.cloud.requests.length = 0;
    const tick = await p.poll();
    expect(tick).toMatchObject({ chains: 100, jobsChecked: 100, leftOver: 0, errors: [] });
    expect(p.cloud.requests.map((r) => r.operation)).toEqual(Array(100).fill('drs.getBackupMigrationJob'));
  });

  it('a bad poller setting fails at start naming the variable', async () => {
    p = await startPipeline({ pollEnv: { SMN_TOPIC_URN: 'arn:aws:sns:oops' } });
    await expect(p.poll()).rejects.toThrow(/SMN_TOPIC_URN/);
  });
});
