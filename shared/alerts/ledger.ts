import * as z from 'zod';
import type { Problem } from './problems';

/** What was paged for a problem: the pager's memory, so each problem pages once and resolves once. */
export const PageRecord = z.object({
  id: z.string(),
  kind: z.string(),
  /** Chain id or watched task/instance id: a tick that could not look at a scope leaves its pages alone. */
  scope: z.string(),
  topicUrn: z.string(),
  title: z.string(),
  since: z.number(),
  oneShot: z.boolean(),
  /**
   * The database and cause of a problem that pages with others of its cause (page-groups.ts). A
   * member that clears stays here until its whole group has cleared, so the group's RESOLVED can name it.
   */
  group: z.object({ database: z.string(), cause: z.string().optional() }).optional(),
  /** When SMN accepted the first page; absent while the page still has to go out. */
  sentAt: z.number().optional(),
  lastSentAt: z.number().optional(),
});
export type PageRecord = z.infer<typeof PageRecord>;

export interface PagePlan {
  send: { problem: Problem; reminder: boolean }[];
  /** Problems to remember, not page yet: still within their grace period. */
  hold: PageRecord[];
  resolve: PageRecord[];
  /** Records to forget without a message: never paged, or one-shot events. */
  forget: string[];
  suppressed: number;
}

export interface Scopes {
  /** Looked at this tick: only these can resolve. A skipped chain keeps its open pages. */
  evaluated: ReadonlySet<string>;
  /** Still configured: records of anything else are forgotten. */
  configured: ReadonlySet<string>;
}

export function pageRecord(problem: Problem, since: number): PageRecord {
  const group = problem.group && { database: problem.group.database, ...(problem.group.cause === undefined ? {} : { cause: problem.group.cause }) };
  return { id: problem.id, kind: problem.kind, scope: problem.scope, topicUrn: problem.topicUrn, title: problem.title, since, oneShot: problem.oneShot === true, ...(group ? { group } : {}) };
}

/** Which pages go out this tick, given what was already paged. Plain data in, plain data out. */
export function planPages(ledger: PageRecord[], problems: Problem[], scopes: Scopes, now: number, reminderMs: number | undefined): PagePlan {
  const byId = new Map(ledger.map((record) => [record.id, record]));
  const current = new Set(problems.map((p) => p.id));
  const plan: PagePlan = { send: [], hold: [], resolve: [], forget: [], suppressed: 0 };
  for (const problem of problems) {
    const record = byId.get(problem.id);
    const firstSeen = record?.since ?? problem.since;
    if (record?.sentAt === undefined && problem.graceMs && now - firstSeen < problem.graceMs) {
      if (!record) plan.hold.push(pageRecord(problem, firstSeen));
      plan.suppressed += 1;
    } else if (record?.sentAt === undefined) plan.send.push({ problem, reminder: false });
    else if (reminderMs !== undefined && !problem.oneShot && now - (record.lastSentAt ?? record.sentAt) >= reminderMs) plan.send.push({ problem, reminder: true });
    else plan.suppressed += 1;
  }
  for (const record of ledger) {
    if (!scopes.configured.has(record.scope)) {
      plan.forget.push(record.id);
      continue;
    }
    if (current.has(record.id) || !scopes.evaluated.has(record.scope)) continue;
    if (record.sentAt !== undefined && !record.oneShot) plan.resolve.push(record);
    else plan.forget.push(record.id);
  }
  return plan;
}
