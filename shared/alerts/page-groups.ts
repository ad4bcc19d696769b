import type { PagesChange } from '../state/store';
import { pageRecord, type PagePlan, type PageRecord } from './ledger';
import type { Problem } from './problems';

/**
 * A flood of one-off problems of one kind in one chain (55 files that are not backups) is one page
 * listing them, not 55 pages; a few stay pages of their own, each with its own fix.
 */
export const GROUP_FROM = 5;
/**
 * Lasting problems of one cause in one source (problems.ts `group`) page together from the second:
 * two databases whose logs stop at once almost always share the reason, and one page with one next
 * step says so where two pages hide it. It also keeps one rule for the whole life of a cause: the
 * first database pages alone, every later one joins the open page of its cause.
 */
export const CAUSE_GROUP_FROM = 2;

/** What one SMN message says. */
export type Message =
  /** One problem (new, or a reminder), or a flood of one-off events. */
  | { type: 'page'; problems: Problem[]; reminder: boolean }
  /**
   * Databases of one cause: `first` pages them together; `more` tells of databases that joined a cause
   * already paged (`openBefore` of them still open); `reminder` repeats the open ones and counts the
   * `cleared`, who resolve with the group.
   */
  | { type: 'group'; stage: 'first' | 'more' | 'reminder'; problems: Problem[]; openBefore: number; cleared: PageRecord[] }
  /** One problem cleared, or the last of a group and with it every member paged. */
  | { type: 'resolved'; records: PageRecord[] };

export interface Outgoing {
  message: Message;
  topicUrn: string;
  /** Messages of one cause go in order: when SMN does not take one, the rest of its cause waits for the next tick. */
  cause: string;
  /** What the ledger records once SMN accepted the message. */
  change: PagesChange;
}

type Grouped = { kind: string; scope: string; topicUrn: string; group?: { cause?: string } };

/** Problems and ledger records of one cause share this key; undefined for those that page alone. */
export function causeKey(item: Grouped): string | undefined {
  return item.group ? JSON.stringify([item.kind, item.scope, item.topicUrn, item.group.cause ?? '']) : undefined;
}

interface Cause {
  due: Problem[];
  remind: boolean;
  /** Its members on-call was told of and not yet told cleared. */
  paged: PageRecord[];
}

/**
 * The messages of this tick, given the per-problem plan (ledger.ts planPages): causes grouped, then
 * the pages and RESOLVED messages of problems that stand alone. Pure: the pager publishes them in
 * order and records each change once SMN accepts it.
 *
 * A cause's life: the first page (alone, or grouped when several are due at once); databases that
 * join later in a `more` page; members that clear stay silent while others of their cause are open;
 * one RESOLVED once the last clears, naming all of them. Reminders go per cause, not per database.
 */
export function planMessages(plan: PagePlan, ledger: PageRecord[], problems: Problem[], now: number): Outgoing[] {
  const current = new Map(problems.map((p) => [p.id, p]));
  const earlier = new Map(ledger.map((r) => [r.id, r]));
  const forgotten = new Set(plan.forget);
  const resolvable = new Set(plan.resolve.map((r) => r.id));
  const sent = (p: Problem): PageRecord => {
    const before = earlier.get(p.id);
    const { group, ...record } = pageRecord(p, before?.since ?? p.since);
    // A record keeps the cause it was paged under (or none): on-call was told of it there.
    const kept = before?.sentAt !== undefined ? before.group : group;
    return { ...record, ...(kept ? { group: kept } : {}), sentAt: before?.sentAt ?? now, lastSentAt: now };
  };

  const causes = new Map<string, Cause>();
  const causeOf = (key: string) => causes.get(key) ?? causes.set(key, { due: [], remind: false, paged: [] }).get(key)!;
  const alone: { problem: Problem; reminder: boolean }[] = [];
  for (const send of plan.send) {
    // A problem already in the ledger stays where its record is: one paged before causes existed lives on alone.
    const key = causeKey(earlier.get(send.problem.id) ?? send.problem);
    if (key === undefined) alone.push(send);
    else if (send.reminder) causeOf(key).remind = true;
    else causeOf(key).due.push(send.problem);
  }
  for (const record of ledger) {
    const key = causeKey(record);
    if (key !== undefined && record.sentAt !== undefined && !forgotten.has(record.id)) causeOf(key).paged.push(record);
  }

  const out: Outgoing[] = [];
  for (const [key, { due, remind, paged }] of causes) {
    const topicUrn = (due[0] ?? paged[0])!.topicUrn;
    const push = (message: Message, change: PagesChange) => out.push({ message, topicUrn, cause: key, change });
    const live = paged.filter((r) => current.has(r.id));
    const cleared = paged.filter((r) => !current.has(r.id));
    // A scope the tick could not look at resolves nothing: its members stay open to on-call.
    const allCleared = live.length === 0 && cleared.length > 0 && cleared.every((r) => resolvable.has(r.id));
    if (allCleared) push({ type: 'resolved', records: cleared }, { put: [], remove: cleared.map((r) => r.id) });
    const openBefore = allCleared ? 0 : paged.length;
    const refreshed = remind ? live.map((r) => ({ ...r, lastSentAt: now })) : [];
    if (due.length > 0 && openBefore > 0) {
      // A reminder due now rides on this page (it counts the open ones) rather than following it.
      push({ type: 'group', stage: 'more', problems: due, openBefore, cleared: [] }, { put: [...due.map(sent), ...refreshed], remove: [] });
    } else if (due.length >= CAUSE_GROUP_FROM) {
      push({ type: 'group', stage: 'first', problems: due, openBefore: 0, cleared: [] }, { put: due.map(sent), remove: [] });
    } else if (due.length === 1) {
      push({ type: 'page', problems: due, reminder: false }, { put: due.map(sent), remove: [] });
    } else if (remind && paged.length === 1) {
      const problem = current.get(live[0]!.id)!;
      push({ type: 'page', problems: [problem], reminder: true }, { put: [sent(problem)], remove: [] });
    } else if (remind) {
      push({ type: 'group', stage: 'reminder', problems: live.map((r) => current.get(r.id)!), openBefore: 0, cleared }, { put: refreshed, remove: [] });
    }
  }

  const floods = new Map<string, Problem[]>();
  for (const { problem, reminder } of alone) {
    if (problem.oneShot && !reminder) {
      const key = JSON.stringify([problem.kind, problem.scope, problem.topicUrn]);
      floods.set(key, [...(floods.get(key) ?? []), problem]);
    } else out.push({ message: { type: 'page', problems: [problem], reminder }, topicUrn: problem.topicUrn, cause: `page:${problem.id}`, change: { put: [sent(problem)], remove: [] } });
  }
  for (const members of floods.values()) {
    const pages = members.length >= GROUP_FROM ? [members] : members.map((p) => [p]);
    for (const page of pages) out.push({ message: { type: 'page', problems: page, reminder: false }, topicUrn: page[0]!.topicUrn, cause: `page:${page[0]!.id}`, change: { put: page.map(sent), remove: [] } });
  }
  for (const record of plan.resolve.filter((r) => causeKey(r) === undefined)) {
    out.push({ message: { type: 'resolved', records: [record] }, topicUrn: record.topicUrn, cause: `resolved:${record.id}`, change: { put: [], remove: [record.id] } });
  }
  return out;
}
