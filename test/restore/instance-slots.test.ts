import { afterEach, describe, expect, it } from 'vitest';
import { createUploadHandler } from '../../functions/on-backup-upload/index';
import { chainStatuses, detailText, statusJson, statusText } from '../../scripts/cli/status';
import { parseChains } from '../../shared/chains/config';
import { PACE_BASE_MS } from '../../shared/restore/slot-book';
import { startPipeline, type Pipeline } from '../support/pipeline';

/**
 * MAX_JOBS_PER_INSTANCE end to end: both functions, two chains restoring into one RDS instance, the
 * local DRS over loopback counting what it sees in flight, the real Redis holding the slots.
 */

const INSTANCE = 'shared-instance-in04';
const CHAINS = [
  { id: 'erp', bucket: 'mig-backups', prefix: 'erp/', targetInstanceId: INSTANCE },
  { id: 'crm', bucket: 'mig-backups', prefix: 'crm/', targetInstanceId: INSTANCE },
];
const FULL = (chain: string, db: string) => `${chain}/${db}_FULL_20261120000000.bak`;
const LOG = (chain: string, db: string) => `${chain}/${db}_LOG_20261120010000.trn`;
/** Four databases per chain, interleaved: the order they first wait in. */
const DATABASES = [1, 2, 3, 4].flatMap((n) => [
  ['erp', `ERPDB${n}`],
  ['crm', `CRMDB${n}`],
]) as [string, string][];

let p: Pipeline;
afterEach(async () => p?.close());

/** Lets DRS finish every running job, then runs a poller tick; until nothing is left to restore. Returns the files each tick sent. */
async function restoreEverything(maxTicks = 40): Promise<string[][]> {
  const sent: string[][] = [];
  for (let tick = 0; tick < maxTicks; tick++) {
    const before = p.created().length;
    p.cloud.drs.settle();
    await p.poll();
    sent.push(p.created().slice(before).map((c) => c.file));
    const states = await Promise.all(CHAINS.map((c) => p.state(c.id)));
    if (states.every((s) => Object.values(s.files).every((f) => f.status === 'succeeded'))) return sent;
  }
  throw new Error('the chains did not finish');
}

const createsPerFile = () => {
  const counts = new Map<string, number>();
  for (const { file } of p.created()) counts.set(file, (counts.get(file) ?? 0) + 1);
  return counts;
};

