import { describe, expect, it } from 'vitest';
import { planPages, type PageRecord } from '../../shared/alerts/ledger';
import { pageMessage, truncateBytes } from '../../shared/alerts/page-text';
import { chainProblems, dcsProblems, taurusProblems, type Problem } from '../../shared/alerts/problems';
import { parseChains } from '../../shared/chains/config';
import { backupForName, SyntheticDatabase } from '../../scripts/synthetic/backups';
import { admitBackup } from '../../shared/chains/admit';
import { headerRead } from '../../shared/chains/header-read';
import { emptyChainState, type BackupFileRecord, type ChainState } from '../../shared/chains/state';
import { markSucceeded } from '../../shared/chains/transitions';

const [chain] = parseChains(JSON.stringify([{ id: 'erp-prod', bucket: 'mig-backups', prefix: 'erp/', targetInstanceId: 'inst-1', stuckAfterMinutes: 60, gapAlertMinutes: 30 }]));
const TOPIC = 'urn:smn:cn-north-4:p1:oncall';
const MIN = 60_000;
const headerOf = (key: string) => {
  const read = headerRead(backupForName(key));
  if (!('header' in read)) throw new Error(key);
  return read.header;
};
const FULL = 'erp/ERP_FULL_20261120000000.bak';
const LOG = 'erp/ERP_LOG_20261120010000.trn';
const file = (key: string, overrides: Partial<BackupFileRecord>): BackupFileRecord => ({
  key,
  eTag: 'e1',
  header: headerOf(key),
  final: false,
  status: 'waiting',
  attempt: 1,
  jobName: 'rp-erp-prod-0123456789abcdef',
  uploadedAt: 0,
  ...overrides,
});
const stateOf = (...files: BackupFileRecord[]) => ({ ...emptyChainState(), files: Object.fromEntries(files.map((f) => [f.key, f])) });

