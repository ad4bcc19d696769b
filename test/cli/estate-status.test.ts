import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chainStatuses, statusText } from '../../scripts/cli/status';
import { SyntheticDatabase } from '../../scripts/synthetic/backups';
import { parseChains } from '../../shared/chains/config';
import { startPipeline, type Pipeline } from '../support/pipeline';
import { testStateUrl } from '../support/redis';

/**
 * `restore-pilot status` on an estate: 5 sources of 100 databases each, every full restored, a
 * handful broken in different ways. The built CLI runs against the local cloud and the real Redis.
 */

const CLI = join(resolve(__dirname, '../..'), 'scripts/cli/restore-pilot.js');
const SOURCES = 5;
const PER_SOURCE = 100;
// Quick to call a job stuck, slow to call a quiet database waiting: only the breakage below needs attention.
const source = (i: number) => ({ id: `src-${i}`, bucket: 'mig-backups', prefix: `src${i}/`, targetInstanceId: `rds-src${i}-in04`, stuckAfterMinutes: 30, gapAlertMinutes: 10_000 });
const CHAINS = Array.from({ length: SOURCES }, (_, i) => source(i));
const db = (n: number) => `DB${String(n).padStart(3, '0')}`;
const sourceOf = (n: number) => Math.floor(n / PER_SOURCE);
const full = (n: number) => `src${sourceOf(n)}/${db(n)}_FULL_20261120000000.bak`;
const log = (n: number) => `src${sourceOf(n)}/${db(n)}_LOG_20261120010000.trn`;

let p: Pipeline;
afterEach(async () => p?.close());

/** The CLI's standard output only: stderr may say that the bin rebuilt itself first. */
function restorePilot(args: string[]): Promise<{ code: number; out: string }> {
  const env = { PATH: process.env.PATH, ...p.cloud.env(), STATE_URL: testStateUrl(p.keyPrefix), RESTORE_CHAINS: JSON.stringify(CHAINS), MAX_JOBS_PER_INSTANCE: '100' };
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { env, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => done({ code: error ? Number(error.code) : 0, out: stdout }));
  });
}

/** Uploads every database's full, one OBS event per source, and lets DRS restore them all. */
async function restoredEstate() {
  p = await startPipeline({ chains: CHAINS, maxJobsPerInstance: 100 });
  for (let i = 0; i < SOURCES; i++) {
    const events = Array.from({ length: PER_SOURCE }, (_, n) => p.upload(full(i * PER_SOURCE + n)).Records[0]!);
    expect((await p.handler({ Records: events })).counts.submitted).toBe(PER_SOURCE);
  }
  p.cloud.drs.settle();
  await p.poll();
}

/** Uploads a database's full and two logs with the one between them missing: a hole. */
async function hole(sourceIndex: number, name: string) {
  const synthetic = new SyntheticDatabase(name);
  const files: [string, Uint8Array][] = [[`src${sourceIndex}/${name}/full.bak`, synthetic.full()], [`src${sourceIndex}/${name}/l1.trn`, synthetic.log()]];
  synthetic.log(); // never uploaded
  files.push([`src${sourceIndex}/${name}/l3.trn`, synthetic.log()]);
  for (const [key, content] of files) await p.handler(p.upload(key, { content }));
}

