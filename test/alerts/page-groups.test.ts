import { describe, expect, it } from 'vitest';
import { planPages, type PageRecord } from '../../shared/alerts/ledger';
import { causePageText, causeResolvedText } from '../../shared/alerts/group-text';
import { planMessages, type Message, type Outgoing } from '../../shared/alerts/page-groups';
import { chainProblems, titleOf, type Problem } from '../../shared/alerts/problems';
import { SMS_MAX_CHARS } from '../../shared/alerts/sms-text';
import { parseChains } from '../../shared/chains/config';
import { emptyChainState, type BackupFileRecord } from '../../shared/chains/state';

const TOPIC = 'urn:smn:cn-north-4:p1:oncall';
const MIN = 60_000;
const db = (i: number) => `DB${String(i).padStart(2, '0')}`;

/** A database whose logs stopped arriving, as problems.ts words it. */
const quiet = (i: number, extra: Partial<Problem> = {}): Problem => ({
  id: `chain-waiting:erp-prod:${db(i)}`,
  kind: 'chain-waiting',
  scope: 'erp-prod',
  topicUrn: TOPIC,
  since: 0,
  title: titleOf('chain-waiting', `erp-prod ${db(i)}`),
  details: [`What happened: no new log backup of ${db(i)} for 130 minutes since the last restore finished (restored to LSN 4200000001), and it has no final backup yet.`, 'Chain: erp-prod (bucket mig-backups, prefix "erp/") → RDS instance inst-1'],
  nextStep: `Check the log backup job for ${db(i)}.`,
  group: { database: db(i), cause: 'logs stopped arriving', nextStep: 'Check the SQL Agent log backup job on the source server and the upload to OBS.' },
  ...extra,
});
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

interface World {
  ledger: PageRecord[];
  sent: Outgoing[];
}

/** One tick of the pager's decisions with SMN taking every message: the ledger as the pager leaves it. */
function tick(world: World, problems: Problem[], now: number, options: { evaluated?: string[]; reminderMs?: number; refuse?: (m: Message) => boolean } = {}): Outgoing[] {
  const scopes = new Set(problems.map((p) => p.scope).concat(world.ledger.map((r) => r.scope)));
  const plan = planPages(world.ledger, problems, { evaluated: new Set(options.evaluated ?? scopes), configured: scopes }, now, options.reminderMs);
  const byId = new Map(world.ledger.map((r) => [r.id, r]));
  const apply = (put: PageRecord[], remove: string[]) => {
    for (const r of put) byId.set(r.id, r);
    for (const id of remove) byId.delete(id);
  };
  apply(plan.hold, plan.forget);
  const out = planMessages(plan, world.ledger, problems, now);
  const held = new Set<string>();
  const accepted = out.filter((o) => {
    if (held.has(o.cause) || options.refuse?.(o.message)) return !held.add(o.cause);
    apply(o.change.put, o.change.remove);
    return true;
  });
  world.ledger = [...byId.values()];
  world.sent.push(...accepted);
  return accepted;
}
const world = (): World => ({ ledger: [], sent: [] });
const shape = (o: Outgoing) => (o.message.type === 'group' ? `${o.message.stage}:${o.message.problems.length}` : `${o.message.type}:${o.message.type === 'resolved' ? o.message.records.length : o.message.problems.length}`);