describe('alert rules', () => {
  it('a failed restore is a problem per file version and attempt; a precheck failure is its own kind', () => {
    const failed = chainProblems(chain!, stateOf(file(FULL, { status: 'failed', drsStatus: 'PRECHECK FAILED', error: 'boom', finishedAt: 5 })), 10, TOPIC);
    expect(failed).toMatchObject([{ kind: 'precheck-failed', id: `precheck-failed:erp-prod:${FULL}:e1:1`, topicUrn: TOPIC, since: 5 }]);
    expect(failed[0]!.details.join('\n')).toContain('DRS error log: boom');
  });

  it('a job is stuck only past the chain limit', () => {
    const running = stateOf(file(FULL, { status: 'running', jobId: 'j1', submittedAt: 0 }));
    expect(chainProblems(chain!, running, 59 * MIN, TOPIC)).toEqual([]);
    expect(chainProblems(chain!, running, 60 * MIN, TOPIC)).toMatchObject([{ kind: 'restore-stuck', id: 'restore-stuck:erp-prod:j1' }]);
  });

  it('a chain waiting past its gap limit, or idle without a final backup, is a problem; a closed chain is not', () => {
    expect(chainProblems(chain!, stateOf(file(LOG, { uploadedAt: 0 })), 29 * MIN, TOPIC)).toEqual([]);
    expect(chainProblems(chain!, stateOf(file(LOG, { uploadedAt: 0 })), 31 * MIN, TOPIC)).toMatchObject([{ kind: 'chain-waiting', id: 'chain-waiting:erp-prod:ERP' }]);
    expect(chainProblems(chain!, stateOf(file(FULL, { status: 'succeeded', finishedAt: MIN })), 32 * MIN, TOPIC)).toMatchObject([{ kind: 'chain-waiting' }]);
    expect(chainProblems(chain!, stateOf(file(FULL, { status: 'succeeded', finishedAt: 0 }), file(LOG, { status: 'succeeded', final: true, finishedAt: 0 })), 999 * MIN, TOPIC)).toEqual([]);
  });

  it('a hole in the log chain pages after its grace with both LSNs and both neighbouring files, and names the way out', () => {
    const db = new SyntheticDatabase('ERP');
    const files: [string, Uint8Array][] = [['erp/ERP_FULL_1.bak', db.full()], ['erp/ERP_LOG_1.trn', db.log()], ['erp/ERP_LOG_2.trn', db.log()], ['erp/ERP_LOG_3.trn', db.log()]];
    let state: ChainState = emptyChainState();
    for (const [key, bytes] of files.filter(([key]) => key !== 'erp/ERP_LOG_2.trn')) state = admitBackup(state, chain!, { key, eTag: 'e', now: 0 }, headerRead(bytes)).state;
    state = markSucceeded(markSucceeded(state, 'erp/ERP_FULL_1.bak', 0), 'erp/ERP_LOG_1.trn', 0);
    const [hole] = chainProblems(chain!, state, 0, TOPIC);
    expect(hole).toMatchObject({ kind: 'log-chain-broken', graceMs: 10 * MIN, title: 'Log chain broken: erp-prod ERP' });
    const restored = state.files['erp/ERP_LOG_1.trn']!.header!;
    const next = state.files['erp/ERP_LOG_3.trn']!.header!;
    const text = hole!.details.join('\n');
    expect(text).toContain(`log chain broken for ERP: restored to LSN ${restored.lastLsn} (ERP_LOG_1.trn, taken ${restored.startedAt.replace('T', ' ').slice(0, 16)})`);
    expect(text).toContain(`the next backup available starts at LSN ${next.firstLsn} (ERP_LOG_3.trn`);
    expect(hole!.nextStep).toContain('npx restore-pilot restart erp-prod --from');
  });

  it('refused files page once each; a striped set once, naming every member found', () => {
    const { header } = headerRead(backupForName(FULL)) as { header: NonNullable<BackupFileRecord['header']> };
    const stripe = (n: number) => file(FULL, { key: `erp/stripe${n}.bak`, status: 'refused', header: { ...header, familyCount: 2, familySequence: n }, refusal: { code: 'striped', detail: `member ${n} of 2` } });
    const { header: _none, ...notes } = file(FULL, { key: 'erp/notes.txt', status: 'refused', refusal: { code: 'not-a-backup', detail: 'it is a text file' } });
    const problems = chainProblems(chain!, stateOf(stripe(1), stripe(2), notes as BackupFileRecord), 0, TOPIC);
    expect(problems.map((p) => [p.kind, p.oneShot])).toEqual([
      ['backup-refused', true],
      ['backup-refused', true],
    ]);
    expect(problems[0]!.details[0]).toContain('was written to 2 files (striped); DRS cannot restore a database split over several files. Members found: erp/stripe1.bak, erp/stripe2.bak');
    expect(problems[0]!.nextStep).toContain('single file');
    expect(problems[1]!.details[0]).toContain('erp/notes.txt could not be read as a SQL Server backup (it is a text file)');
  });

  it('DCS: only failed states page, and the page never carries a password', () => {
    const task = { task_id: 't1', task_name: 'm1', status: 'TERMINATED' as const, source_instance: { name: 'src', addrs: '10.0.0.1:6379', password: 'hunter22' } };
    const [problem] = dcsProblems(task, 1, TOPIC);
    expect(problem).toMatchObject({ kind: 'dcs-migration-failed', scope: 't1' });
    expect(JSON.stringify(problem)).not.toContain('hunter22');
    expect(dcsProblems({ ...task, status: 'INCRMIGEATING' }, 1, TOPIC)).toEqual([]);
  });

  it('DCS: ERROR pages like the other failures; creating, done, deleted and unknown states do not', () => {
    const task = { task_id: 't1', task_name: 'm1', status: 'ERROR' };
    expect(dcsProblems(task, 1, TOPIC)).toMatchObject([{ kind: 'dcs-migration-failed', id: 'dcs-migration-failed:t1:ERROR' }]);
    expect(dcsProblems(task, 1, TOPIC)[0]!.details[0]).toContain('is ERROR');
    for (const status of ['CREATING', 'MIGRATION_SUCCESS', 'DELETED', 'SOME_NEW_STATE']) expect(dcsProblems({ ...task, status }, 1, TOPIC), status).toEqual([]);
  });

  it('TaurusDB: an AVAILABLE backup counts as done, and the stale page gives its size in MB', () => {
    const now = Date.parse('2026-11-22T12:00:00Z');
    const available = { id: 'b1', name: 'auto-1', status: 'AVAILABLE', size: 27.5, backup_level: '0', begin_time: '2026-11-22T17:00:00+0800', end_time: '2026-11-22T17:10:00+0800' };
    expect(taurusProblems('i1', [available], now, 24, TOPIC)).toEqual([]);
    const failedBefore = { ...available, id: 'b0', status: 'FAILED', begin_time: '2026-11-22T08:00:00+0800' };
    expect(taurusProblems('i1', [available, failedBefore], now, 24, TOPIC)).toEqual([]); // a later success clears an earlier failure
    const [stale] = taurusProblems('i1', [available], now + 48 * 3_600_000, 24, TOPIC);
    expect(stale).toMatchObject({ kind: 'taurusdb-backup-stale' });
    expect(stale!.details[0]).toContain('(auto-1, 27.5 MB)');
  });

  it('TaurusDB: building backups are not judged; no completed backup at all is stale', () => {
    const building = { id: 'b', status: 'BUILDING' as const, begin_time: '2026-11-22T10:00:00+0800' };
    expect(taurusProblems('i1', [building], Date.parse('2026-11-22T03:00:00Z'), 24, TOPIC).map((p) => p.kind)).toEqual(['taurusdb-backup-stale']);
  });
});

