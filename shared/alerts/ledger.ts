import { z } from 'zod';
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
  /** When SMN accepted the first page; absent while the page still has to go out. */
  sentAt: z.number().optional(),
  lastSentAt: z.number().optional(),
});
export type PageRecord = z.infer<typeof PageRecord>;

export interface PagePlan {
  send: { problem: Problem; reminder: boolean }[];
  resolve: PageRecord[];
  /** Records to forget without a message: never paged, or one-shot events. */
  forget: string[];
  suppressed: number;
}

/**
 * Which pages go out this tick, given what was already paged. Only scopes in `evaluated` can
 * resolve: a chain the tick skipped (busy, erroring, out of time) keeps its open pages.
 */
export function planPages(ledger: PageRecord[], problems: Problem[], evaluated: ReadonlySet<string>, now: number, reminderMs: number | undefined): PagePlan {
  const byId = new Map(ledger.map((record) => [record.id, record]));
  const current = new Set(problems.map((p) => p.id));
  const plan: PagePlan = { send: [], resolve: [], forget: [], suppressed: 0 };
  for (const problem of problems) {
    const record = byId.get(problem.id);
    if (record?.sentAt === undefined) plan.send.push({ problem, reminder: false });
    else if (reminderMs !== undefined && !problem.oneShot && now - (record.lastSentAt ?? record.sentAt) >= reminderMs) plan.send.push({ problem, reminder: true });
    else plan.suppressed += 1;
  }
  for (const record of ledger) {
    if (current.has(record.id) || !evaluated.has(record.scope)) continue;
    if (record.sentAt !== undefined && !record.oneShot) plan.resolve.push(record);
    else plan.forget.push(record.id);
  }
  return plan;
}