describe('pages group by cause', () => {
  it('40 databases whose logs stop at once are one page naming 20 and counting the rest, with one next step; a later tick sends nothing', () => {
    const w = world();
    const problems = range(1, 41).map((i) => quiet(i));
    const [page, ...rest] = tick(w, problems, 0);
    expect(rest).toEqual([]);
    expect(shape(page!)).toBe('first:40');
    expect(w.ledger).toHaveLength(40);
    expect(w.ledger.every((r) => r.sentAt === 0 && r.group?.cause === 'logs stopped arriving')).toBe(true);

    const text = causePageText(page!.message as Extract<Message, { type: 'group' }>);
    expect(text.subject).toBe('[restore-pilot] Migration chain waiting: erp-prod (40 databases, logs stopped arriving)');
    expect(text.message.match(/^- DB\d\d: no new log backup of DB\d\d/gm)).toHaveLength(20);
    expect(text.message).toContain('- and 20 more; see npx restore-pilot status');
    expect(text.message.match(/^Next step: /gm)).toEqual(['Next step: ']);
    expect(text.message).toContain('Next step: Check the SQL Agent log backup job');
    expect(text.message).toContain('Chain: erp-prod (bucket mig-backups');
    expect(text.sms).toMatch(/^restore-pilot alert: Migration chain waiting: erp-prod \(40 databases, logs stopped arriving\): DB01, DB02, .* DB20 and 20 more/);
    expect(text.sms).toMatch(/Next: Check the SQL Agent log backup job/);
    expect(Array.from(text.sms).length).toBeLessThanOrEqual(SMS_MAX_CHARS);

    expect(tick(w, problems, MIN)).toEqual([]);
  });

  it('the first database of a cause pages alone; one that joins is told in a "more" page; both clearing send one RESOLVED naming both', () => {
    const w = world();
    expect(tick(w, [quiet(1)], 0).map(shape)).toEqual(['page:1']);
    const [more] = tick(w, [quiet(1), quiet(2)], MIN);
    expect(more!.message).toMatchObject({ type: 'group', stage: 'more', openBefore: 1, problems: [{ id: quiet(2).id }] });
    expect(causePageText(more!.message as Extract<Message, { type: 'group' }>).subject).toBe('[restore-pilot] Migration chain waiting: erp-prod (1 more database, logs stopped arriving; 2 open)');
    expect(tick(w, [quiet(2)], 2 * MIN)).toEqual([]); // DB01 clears while DB02 is open: silent, and kept
    expect(w.ledger.map((r) => r.id).sort()).toEqual([quiet(1).id, quiet(2).id]);
    const [resolved, ...rest] = tick(w, [], 3 * MIN);
    expect(rest).toEqual([]);
    expect(resolved!.message).toMatchObject({ type: 'resolved', records: [{ id: quiet(1).id }, { id: quiet(2).id }] });
    const text = causeResolvedText((resolved!.message as Extract<Message, { type: 'resolved' }>).records, 3 * MIN);
    expect(text.subject).toBe('[restore-pilot] RESOLVED: Migration chain waiting: erp-prod (2 databases, logs stopped arriving)');
    expect(text.message).toContain('Every database paged for this cause has cleared: DB01, DB02.');
    expect(w.ledger).toEqual([]);
    expect(tick(w, [], 4 * MIN)).toEqual([]);
  });

  it('a lone problem that clears resolves as it always did', () => {
    const w = world();
    tick(w, [quiet(1)], 0);
    expect(tick(w, [], MIN).map((o) => o.message)).toMatchObject([{ type: 'resolved', records: [{ id: quiet(1).id }] }]);
  });

  it('two databases joining forty are told once, in one page; a member that clears and comes back is not paged again', () => {
    const w = world();
    const forty = range(1, 41).map((i) => quiet(i));
    tick(w, forty, 0);
    const joined = tick(w, [...forty, quiet(41), quiet(42)], MIN);
    expect(joined.map(shape)).toEqual(['more:2']);
    expect(causePageText(joined[0]!.message as Extract<Message, { type: 'group' }>).message).toContain('What happened: 2 more databases of erp-prod joined a problem already paged: Migration chain waiting (logs stopped arriving). The 40 databases paged before are still open.');
    expect(tick(w, [...forty.slice(1), quiet(41), quiet(42)], 2 * MIN)).toEqual([]);
    expect(tick(w, [...forty, quiet(41), quiet(42)], 3 * MIN)).toEqual([]);
    expect(w.ledger).toHaveLength(42);
  });

  it('causes stay apart: another cause, another kind, another source each page on their own', () => {
    const w = world();
    const noFull = (i: number) => quiet(i, { id: `chain-waiting:erp-prod:NF${i}`, group: { database: `NF${i}`, cause: 'no full backup', nextStep: 'Upload the fulls.' } });
    const otherSource = (i: number) => quiet(i, { id: `chain-waiting:crm:${db(i)}`, scope: 'crm' });
    const broken = (i: number) => quiet(i, { id: `log-chain-broken:erp-prod:${db(i)}:1`, kind: 'log-chain-broken', group: { database: db(i), nextStep: 'Upload the missing logs.' } });
    const out = tick(w, [quiet(1), quiet(2), noFull(1), noFull(2), otherSource(1), otherSource(2), broken(1), broken(2)], 0);
    expect(out.map(shape)).toEqual(['first:2', 'first:2', 'first:2', 'first:2']);
    expect(new Set(out.map((o) => o.cause)).size).toBe(4);
  });

  it('a source the tick could not look at resolves nothing, and a member joining it is still "more"', () => {
    const w = world();
    tick(w, [quiet(1), quiet(2)], 0);
    expect(tick(w, [], MIN, { evaluated: [] })).toEqual([]);
    expect(tick(w, [quiet(3)], 2 * MIN, { evaluated: [] }).map(shape)).toEqual(['more:1']);
    expect(tick(w, [], 3 * MIN).map(shape)).toEqual(['resolved:3']);
  });

  it('when the last of a cause clears as a new one arrives, the RESOLVED goes first and the new one pages afresh', () => {
    const w = world();
    tick(w, [quiet(1), quiet(2)], 0);
    expect(tick(w, [quiet(3)], MIN).map(shape)).toEqual(['resolved:2', 'page:1']);
  });

  it('a RESOLVED SMN does not take holds the new page of its cause; both go next tick, in order', () => {
    const w = world();
    tick(w, [quiet(1), quiet(2)], 0);
    expect(tick(w, [quiet(3)], MIN, { refuse: (m) => m.type === 'resolved' })).toEqual([]);
    expect(w.ledger.map((r) => r.id).sort()).toEqual([quiet(1).id, quiet(2).id]); // DB03 not paged yet
    expect(tick(w, [quiet(3)], 2 * MIN).map(shape)).toEqual(['resolved:2', 'page:1']);
  });

  it('a group page SMN does not take is sent whole next tick', () => {
    const w = world();
    expect(tick(w, [quiet(1), quiet(2), quiet(3)], 0, { refuse: () => true })).toEqual([]);
    expect(tick(w, [quiet(1), quiet(2), quiet(3)], MIN).map(shape)).toEqual(['first:3']);
  });

  it('reminders go per cause: one listing the open databases and naming those cleared; one due with joiners rides on their page', () => {
    const w = world();
    const opts = { reminderMs: 60 * MIN };
    tick(w, range(1, 41).map((i) => quiet(i)), 0, opts);
    const reminders = tick(w, range(1, 31).map((i) => quiet(i)), 61 * MIN, opts);
    expect(reminders.map(shape)).toEqual(['reminder:30']);
    const text = causePageText(reminders[0]!.message as Extract<Message, { type: 'group' }>);
    expect(text.subject).toBe('[restore-pilot] Still open: Migration chain waiting: erp-prod (30 databases, logs stopped arriving)');
    expect(text.message).toContain('Cleared since paged (they resolve with the rest): DB31, DB32, DB33, DB34, DB35, DB36, DB37, DB38, DB39, DB40');
    expect(text.sms.startsWith('restore-pilot still open:')).toBe(true);
    expect(tick(w, range(1, 31).map((i) => quiet(i)), 62 * MIN, opts)).toEqual([]);
    // An hour on, a database joins as the reminder falls due: one page, and the open ones count as reminded.
    const joined = tick(w, [...range(1, 31).map((i) => quiet(i)), quiet(50)], 122 * MIN, opts);
    expect(joined.map(shape)).toEqual(['more:1']);
    expect(tick(w, [...range(1, 31).map((i) => quiet(i)), quiet(50)], 123 * MIN, opts)).toEqual([]);
  });

  it('a lone problem reminds as it always did', () => {
    const w = world();
    tick(w, [quiet(1)], 0, { reminderMs: 60 * MIN });
    expect(tick(w, [quiet(1)], 61 * MIN, { reminderMs: 60 * MIN }).map((o) => o.message)).toMatchObject([{ type: 'page', reminder: true }]);
  });

  it('a page recorded before causes existed lives on alone: it reminds and resolves alone, and others of its cause group without it', () => {
    const w = world();
    const legacy = quiet(1);
    w.ledger = [{ id: legacy.id, kind: legacy.kind, scope: legacy.scope, topicUrn: legacy.topicUrn, title: legacy.title, since: 0, oneShot: false, sentAt: 0, lastSentAt: 0 }];
    const opts = { reminderMs: 60 * MIN };
    expect(tick(w, [quiet(1), quiet(2), quiet(3)], 61 * MIN, opts).map((o) => [shape(o), o.message.type === 'page' && o.message.reminder])).toEqual([
      ['first:2', false],
      ['page:1', true],
    ]);
    expect(tick(w, [quiet(2), quiet(3)], 62 * MIN, opts).map((o) => o.message)).toMatchObject([{ type: 'resolved', records: [{ id: quiet(1).id }] }]);
  });

  it('problems of a grace period join their cause only once they have lasted', () => {
    const w = world();
    const hole = (i: number) => quiet(i, { id: `log-chain-broken:erp-prod:${db(i)}:1`, kind: 'log-chain-broken', graceMs: 10 * MIN, group: { database: db(i), nextStep: 'Upload the missing logs.' } });
    expect(tick(w, [hole(1), hole(2)], 0)).toEqual([]);
    expect(tick(w, [hole(1), hole(2)], 10 * MIN).map(shape)).toEqual(['first:2']);
  });

  it('one-off events keep their own rule: five or more at once are one page, fewer page one by one', () => {
    const event = (i: number): Problem => ({ id: `backup-refused:erp-prod:n${i}`, kind: 'backup-refused', scope: 'erp-prod', topicUrn: TOPIC, since: 0, title: 'Backup file DRS cannot restore: erp-prod', details: [], nextStep: 'n', oneShot: true });
    expect(tick(world(), range(0, 5).map(event), 0).map(shape)).toEqual(['page:5']);
    expect(tick(world(), range(0, 4).map(event), 0).map(shape)).toEqual(['page:1', 'page:1', 'page:1', 'page:1']);
  });

  it('a group page keeps each database\'s job and error log, cut, and its SMS stays within SMN\'s rules', () => {
    const failed = (i: number): Problem => ({
      ...quiet(i),
      id: `restore-failed:erp-prod:${db(i)}`,
      kind: 'restore-failed',
      details: [`What happened: the DRS restore of erp/${db(i)}_FULL.bak ended FAILED.`, `Job: job-${i} (rp-x)`, `DRS error log: [Microsoft][ODBC Driver 17 for SQL Server] ${'disk full '.repeat(500)}`],
      group: { database: `${db(i)}【${'长'.repeat(40)}】`, nextStep: '[Fix] the instance. '.repeat(30) },
    });
    const [page] = tick(world(), range(1, 25).map(failed), 0);
    const text = causePageText(page!.message as Extract<Message, { type: 'group' }>);
    expect(text.message).toContain('    Job: job-1 (rp-x)');
    expect(text.message).toMatch(/^ {4}DRS error log: \[Microsoft\]\[ODBC Driver 17 for SQL Server\] disk full .*\.\.\.$/m);
    expect(Array.from(text.sms).length).toBeLessThanOrEqual(SMS_MAX_CHARS);
    expect(text.sms).not.toMatch(/[[\]【】]/);
    expect(text.sms).toContain('Next: (Fix) the instance.');
  });
});

