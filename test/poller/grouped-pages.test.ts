import { afterEach, describe, expect, it } from 'vitest';
import { startPipeline, type Pipeline } from '../support/pipeline';

let p: Pipeline;
afterEach(async () => {
  await p?.close();
});

const MIN = 60_000;
const db = (i: number) => `DB${String(i).padStart(2, '0')}`;
const full = (i: number) => `erp/${db(i)}_FULL_20261120000000.bak`;
const log = (i: number) => `erp/${db(i)}_LOG_20261120010000.trn`;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);
const subjects = () => p.pages().map((m) => m.subject);

/** Uploads these databases' backups and lets DRS restore them all. */
async function restore(keys: string[]) {
  for (const key of keys) await p.handler(p.upload(key));
  p.cloud.drs.settle();
  await p.poll();
}

describe('poll-jobs: pages group by cause', () => {
  it('40 databases whose logs stop arriving are one page; two joining later are told once; all clear is one RESOLVED; nothing repeats', async () => {
    // Room for every database's job at once: this test is about the pages, not the instance's slots.
    p = await startPipeline({ chains: [{ id: 'erp-prod', bucket: 'mig-backups', prefix: 'erp/', targetInstanceId: 'inst-erp', gapAlertMinutes: 30 }], maxJobsPerInstance: 50 });
    await restore(range(1, 40).map(full));
    expect(p.pages()).toEqual([]);

    p.advanceClock(31 * MIN); // no log for any of them since their full: the source's log backup job has stopped
    await Promise.all([p.poll(), p.poll()]); // two overlapping ticks page once
    await p.poll();
    const group = '[restore-pilot] Migration chain waiting: erp-prod (40 databases, logs stopped arriving)';
    expect(subjects()).toEqual([group]);
    const [page] = p.cloud.smn.messages;
    expect(page!.message.match(/^- DB\d\d: no new log backup of DB\d\d for 31 minutes/gm)).toHaveLength(20);
    expect(page!.message).toContain('- and 20 more; see npx restore-pilot status');
    expect(page!.message).toContain('- DB20: '); // in name order: the first twenty named, the rest counted
    expect(page!.message).not.toContain('- DB21: ');
    expect(page!.message.match(/^Next step: .*/gm)).toEqual([expect.stringContaining('Check the log backup job on the source SQL Server')]);
    const sms = page!.deliveries.sms;
    expect(sms.delivered).toBe(true);
    const text = sms.delivered ? sms.text : '';
    expect(text).toMatch(/^restore-pilot alert: Migration chain waiting: erp-prod \(40 databases, logs stopped arriving\): DB\d\d, /);
    expect(text).toContain('DB20 and 20 more (see npx restore-pilot status). Next: Check the log backup job on the source SQL Server');
    expect(Array.from(text).length).toBeLessThanOrEqual(490);

    // Two more databases start, then go quiet too: one page tells of both, the forty are not repeated.
    await restore([full(41), full(42)]);
    p.advanceClock(31 * MIN);
    for (let i = 0; i < 3; i++) await p.poll();
    expect(subjects()).toEqual([group, '[restore-pilot] Migration chain waiting: erp-prod (2 more databases, logs stopped arriving; 42 open)']);
    const more = p.pages()[1]!.message;
    expect(more).toContain('- DB41: no new log backup of DB41');
    expect(more).toContain('- DB42: no new log backup of DB42');
    expect(more).toContain('The 40 databases paged before are still open.');

    // Logs arrive again: half first (no message), then the rest, then one RESOLVED for all 42.
    await restore(range(1, 21).map(log));
    await p.poll();
    expect(subjects()).toHaveLength(2);
    await restore(range(22, 42).map(log));
    for (let i = 0; i < 3; i++) await p.poll();
    expect(subjects()).toEqual([group, subjects()[1], '[restore-pilot] RESOLVED: Migration chain waiting: erp-prod (42 databases, logs stopped arriving)']);
    const resolved = p.pages()[2]!.message;
    expect(resolved).toContain('Every database paged for this cause has cleared: DB01, DB02, DB03,');
    expect(resolved).toContain('and 22 more.');
    expect(p.created()).toHaveLength(84);
  });

  it('databases waiting for their full, two of them: one page naming both, and one RESOLVED when their fulls arrive', async () => {
    p = await startPipeline({ chains: [{ id: 'erp-prod', bucket: 'mig-backups', prefix: 'erp/', targetInstanceId: 'inst-erp', gapAlertMinutes: 30 }] });
    for (const key of [log(1), log(2)]) await p.handler(p.upload(key));
    p.advanceClock(31 * MIN);
    await p.poll();
    await p.poll();
    expect(subjects()).toEqual(['[restore-pilot] Migration chain waiting: erp-prod (2 databases, no full backup)']);
    expect(p.pages()[0]!.message).toContain('Next step: Upload a full backup of each database named to bucket mig-backups, prefix "erp/"');
    await restore([full(1), full(2)]);
    await p.poll();
    expect(subjects()[1]).toBe('[restore-pilot] RESOLVED: Migration chain waiting: erp-prod (2 databases, no full backup)');
    expect(subjects()).toHaveLength(2);
  });
});