describe('restore-pilot status on an estate of 500 databases', () => {
  it('fits 50 lines: a summary per source, every broken database named with why, problems grouped; --json lists all 500; --db shows one in full', async () => {
    await restoredEstate();
    const healthy = await restorePilot(['status']);
    expect(healthy.code).toBe(0);
    expect(healthy.out).toContain('nothing needs attention');
    expect(healthy.out).toContain('no open problems');
    for (let i = 0; i < SOURCES; i++) expect(healthy.out).toContain(`src-${i}  100 databases: 100 restored, 0 in flight, 0 queued, 0 waiting, 0 broken, 0 done`);
    expect(healthy.out.trimEnd().split('\n').length).toBeLessThanOrEqual(10);

    // Four logs fail in DRS: their databases halt.
    for (const n of [7, 205, 333, 450]) {
      const event = p.upload(log(n));
      p.cloud.drs.script(p.drsName(log(n)), { status: 'FAILED', errorLog: `The log of ${db(n)} does not follow the restored point.\nmore detail` });
      await p.handler(event);
    }
    // Three new databases whose log chain has a hole.
    await hole(1, 'HOLE1');
    await hole(1, 'HOLE2');
    await hole(4, 'HOLE3');
    // Two new fulls in the Archive storage class: held by the preflight.
    for (const key of ['src2/ARCH1_FULL_20261120000000.bak', 'src2/ARCH2_FULL_20261120000000.bak']) await p.handler(p.upload(key, { storageClass: 'COLD' }));
    // A system database's backup, and a file that is no backup at all: refused.
    await p.handler(p.upload('src3/master_FULL_20261120000000.bak'));
    await p.handler(p.upload('src3/notes.bak', { content: new TextEncoder().encode('not a backup') }));
    // Logs waiting for a full that is not there yet: waiting, but not for long enough to need attention.
    await p.handler(p.upload('src0/NOFULL_LOG_20261120010000.trn'));
    for (let tick = 0; tick < 3; tick++) {
      p.cloud.drs.settle();
      await p.poll();
    }
    // A log restore in flight: not a problem.
    await p.handler(p.upload(log(444)));

    const { code, out } = await restorePilot(['status']);
    expect(code).toBe(1);
    const lines = out.trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(50);
    const attention = lines.slice(lines.indexOf('needs attention (11):') + 1, lines.findIndex((l) => l.startsWith('open problems')) - 1);
    expect(attention).toHaveLength(11);
    for (const n of [7, 205, 333, 450]) expect(out).toMatch(new RegExp(`src-${sourceOf(n)} ${db(n)}: halted since \\d\\d:\\d\\dZ: ${log(n)} failed \\(The log of ${db(n)} does not follow the restored point\\.\\); retry it: npx restore-pilot retry ${log(n)}`));
    for (const [i, name] of [[1, 'HOLE1'], [1, 'HOLE2'], [4, 'HOLE3']] as const) expect(out).toMatch(new RegExp(`src-${i} ${name}: log chain broken since \\d\\d:\\d\\dZ: restored to LSN \\d+, the next log \\(src${i}/${name}/l3.trn\\) starts at LSN \\d+`));
    for (const name of ['ARCH1', 'ARCH2']) expect(out).toContain(`src-2 ${name}: held by the preflight since`);
    expect(out).toContain('the object is in the Archive storage class');
    expect(out).toMatch(/src-3 master: refused since \d\d:\d\dZ: src3\/master_FULL_20261120000000\.bak is a backup of a system database/);
    expect(out).toMatch(/src-3 \(files in no database\): refused since \d\d:\d\dZ: src3\/notes\.bak could not be read as a SQL Server backup/);
    expect(out).not.toContain('NOFULL');
    expect(out).not.toContain(db(444));
    // Most urgent first: the halted databases lead.
    expect(attention.slice(0, 4).every((l) => l.includes(': halted since'))).toBe(true);

    expect(out).toContain('src-0  101 databases: 99 restored, 0 in flight, 0 queued, 1 waiting, 1 broken, 0 done');
    expect(out).toContain('src-2  102 databases: 99 restored, 0 in flight, 0 queued, 0 waiting, 3 broken, 0 done');
    expect(out).toContain('src-3  100 databases: 99 restored, 0 in flight, 0 queued, 0 waiting, 1 broken, 0 done; files in no database refused');
    expect(out).toContain('src-4  101 databases: 98 restored, 1 in flight, 0 queued, 0 waiting, 2 broken, 0 done');
    // 11 problems: more than get a line each, so one line per kind.
    expect(out).toContain('open problems (11):');
    expect(out).toMatch(/^ {2}! 4 × Restore failed: src-0 DB007, src-2 DB205, src-3 DB333, … \(paged\), since \d\d:\d\dZ$/m);
    expect(out).toMatch(/^ {2}! 3 × Log chain broken: src-1 HOLE\d, src-1 HOLE\d, src-4 HOLE3 \(not paged yet\), since/m);
    expect(out).toMatch(/^ {2}! 2 × Restore blocked before DRS: src-2 ARCH\d, src-2 ARCH\d \(paged\), since/m);
    expect(out).toMatch(/^ {2}! 2 × Backup file DRS cannot restore: (src-3, src-3 master|src-3 master, src-3) \(paged\), since/m);

    // A job running past stuckAfterMinutes needs attention too (the pipeline's clock, not the CLI's, has moved).
    p.advanceClock(31 * 60_000);
    const later = statusText(await chainStatuses(parseChains(JSON.stringify(CHAINS)), p.store, undefined, p.now(), p.topicUrn, 100), p.now());
    expect(later).toMatch(new RegExp(`src-4 ${db(444)}: restoring since \\d\\d:\\d\\dZ \\(31 min, limit 30\\): ${log(444)}, job [0-9a-f-]{36}; check the job`));
    expect(later).toContain('needs attention (12):');
    expect(later.trimEnd().split('\n').length).toBeLessThanOrEqual(50);

    const json = JSON.parse((await restorePilot(['status', '--json'])).out);
    expect(json.chains.flatMap((c: { databases: unknown[] }) => c.databases)).toHaveLength(500 + 3 + 2 + 1); // the holes, the archived fulls, NOFULL
    expect(json.needAttention).toBe(11);
    const src0 = json.chains[0];
    expect(src0.summary).toEqual({ databases: 101, restored: 99, 'in-flight': 0, queued: 0, waiting: 1, broken: 1, done: 0, needAttention: 1 });
    expect(src0.databases.find((d: { name: string }) => d.name === db(7))).toMatchObject({ standing: 'broken', attention: { code: 'halted', reason: expect.stringContaining(`retry it: npx restore-pilot retry ${log(7)}`), since: expect.any(String) } });
    expect(src0.databases.find((d: { name: string }) => d.name === db(8))).toMatchObject({ standing: 'restored', attention: null });
    expect(json.chains[3].attention.map((a: { database: string; code: string }) => [a.database, a.code])).toEqual([[db(333), 'halted'], ['master', 'refused'], ['', 'refused']]);
    expect(src0.problems[0]).toMatchObject({ kind: 'restore-failed', database: db(7) });

    const one = await restorePilot(['status', '--db', db(205)]);
    expect(one.code).toBe(1);
    expect(one.out).toMatch(new RegExp(`^chain src-2 `, 'm'));
    expect(one.out).toMatch(new RegExp(`database ${db(205)}: restored to LSN \\d+ by ${db(205)}_FULL_20261120000000\\.bak .*; halted: ${log(205)} failed`));
    expect(one.out).toContain('✓ restored');
    expect(one.out).toContain('✗ failed');
    expect(one.out).toContain(`Restore failed: src-2`);
    expect(one.out).toContain('more detail'); // in full, not one line
    expect(one.out).not.toContain(db(206));
    expect(await restorePilot(['status', '--db', db(206)])).toMatchObject({ code: 0, out: expect.stringContaining('no open problems') });
    expect(await restorePilot(['status', '--db', 'NOPE'])).toEqual({ code: 1, out: expect.stringContaining('no database NOPE in src-0, src-1, src-2, src-3, src-4') });
    const narrowed = JSON.parse((await restorePilot(['status', '--db', db(205), '--json'])).out);
    expect(narrowed.chains.map((c: { id: string; databases: { name: string }[] }) => [c.id, c.databases.map((d) => d.name)])).toEqual([['src-2', [db(205)]]]);
    const src1 = await restorePilot(['status', '--source', 'src-1']);
    expect(src1.out).toContain('1 source(s), 102 database(s)');
    expect(src1.out).not.toContain('src-0');
  }, 120_000);
});