describe('problems carry their cause', () => {
  const [chain] = parseChains(JSON.stringify([{ id: 'erp-prod', bucket: 'mig-backups', prefix: 'erp/', targetInstanceId: 'inst-1', gapAlertMinutes: 30 }]));
  const file = (key: string, overrides: Partial<BackupFileRecord>): BackupFileRecord => ({ key, eTag: 'e', final: false, status: 'waiting', attempt: 1, jobName: 'rp-erp-prod-0123456789abcdef', uploadedAt: 0, ...overrides });
  const stateOf = (...files: BackupFileRecord[]) => ({ ...emptyChainState(), files: Object.fromEntries(files.map((f) => [f.key, f])) });

  it('"logs stopped arriving" and "no full backup" are two causes of one kind, each with a next step for all its databases', async () => {
    const { headerRead } = await import('../../shared/chains/header-read');
    const { backupForName } = await import('../../scripts/synthetic/backups');
    const header = (key: string) => (headerRead(backupForName(key)) as { header: NonNullable<BackupFileRecord['header']> }).header;
    const [logsStopped] = chainProblems(chain!, stateOf(file('erp/ERP_FULL_20261120000000.bak', { header: header('erp/ERP_FULL_20261120000000.bak'), status: 'succeeded', finishedAt: 0 })), 31 * MIN, TOPIC, 'ERP');
    const [noFull] = chainProblems(chain!, stateOf(file('erp/ERP_LOG_20261120010000.trn', { header: header('erp/ERP_LOG_20261120010000.trn') })), 31 * MIN, TOPIC, 'ERP');
    expect(logsStopped!.group).toMatchObject({ database: 'ERP', cause: 'logs stopped arriving' });
    expect(noFull!.group).toMatchObject({ database: 'ERP', cause: 'no full backup' });
    expect(logsStopped!.group!.nextStep).not.toContain('ERP');
  });
});