describe('page planning', () => {
  const problem = (id: string, extra: Partial<Problem> = {}): Problem => ({ id, kind: 'restore-failed', scope: 'erp-prod', topicUrn: TOPIC, since: 1, title: `t ${id}`, details: [], nextStep: 'n', ...extra });
  const record = (id: string, extra: Partial<PageRecord> = {}): PageRecord => ({ id, kind: 'restore-failed', scope: 'erp-prod', topicUrn: TOPIC, title: `t ${id}`, since: 1, oneShot: false, ...extra });
  const evaluated = new Set(['erp-prod']);

  it('new problems page; paged ones stay quiet; cleared ones resolve once; unsent cleared ones are forgotten', () => {
    const plan = planPages([record('old', { sentAt: 5, lastSentAt: 5 }), record('gone', { sentAt: 5 }), record('never')], [problem('new'), problem('old')], { evaluated, configured: evaluated }, 10, undefined);
    expect(plan.send.map((s) => s.problem.id)).toEqual(['new']);
    expect(plan.suppressed).toBe(1);
    expect(plan.resolve.map((r) => r.id)).toEqual(['gone']);
    expect(plan.forget).toEqual(['never']);
  });

  it('a problem whose page SMN never accepted is sent again', () => {
    expect(planPages([record('p')], [problem('p')], { evaluated, configured: evaluated }, 10, undefined).send).toHaveLength(1);
  });

  it('reminders after the interval; one-shot events neither remind nor resolve', () => {
    const ledger = [record('p', { sentAt: 0, lastSentAt: 0 }), record('e', { sentAt: 0, lastSentAt: 0, oneShot: true })];
    const plan = planPages(ledger, [problem('p'), problem('e', { oneShot: true })], { evaluated, configured: evaluated }, 61 * MIN, 60 * MIN);
    expect(plan.send).toEqual([{ problem: problem('p'), reminder: true }]);
    expect(planPages(ledger, [], { evaluated, configured: evaluated }, 1, undefined)).toMatchObject({ resolve: [{ id: 'p' }], forget: ['e'] });
  });

  it('a scope the tick could not evaluate keeps its open pages', () => {
    expect(planPages([record('p', { sentAt: 1 })], [], { evaluated: new Set(), configured: evaluated }, 10, undefined)).toMatchObject({ resolve: [], forget: [] });
  });

  it('a problem with a grace period is remembered first and paged only once it has lasted', () => {
    const scopes = { evaluated, configured: evaluated };
    const held = planPages([], [problem('c', { graceMs: 15 * MIN, since: 0 })], scopes, 0, undefined);
    expect(held).toMatchObject({ send: [], hold: [{ id: 'c', since: 0 }], suppressed: 1 });
    expect(planPages(held.hold, [problem('c', { graceMs: 15 * MIN, since: 10 * MIN })], scopes, 10 * MIN, undefined).send).toEqual([]);
    expect(planPages(held.hold, [problem('c', { graceMs: 15 * MIN, since: 15 * MIN })], scopes, 15 * MIN, undefined).send).toHaveLength(1);
    expect(planPages(held.hold, [], scopes, 16 * MIN, undefined)).toMatchObject({ resolve: [], forget: ['c'] }); // never paged: no 'resolved'
  });

  it('records of a scope that is no longer configured are forgotten without a message', () => {
    expect(planPages([record('p', { sentAt: 1, scope: 'removed-chain' })], [], { evaluated, configured: evaluated }, 10, undefined)).toMatchObject({ resolve: [], forget: ['p'] });
  });

  it('subjects fit SMN limits in bytes without splitting characters', () => {
    const { subject } = pageMessage(problem('x', { title: '中'.repeat(400) }), false);
    expect(Buffer.byteLength(subject)).toBeLessThanOrEqual(512);
    expect(subject.endsWith('...')).toBe(true);
    expect(truncateBytes('abc', 10)).toBe('abc');
  });
});
