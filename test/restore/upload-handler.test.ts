import { parseChains } from '../../shared/chains/config';
import { loadSource } from '../../shared/state/source';
import { SyntheticDatabase } from '../../scripts/synthetic/backups';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createUploadHandler } from '../../functions/on-backup-upload/index';
import type { StateStore } from '../../shared/state/store';
import { obsTriggerEvent } from '../../scripts/local-cloud/obs-events';
import { contentFor, obsEvent, startPipeline, type Pipeline, TEST_CHAINS } from '../support/pipeline';
import { testRedisUrl } from '../support/redis';

let p: Pipeline;
afterEach(async () => {
  await p?.close();
});

const FULL = 'erp/ERP_FULL_20261120000000.bak';
const LOG1 = 'erp/ERP_LOG_20261120010000.trn';
const LOG2 = 'erp/ERP_LOG_20261120020000.trn';
const LOG3 = 'erp/ERP_LOG_20261120030000.trn';
const FINAL = 'erp/ERP_LOG_20261120040000_FINAL.trn';

/** Lets every running DRS job finish, then runs one poll step for the chain. */
async function finishAndAdvance(chain = 'erp-prod') {
  p.cloud.drs.settle();
  return p.track(chain);
}

describe('on-backup-upload: exactly one DRS job per uploaded file version', () => {
  it('the same event delivered twice in a row gives one job', async () => {
    p = await startPipeline();
    const event = p.upload(FULL);
    expect((await p.handler(event)).records[0]).toMatchObject({ status: 'submitted', chain: 'erp-prod', jobId: expect.any(String) });
    expect((await p.handler(event)).records[0]).toMatchObject({ status: 'duplicate' });
    expect(p.created()).toHaveLength(1);
  });

  it('the same event delivered 20 times concurrently gives one job', async () => {
    p = await startPipeline();
    const event = p.upload(FULL);
    const summaries = await Promise.all(Array.from({ length: 20 }, () => p.handler(event)));
    const statuses = summaries.map((s) => s.records[0]!.status).sort();
    expect(statuses.filter((s) => s === 'submitted')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(19);
    expect(p.created()).toHaveLength(1);
    expect(p.cloud.drs.jobs.size).toBe(1);
  });

  it('uploads out of order are submitted in order, one at a time, the final marked last', async () => {
    p = await startPipeline();
    for (const key of [LOG2, FINAL, LOG1]) {
      expect((await p.handler(p.upload(key))).records[0]).toMatchObject({ status: 'queued', reason: expect.stringContaining('waiting for the full backup') });
    }
    expect(p.created()).toHaveLength(0);
    expect((await p.handler(p.upload(FULL))).records[0]).toMatchObject({ status: 'submitted' });
    expect((await p.handler(p.upload(LOG3))).records[0]).toMatchObject({ status: 'queued', reason: expect.stringContaining(`waiting for ${FULL}`) });
    // While a job is TRANSFERRING, the next one waits.
    expect(await p.track('erp-prod')).toMatchObject({ checked: [expect.objectContaining({ drsStatus: 'TRANSFERRING' })], submitted: [] });
    expect(p.created()).toHaveLength(1);
    for (let i = 0; i < 4; i++) await finishAndAdvance();
    expect(p.created()).toEqual([
      { file: FULL, mode: 'full', last: false, name: expect.stringMatching(/^rp-erp-prod-[0-9a-f]{16}$/) },
      { file: LOG1, mode: 'incre', last: false, name: expect.any(String) },
      { file: LOG2, mode: 'incre', last: false, name: expect.any(String) },
      { file: LOG3, mode: 'incre', last: false, name: expect.any(String) },
      { file: FINAL, mode: 'incre', last: true, name: expect.any(String) },
    ]);
    // Every restore succeeded in the emulated instance: DRS accepted the order.
    await finishAndAdvance();
    expect([...p.cloud.drs.jobs.values()].map((j) => p.cloud.drs.statusOf(j))).toEqual(Array(5).fill('SUCCESS'));
    // The chain is closed: a later upload is reported, not restored.
    const late = (await p.handler(p.upload('erp/ERP_LOG_20261120050000.trn'))).records[0];
    expect(late).toMatchObject({ status: 'ignored', reason: expect.stringContaining('closed') });
    expect((await p.state('erp-prod')).meta.notices.map((n) => n.kind)).toContain('upload-to-closed-chain');
    expect(p.created()).toHaveLength(5);
  });

  it('chains never wait for each other', async () => {
    p = await startPipeline();
    await p.handler(p.upload(FULL));
    expect((await p.handler(p.upload('crm/CRM_FULL_20261120000000.bak'))).records[0]).toMatchObject({ status: 'submitted', chain: 'crm' });
    expect(p.created().map((c) => [c.file, c.last])).toEqual([
      [FULL, false],
      ['crm/CRM_FULL_20261120000000.bak', true],
    ]);
  });
});

describe('on-backup-upload: crashes and lost answers never make a second job', () => {
  it('a create whose answer is lost is adopted by name', async () => {
    p = await startPipeline();
    p.cloud.faults.add({ operation: 'drs.createBackupMigrationJob', kind: 'drop-after', count: 1 });
    const event = p.upload(FULL);
    expect((await p.handler(event)).records[0]).toMatchObject({ status: 'submitted', reason: 'adopted the existing DRS job' });
    expect((await p.handler(event)).records[0]).toMatchObject({ status: 'duplicate' });
    expect(p.cloud.drs.jobs.size).toBe(1);
  });

  it('a crash between the create and recording it: the redelivery waits out the in-progress expiry, then adopts the job', async () => {
    let crashOnSave = 0;
    const crashing = (store: StateStore): StateStore => ({
      tryLock: (id, ttl) => store.tryLock(id, ttl),
      unlock: (lock) => store.unlock(lock),
      load: (id) => store.load(id),
      listDatabases: (id) => store.listDatabases(id),
      locate: (id, keys) => store.locate(id, keys),
      forgetDatabase: (lock) => store.forgetDatabase(lock),
      close: () => store.close(),
      loadPages: () => store.loadPages(),
      savePages: (lock, change) => store.savePages(lock, change),
      slots: store.slots,
      loadConfig: (location) => store.loadConfig(location),
      saveConfig: (record) => store.saveConfig(record),
      save: async (lock, change) => {
        if (change.files.some((f) => f.status === 'running') && crashOnSave-- > 0) throw new Error('simulated crash: process died after the create call');
        return store.save(lock, change);
      },
    });
    p = await startPipeline({ store: crashing, inProgressMs: 300 });
    crashOnSave = 1;
    const event = p.upload(FULL);
    await expect(p.handler(event)).rejects.toThrow(/simulated crash/);
    expect(p.cloud.drs.jobs.size).toBe(1);
    // Redelivered at once: the submission still counts as in progress; nothing is created.
    expect((await p.handler(event)).records[0]).toMatchObject({ status: 'duplicate' });
    expect((await p.track('erp-prod')).submitted).toEqual([]);
    p.advanceClock(350);
    // After the expiry the chain's next step resumes the submission and finds the job by name.
    expect(await p.track('erp-prod')).toMatchObject({ submitted: [expect.objectContaining({ key: FULL, status: 'running' })] });
    expect(p.cloud.drs.jobs.size).toBe(1);
    expect(p.created()).toHaveLength(1);
    expect(p.logs.text()).toContain('restore.job.adopted');
  });

  it('a 500 on create with no job behind it: the file stays in progress until its expiry, then exactly one job', async () => {
    p = await startPipeline({ inProgressMs: 300 });
    p.cloud.faults.add({ operation: 'drs.createBackupMigrationJob', kind: 'status', status: 500, count: 1 });
    const event = p.upload(FULL);
    await expect(p.handler(event)).rejects.toThrow(/will be retried/);
    expect(p.cloud.drs.jobs.size).toBe(0);
    expect((await p.handler(event)).records[0]).toMatchObject({ status: 'duplicate' }); // still in progress
    p.advanceClock(350);
    expect((await p.handler(event)).records[0]).toMatchObject({ status: 'submitted' });
    expect(p.cloud.drs.jobs.size).toBe(1);
  });

  it('a create that times out before DRS commits it is adopted later, never created twice', async () => {
    p = await startPipeline({ inProgressMs: 300 });
    p.cloud.faults.add({ operation: 'drs.createBackupMigrationJob', kind: 'latency', ms: 100, count: 1 });
    const event = p.upload(FULL);
    // Little time left (each call gets what remains less the 1 s margin: 80 ms): the create gives up
    // before DRS answers, and the lookup finds nothing yet.
    await expect(p.handler(event, { getRemainingTimeInMilliSeconds: () => 1_080 })).rejects.toThrow(/will be retried/);
    expect(p.cloud.drs.jobs.size).toBe(0);
    await vi.waitFor(() => expect(p.cloud.drs.jobs.size).toBe(1), { interval: 10 }); // DRS commits the job meanwhile
    p.advanceClock(350); // past the in-progress expiry
    expect((await p.handler(event)).records[0]).toMatchObject({ status: 'submitted', reason: 'adopted the existing DRS job' });
    expect(p.cloud.drs.jobs.size).toBe(1);
  });

  it('a lookup that fails while resuming leaves the file in progress instead of creating blindly', async () => {
    p = await startPipeline({ inProgressMs: 100 });
    p.cloud.faults.add({ operation: 'drs.createBackupMigrationJob', kind: 'drop-after', count: 1 });
    p.cloud.faults.add({ operation: 'drs.listBackupMigrationJobs', kind: 'status', status: 429, count: 4 });
    const event = p.upload(FULL);
    await expect(p.handler(event)).rejects.toThrow(/will be retried/); // created, answer lost, lookup throttled
    p.advanceClock(150);
    p.cloud.faults.add({ operation: 'drs.listBackupMigrationJobs', kind: 'status', status: 429, count: 4 });
    await expect(p.handler(event)).rejects.toThrow(/will be retried/); // resume: lookup throttled again
    p.advanceClock(150);
    expect((await p.handler(event)).records[0]).toMatchObject({ status: 'submitted', reason: 'adopted the existing DRS job' });
    expect(p.cloud.drs.jobs.size).toBe(1);
  });
});

describe('on-backup-upload: a busy chain', () => {
  it('makes the handler throw, so FunctionGraph redelivers the event; the redelivery goes through', async () => {
    p = await startPipeline();
    const other = (await p.store.tryLock('erp-prod/ERP', 30_000))!; // another invocation works on the chain
    const event = p.upload(FULL);
    // 1.2 s left: the header read may take 0.2 s (calls stop 1 s before the end), the lock wait a third.
    await expect(p.handler(event, { getRemainingTimeInMilliSeconds: () => 1_200 })).rejects.toThrow(/could not be processed now.*chain erp-prod\/ERP stayed locked/);
    expect(p.logs.text()).toContain('"status":"failed"');
    expect(p.created()).toHaveLength(0);
    await p.store.unlock(other);
    expect((await p.handler(event)).records[0]).toMatchObject({ status: 'submitted' });
    expect(p.created()).toHaveLength(1);
  });
});

describe('on-backup-upload: each database is its own chain', () => {
  it("an object overwritten with another database's backup leaves its old chain: one job, for the new version only", async () => {
    p = await startPipeline({ maxJobsPerInstance: 1 });
    await p.handler(p.upload('erp/CRM_FULL_20261120000000.bak')); // takes the one slot
    const aaa = new SyntheticDatabase('AAA');
    const bbb = new SyntheticDatabase('BBB');
    expect((await p.handler(p.upload('erp/latest.bak', { content: aaa.full() }))).records[0]).toMatchObject({ status: 'queued' });
    expect((await p.handler(p.upload('erp/latest.bak', { content: bbb.full() }))).records[0]).toMatchObject({ status: 'queued' });
    for (let i = 0; i < 4; i++) {
      p.cloud.drs.settle();
      await p.poll();
    }
    expect(p.created().map((c) => c.file)).toEqual(['erp/CRM_FULL_20261120000000.bak', 'erp/latest.bak']);
    expect([...p.cloud.drs.jobs.values()].every((job) => job.outcome === 'SUCCESS')).toBe(true);
    const states = await loadSource(p.store, parseChains(JSON.stringify(TEST_CHAINS))[0]!);
    expect(states.find((c) => c.database === 'AAA')!.state.files['erp/latest.bak']).toMatchObject({ status: 'superseded' });
    expect(states.find((c) => c.database === 'BBB')!.state.files['erp/latest.bak']).toMatchObject({ status: 'succeeded' });
  });

  it('a file first unreadable, then uploaded whole, is no longer refused anywhere', async () => {
    p = await startPipeline();
    const full = new SyntheticDatabase('ERP').full();
    expect((await p.handler(p.upload('erp/full.bak', { content: full.slice(0, 1000) }))).records[0]).toMatchObject({ status: 'refused' });
    expect((await p.handler(p.upload('erp/full.bak', { content: full }))).records[0]).toMatchObject({ status: 'submitted' });
    const states = await loadSource(p.store, parseChains(JSON.stringify(TEST_CHAINS))[0]!);
    expect(states.map((c) => [c.database, c.state.files['erp/full.bak']?.status])).toEqual([
      ['', 'superseded'],
      ['ERP', 'running'],
    ]);
    expect(p.pages()).toEqual([]);
  });

  it('a redelivered event is told from its file version without reading the header again, for any of a source\'s databases', async () => {
    p = await startPipeline();
    const events = [p.upload(FULL), p.upload('erp/CRM_FULL_20261120000000.bak')];
    for (const event of events) await p.handler(event);
    const reads = () => p.cloud.requests.filter((r) => r.operation === 'obs.getObject').length;
    expect(reads()).toBe(2);
    for (const event of events) expect((await p.handler(event)).records[0]).toMatchObject({ status: 'duplicate' });
    expect(reads()).toBe(2);
    expect(p.created()).toHaveLength(2);
  });

  it("a database the source excludes is read, said to be ignored, and never restored or recorded", async () => {
    p = await startPipeline({ chains: [{ ...TEST_CHAINS[0]!, excludeDatabases: ['scratch'] }] });
    expect((await p.handler(p.upload('erp/SCRATCH_FULL_20261120000000.bak'))).records[0]).toMatchObject({ status: 'ignored', reason: expect.stringContaining('SCRATCH, which this source does not restore') });
    expect((await p.handler(p.upload(FULL))).records[0]).toMatchObject({ status: 'submitted' });
    p.cloud.drs.settle();
    await p.poll();
    expect(p.created().map((c) => c.file)).toEqual([FULL]);
    expect((await p.store.listDatabases('erp-prod')).sort()).toEqual(['', 'ERP']); // '': the source's own chain (its reconcile cursor)
  });

  it('a database busy in another invocation does not hold up another database of the same source', async () => {
    p = await startPipeline();
    const other = (await p.store.tryLock('erp-prod/ERP', 30_000))!;
    const crm = await p.handler(p.upload('erp/CRM_FULL_20261120000000.bak'));
    expect(crm.records[0]).toMatchObject({ status: 'submitted', chain: 'erp-prod' });
    await expect(p.handler(p.upload(FULL), { getRemainingTimeInMilliSeconds: () => 1_200 })).rejects.toThrow(/chain erp-prod\/ERP stayed locked/);
    await p.store.unlock(other);
    expect((await p.store.listDatabases('erp-prod')).sort()).toEqual(['CRM']);
  });
});

describe('on-backup-upload: failures halt the chain; a re-upload retries', () => {
  it('a precheck failure halts the chain until the file is uploaded again', async () => {
    p = await startPipeline();
    p.cloud.drs.script('ERP_FULL_20261120000000.bak', { status: 'PRECHECK FAILED', errorLog: 'The backup file is damaged.' });
    const original = p.upload(FULL);
    await p.handler(original);
    expect(await finishAndAdvance()).toMatchObject({ checked: [expect.objectContaining({ drsStatus: 'PRECHECK FAILED' })] });
    // A late redelivery of the original event is not a re-upload: nothing is retried.
    expect((await p.handler(original)).records[0]).toMatchObject({ status: 'duplicate' });
    const halted = await p.state('erp-prod');
    expect(halted.files[FULL]).toMatchObject({ status: 'failed', drsStatus: 'PRECHECK FAILED', error: 'The backup file is damaged.' });
    expect((await p.handler(p.upload(LOG1))).records[0]).toMatchObject({ status: 'queued', reason: expect.stringContaining('halted') });

    const firstEvent = p.upload(FULL); // the same bytes again: same eTag, a new upload
    expect((await p.handler(firstEvent)).records[0]).toMatchObject({ status: 'submitted', reason: 'restore job created' });
    expect((await p.handler(firstEvent)).records[0]).toMatchObject({ status: 'duplicate' });
    await finishAndAdvance();
    const names = p.created().map((c) => c.name);
    expect(p.created().map((c) => c.file)).toEqual([FULL, FULL, LOG1]);
    expect(new Set(names).size).toBe(3); // the retry of the same content gets its own deterministic job name
  });
});

describe('on-backup-upload: events as OBS sends them for multipart uploads and copies', () => {
  it('a multipart upload (no sequencer, its key with %2F) and a copy are each restored once, redeliveries are duplicates', async () => {
    p = await startPipeline();
    const full = p.cloud.obs.putMultipart('mig-backups', FULL, { parts: 3, content: contentFor(FULL) });
    expect(full.eTag).toMatch(/^[0-9a-f]{32}-3$/); // not the content's MD5
    const fullEvent = obsTriggerEvent([full], { slashAsPercent2F: true });
    const record = fullEvent.Records[0]!;
    expect(record).toMatchObject({ eventName: 'ObjectCreated:CompleteMultipartUpload', s3: { object: { key: 'erp%2FERP_FULL_20261120000000.bak' } } });
    expect(record.s3.object).not.toHaveProperty('sequencer');
    expect((await p.handler(fullEvent)).records[0]).toMatchObject({ status: 'submitted', key: FULL });
    expect((await p.handler(fullEvent)).records[0]).toMatchObject({ status: 'duplicate' });

    p.cloud.obs.put('staging', 'ERP_LOG_20261120010000.trn', { content: contentFor(LOG1) });
    const copied = p.cloud.obs.copy({ bucket: 'staging', key: 'ERP_LOG_20261120010000.trn' }, 'mig-backups', LOG1);
    const copyEvent = obsTriggerEvent([copied], { slashAsPercent2F: true });
    expect(copyEvent.Records[0]).toMatchObject({ eventName: 'ObjectCreated:Copy' });
    expect((await p.handler(copyEvent)).records[0]).toMatchObject({ status: 'queued', key: LOG1 });
    await finishAndAdvance();
    expect(p.created()).toEqual([
      { file: FULL, mode: 'full', last: false, name: expect.any(String) },
      { file: LOG1, mode: 'incre', last: false, name: expect.any(String) },
    ]);
  });

  it('one event with a Put, a Copy and a CompleteMultipartUpload record handles each', async () => {
    p = await startPipeline();
    const full = p.cloud.obs.put('mig-backups', FULL, { content: contentFor(FULL) });
    p.cloud.obs.put('staging', 'log1.trn', { content: contentFor(LOG1) });
    const log1 = p.cloud.obs.copy({ bucket: 'staging', key: 'log1.trn' }, 'mig-backups', LOG1);
    const log2 = p.cloud.obs.putMultipart('mig-backups', LOG2, { parts: 2, content: contentFor(LOG2) });
    const summary = await p.handler(obsTriggerEvent([log2, log1, full]));
    expect(summary.records.map((r) => [r.key, r.status])).toEqual([
      [LOG2, 'queued'],
      [LOG1, 'queued'],
      [FULL, 'submitted'],
    ]);
  });

  it('a failed multipart file uploaded again identically (same eTag, no sequencer) is a new upload, told apart by its event time', async () => {
    p = await startPipeline();
    p.cloud.drs.script('ERP_FULL_20261120000000.bak', { status: 'FAILED', errorLog: 'disk full' });
    const first = p.cloud.obs.putMultipart('mig-backups', FULL, { parts: 4, content: contentFor(FULL) });
    const original = obsTriggerEvent([first], { eventTime: new Date(Date.now() - 60_000) });
    await p.handler(original);
    await finishAndAdvance();
    expect((await p.handler(original)).records[0]).toMatchObject({ status: 'duplicate' });
    const again = p.cloud.obs.putMultipart('mig-backups', FULL, { parts: 4, content: contentFor(FULL) });
    expect(again.eTag).toBe(first.eTag);
    expect((await p.handler(obsTriggerEvent([again]))).records[0]).toMatchObject({ status: 'submitted' });
    expect(p.created().map((c) => c.file)).toEqual([FULL, FULL]);
  });
});

describe('on-backup-upload: cutover and chain modes', () => {
  it('after the cutover marker the next log uploaded is restored as the last', async () => {
    p = await startPipeline();
    await p.handler(p.upload(FULL));
    await p.handler(p.upload(LOG1));
    await finishAndAdvance();
    await finishAndAdvance();
    expect((await p.handler(p.upload('erp/CUTOVER'))).records[0]).toMatchObject({ status: 'cutover', reason: expect.stringContaining('tail-log') });
    expect((await p.state('erp-prod')).meta.notices.map((n) => n.kind)).toEqual(['cutover-awaiting-tail-log']);
    expect((await p.handler(p.upload(LOG2))).records[0]).toMatchObject({ status: 'submitted' });
    expect(p.created().at(-1)).toMatchObject({ file: LOG2, last: true });
    expect((await p.state('erp-prod')).meta.notices).toEqual([]);
  });

  it('a full-only chain restores its full as the last backup and reports anything else', async () => {
    p = await startPipeline();
    expect((await p.handler(p.upload('crm/CRM_FULL_20261120000000.bak'))).records[0]).toMatchObject({ status: 'submitted' });
    expect(p.created()).toEqual([{ file: 'crm/CRM_FULL_20261120000000.bak', mode: 'full', last: true, name: expect.any(String) }]);
    expect((await p.handler(p.upload('crm/CRM_LOG_20261120010000.trn'))).records[0]).toMatchObject({ status: 'ignored' });
  });

  it('a file under a chain that is not a SQL Server backup is refused with its reason, never restored', async () => {
    p = await startPipeline();
    expect((await p.handler(p.upload('erp/notes.txt'))).records[0]).toMatchObject({ status: 'refused', reason: expect.stringContaining('not-a-backup') });
    expect((await p.state('erp-prod')).files['erp/notes.txt']).toMatchObject({ status: 'refused', refusal: { code: 'not-a-backup' } });
    expect(p.created()).toHaveLength(0);
  });
});

describe('on-backup-upload: malformed and hostile events', () => {
  it('bad records are reported and skipped while their good neighbours go through', async () => {
    p = await startPipeline();
    const good = p.upload(FULL).Records[0]!;
    const spaced = p.upload('crm/CRM DB_FULL_20261120000000.bak').Records[0]!;
    const obsShaped = { eventName: 'ObjectCreated:Post', obs: p.upload('erp/x.trn').Records[0]!.s3 };
    const event = {
      Records: [
        { eventName: 'ObjectCreated:Put' },
        { ...good, s3: { ...good.s3, object: { ...good.s3.object, key: `erp/${'A'.repeat(5 * 1024)}.bak` } } },
        { ...good, s3: { ...good.s3, object: { ...good.s3.object, key: 'erp/%ZZbad.bak' } } },
        { ...good, s3: { ...good.s3, object: { ...good.s3.object, key: 'erp/evil%00.bak' } } },
        { ...good, s3: { ...good.s3, bucket: { name: 'someone-elses-bucket' } } },
        { ...good, eventName: 'ObjectRemoved:Delete' },
        { ...good, s3: { ...good.s3, object: { ...good.s3.object, eTag: undefined } } },
        null,
        'not a record',
        good,
        spaced,
        obsShaped,
      ],
    };
    const summary = await p.handler(event);
    const byIndex = summary.records.map((r) => [r.status, r.reason]);
    expect(byIndex.slice(0, 9).every(([status]) => status === 'ignored')).toBe(true);
    expect(byIndex[1]![1]).toContain('longer than 1024 bytes');
    expect(byIndex[2]![1]).toContain('URL encoding');
    expect(byIndex[3]![1]).toContain('control characters');
    expect(byIndex[4]![1]).toContain('not under any chain');
    expect(byIndex[5]![1]).toContain('removed');
    expect(byIndex[6]![1]).toContain('eTag');
    expect(summary.records[9]).toMatchObject({ status: 'submitted', key: FULL });
    expect(summary.records[10]).toMatchObject({ status: 'submitted', key: 'crm/CRM DB_FULL_20261120000000.bak' });
    expect(summary.records[11]).toMatchObject({ status: 'refused', key: 'erp/x.trn', reason: expect.stringContaining('not-a-backup') });
    expect(summary.counts).toMatchObject({ submitted: 2, ignored: 9, refused: 1 });
    expect(p.created().map((c) => c.file)).toEqual([FULL, 'crm/CRM DB_FULL_20261120000000.bak']);
  });

  it('an event without Records is an empty summary, not a crash', async () => {
    p = await startPipeline();
    expect(await p.handler({ hello: 'world' })).toEqual({ records: [], counts: { submitted: 0, queued: 0, duplicate: 0, refused: 0, ignored: 0, cutover: 0, failed: 0 } });
    expect(await p.handler(obsEvent([]))).toMatchObject({ records: [] });
  });

  it('a bad RESTORE_CHAINS fails fast naming the field', async () => {
    p = await startPipeline();
    const env = { ...p.cloud.env(), STATE_URL: testRedisUrl(), RESTORE_CHAINS: JSON.stringify([{ id: 'ERP PROD', bucket: 'mig-backups', targetInstanceId: 'x' }]) };
    await expect(createUploadHandler({ env, store: p.store })(obsEvent([]))).rejects.toThrow(/RESTORE_CHAINS\[0\]\.id/);
    const overlapping = JSON.stringify([
      { id: 'a', bucket: 'mig-backups', prefix: 'erp/', targetInstanceId: 'x' },
      { id: 'b', bucket: 'mig-backups', prefix: 'erp/sub/', targetInstanceId: 'y' },
    ]);
    await expect(createUploadHandler({ env: { ...env, RESTORE_CHAINS: overlapping }, store: p.store })(obsEvent([]))).rejects.toThrow(/RESTORE_CHAINS\[1\]\.prefix.*overlaps/);
  });
});