describe('restore slots per target instance', () => {
  it('two chains, eight databases, two slots: never more than two in flight at DRS, oldest waiting first, all restored', async () => {
    p = await startPipeline({ chains: CHAINS, maxJobsPerInstance: 2 });
    const outcomes = [];
    for (const [chain, db] of DATABASES) {
      outcomes.push((await p.handler(p.upload(FULL(chain, db)))).records[0]!);
      p.advanceClock(1_000); // each database starts waiting a second after the previous one
    }
    expect(outcomes.map((o) => o.status)).toEqual(['submitted', 'submitted', ...Array(6).fill('queued')]);
    expect(outcomes[2]!.reason).toContain(`queued: 2 of 2 restore slots on instance ${INSTANCE} busy; 0 ahead`);
    expect(outcomes[7]!.reason).toContain('5 ahead');
    for (const [chain, db] of DATABASES) await p.handler(p.upload(LOG(chain, db)));
    expect(p.cloud.drs.jobs.size).toBe(2);

    const ticks = await restoreEverything();
    expect(p.cloud.drs.peakInFlight(INSTANCE)).toBe(2);
    // Every full in the order its database began to wait, across both chains (two freed slots in one
    // tick go to the two oldest, sent side by side); each log waits behind them.
    const waitOrder = DATABASES.map(([chain, db]) => FULL(chain, db));
    const sentOrder = [waitOrder.slice(0, 2), ...ticks];
    let position = 0;
    for (const batch of sentOrder.map((files) => files.filter((f) => f.includes('_FULL_')))) {
      expect(batch.sort()).toEqual(waitOrder.slice(position, position + batch.length).sort());
      position += batch.length;
    }
    expect(position).toBe(8);
    const order = p.created().map((c) => c.file);
    expect(order.slice(0, 8).sort()).toEqual([...waitOrder].sort());
    expect(order.slice(8).sort()).toEqual(DATABASES.map(([chain, db]) => LOG(chain, db)).sort());
    expect([...createsPerFile().values()].every((n) => n === 1)).toBe(true);
    expect([...p.cloud.drs.jobs.values()].every((j) => p.cloud.drs.statusOf(j) === 'SUCCESS')).toBe(true);
    expect(p.pages()).toEqual([]);
    // Nothing left in flight: every slot was given back.
    expect(await p.store.slots.inspect(INSTANCE, p.now())).toEqual({ leases: {}, queue: {} });
  });

  it('every slot a finished job frees is used in the same tick, whichever database the tick visits first', async () => {
    // One at a time, so a waiting database is often visited before the one whose job just finished.
    p = await startPipeline({ chains: CHAINS, maxJobsPerInstance: 2, pollEnv: { POLL_CONCURRENCY: '1' } });
    for (const [chain, db] of DATABASES) {
      await p.handler(p.upload(FULL(chain, db)));
      p.advanceClock(1_000);
    }
    const perTick: number[] = [];
    for (let tick = 0; tick < 3; tick++) {
      const before = p.created().length;
      p.cloud.drs.settle();
      await p.poll();
      perTick.push(p.created().length - before);
    }
    expect(perTick).toEqual([2, 2, 2]);
    expect(p.cloud.drs.peakInFlight(INSTANCE)).toBe(2);
  });

  it('two upload handlers (their own Redis connections) racing over eight databases start two jobs, no more', async () => {
    p = await startPipeline({ chains: CHAINS, maxJobsPerInstance: 2 });
    const other = createUploadHandler({ env: p.env, now: p.now });
    try {
      const events = DATABASES.map(([chain, db]) => p.upload(FULL(chain, db)));
      const quiet = () => undefined;
      const context = { getRequestID: () => 'other', getRemainingTimeInMilliSeconds: () => 30_000, getLogger: () => ({ info: quiet, warn: quiet, error: quiet }) };
      // Each event delivered to both instances at once: redeliveries race the first delivery too.
      await Promise.all(events.flatMap((event) => [p.handler(event), other(event, context)]));
      expect(p.cloud.drs.jobs.size).toBe(2);
      expect(p.cloud.drs.peakInFlight(INSTANCE)).toBe(2);
      await restoreEverything();
      expect(p.cloud.drs.peakInFlight(INSTANCE)).toBe(2);
      expect([...createsPerFile().values()]).toEqual(Array(8).fill(1));
    } finally {
      await other.close();
    }
  });

  it('a 429 on create: the file stays waiting, the chain is not failed, nothing pages, it goes after the pause; one create in the end', async () => {
    p = await startPipeline({ chains: CHAINS, maxJobsPerInstance: 2 });
    p.cloud.faults.add({ operation: 'drs.createBackupMigrationJob', kind: 'status', status: 429, count: 1 });
    const key = FULL('erp', 'ERPDB1');
    const first = (await p.handler(p.upload(key))).records[0]!;
    expect(first).toMatchObject({ status: 'queued' });
    expect(first.reason).toContain(`DRS throttled the create on instance ${INSTANCE}`);
    expect((await p.state('erp')).files[key]).toMatchObject({ status: 'waiting' });

    // Within the pause nothing is sent, and status says why.
    expect(await p.poll()).toMatchObject({ errors: [] });
    expect(p.created()).toEqual([]);
    const [status] = await chainStatuses(parseChains(JSON.stringify(CHAINS)), p.store, undefined, p.now(), p.topicUrn, 2);
    expect(statusText([status!], p.now())).toContain('erp  1 databases: 0 restored, 0 in flight, 1 queued, 0 waiting, 0 broken, 0 done');
    expect(detailText([status!], p.now())).toMatch(/next: ERPDB1_FULL_20261120000000\.bak — queued: DRS is throttling restores into instance shared-instance-in04; paused until \d\d:\d\d:\d\dZ/);

    p.advanceClock(PACE_BASE_MS);
    await p.poll();
    expect(p.created().map((c) => c.file)).toEqual([key]);
    await restoreEverything();
    expect(p.created().map((c) => c.file)).toEqual([key]);
    expect(p.cloud.requests.filter((r) => r.operation === 'drs.createBackupMigrationJob').map((r) => r.status)).toEqual([429, 200]);
    expect(p.pages()).toEqual([]);
    expect((await p.store.slots.inspect(INSTANCE, p.now())).pace).toBeUndefined();
  });

  it('a DRS quota refusal is paced like a 429; when it lasts an hour one page says what and what to do, and it resolves once DRS takes a job', async () => {
    p = await startPipeline({ chains: CHAINS, maxJobsPerInstance: 2 });
    p.cloud.faults.add({ operation: 'drs.createBackupMigrationJob', kind: 'status', status: 400, errorCode: 'DRS.10000001', errorMsg: 'The number of tasks exceeds the quota.' });
    const key = FULL('crm', 'CRMDB1');
    expect((await p.handler(p.upload(key))).records[0]).toMatchObject({ status: 'queued' });
    for (let minute = 0; minute < 70; minute += 4) {
      p.advanceClock(4 * 60_000);
      expect(await p.poll()).toMatchObject({ errors: [] });
    }
    expect((await p.state('crm')).files[key]).toMatchObject({ status: 'waiting' });
    const subjects = () => p.pages().map((m) => m.subject);
    expect(subjects()).toEqual([`[restore-pilot] DRS throttling restores: instance ${INSTANCE}`]);
    const page = p.pages()[0]!.message;
    expect(page).toContain('The number of tasks exceeds the quota.');
    expect(page).toContain('Databases waiting for this instance: 1');
    expect(page).toContain('lower MAX_JOBS_PER_INSTANCE');
    // The backoff grew to its cap: far fewer tries than ticks.
    const tries = p.cloud.requests.filter((r) => r.operation === 'drs.createBackupMigrationJob').length;
    expect(tries).toBeLessThan(10);

    p.cloud.faults.clear();
    p.advanceClock(20 * 60_000);
    await p.poll();
    await p.poll();
    expect(p.created().map((c) => c.file)).toEqual([key]);
    expect(subjects()).toEqual([`[restore-pilot] DRS throttling restores: instance ${INSTANCE}`, `[restore-pilot] RESOLVED: DRS throttling restores: instance ${INSTANCE}`]);
  });

  it('status shows what is queued and why, in text and JSON', async () => {
    p = await startPipeline({ chains: CHAINS, maxJobsPerInstance: 2 });
    for (const [chain, db] of DATABASES.slice(0, 5)) {
      await p.handler(p.upload(FULL(chain, db)));
      p.advanceClock(1_000);
    }
    const statuses = await chainStatuses(parseChains(JSON.stringify(CHAINS)), p.store, undefined, p.now(), p.topicUrn, 2);
    expect(statusText(statuses, p.now())).toContain('crm  2 databases: 0 restored, 1 in flight, 1 queued, 0 waiting, 0 broken, 0 done');
    expect(statusText(statuses, p.now())).toContain('nothing needs attention'); // queued for a slot is not a problem
    const text = detailText(statuses, p.now());
    expect(text).toContain(`database CRMDB2: nothing restored yet; next: CRMDB2_FULL_20261120000000.bak — queued: 2 of 2 restore slots on instance ${INSTANCE} busy; 1 ahead, waiting since`);
    expect(text).toContain(`database ERPDB1: nothing restored yet; waiting for erp/ERPDB1_FULL_20261120000000.bak to finish restoring`);
    const json = statusJson(statuses, p.now(), false);
    const erp3 = json.chains[0]!.databases.find((d) => d.name === 'ERPDB3')!;
    expect(erp3.queued).toMatchObject({ why: 'busy', busySlots: 2, slots: 2, ahead: 2, pausedUntil: null });
    expect(erp3.queued!.detail).toContain('2 ahead');
    expect(json.chains[0]!.databases.find((d) => d.name === 'ERPDB1')!.queued).toBeNull();
  });

  it('a slot taken by an invocation that died before recording its submission is recounted at the next tick', async () => {
    p = await startPipeline({ chains: CHAINS, maxJobsPerInstance: 1 });
    await p.handler(p.upload(FULL('erp', 'ERPDB1')));
    p.cloud.drs.settle();
    await p.poll();
    // An invocation took the slot for ERPDB1's next file, then died before the chain's state said so.
    await p.store.slots.acquire(INSTANCE, 'erp/ERPDB1', { limit: 1, now: p.now() });
    expect((await p.handler(p.upload(FULL('crm', 'CRMDB1')))).records[0]).toMatchObject({ status: 'queued' });
    await p.poll(); // ERPDB1's step finds nothing of it in flight: the slot goes back
    await p.poll();
    expect(p.created().map((c) => c.file)).toEqual([FULL('erp', 'ERPDB1'), FULL('crm', 'CRMDB1')]);
    expect(p.cloud.drs.peakInFlight(INSTANCE)).toBe(1);
  });
});
