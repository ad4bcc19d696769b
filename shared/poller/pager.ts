import type { SmnClient } from '../huawei/smn';
import type { Logger } from '../log/logger';
import { PAGES_LOCK, type PagesChange, type StateStore } from '../state/store';
import { planPages, type Scopes } from '../alerts/ledger';
import { pageMessage, publishRequest, resolvedMessage, type PageText } from '../alerts/page-text';
import { planMessages, type Message } from '../alerts/page-groups';
import { causePageText, causeResolvedText, floodText } from '../alerts/group-text';
import type { Problem } from '../alerts/problems';
const LEDGER_LOCK_MS = 60_000;

export interface PagerDeps {
  store: StateStore;
  smn: SmnClient;
  logger: Logger;
  now: () => number;
  reminderMs?: number;
}

export interface PageCounts {
  sent: number;
  resolved: number;
  suppressed: number;
  failed: number;
  /** Another tick held the ledger: it pages; this one stays quiet. */
  skipped: boolean;
}

/**
 * Brings SMN in line with the problems: pages new ones, reminds if asked, sends 'resolved' for cleared
 * ones. Each accepted page is recorded at once; a page SMN did not accept stays due and goes out on a
 * later tick. Holding the ledger lock keeps two overlapping ticks from paging the same problem twice.
 * SMN has no idempotency key, so a page whose answer is lost (or whose record cannot be written) is
 * sent again: at least once, never silently dropped.
 */
export async function syncPages(deps: PagerDeps, problems: Problem[], scopes: Scopes): Promise<PageCounts> {
  const counts: PageCounts = { sent: 0, resolved: 0, suppressed: 0, failed: 0, skipped: false };
  const started = deps.now();
  const lock = await deps.store.tryLock(PAGES_LOCK, LEDGER_LOCK_MS);
  if (!lock) return { ...counts, skipped: true };
  // Publishing stops well before the lock could expire under us: what is left goes next tick.
  const inTime = () => deps.now() - started < LEDGER_LOCK_MS / 2;
  /** SMN accepted it: record that at once, so no later tick sends it again. */
  const record = async (change: PagesChange, what: string) => {
    try {
      await deps.store.savePages(lock, change);
    } catch (error) {
      deps.logger.error('page.record.failed', { problem: what, error, effect: 'may be sent again next tick' });
    }
  };
  try {
    const ledger = await deps.store.loadPages();
    const plan = planPages(ledger, problems, scopes, deps.now(), deps.reminderMs);
    counts.suppressed = plan.suppressed;
    if (plan.hold.length > 0 || plan.forget.length > 0) await record({ put: plan.hold, remove: plan.forget }, 'held and forgotten records');
    /** Causes with a message SMN did not take: their later messages wait, so none goes out of order. */
    const held = new Set<string>();
    for (const { message, topicUrn, cause, change } of planMessages(plan, ledger, problems, deps.now())) {
      if (!inTime()) break;
      if (held.has(cause)) continue;
      const { what, kind } = describe(message);
      try {
        await deps.smn.publishMessage(topicUrn, publishRequest(textOf(message, deps.now())));
      } catch (error) {
        counts.failed += 1;
        held.add(cause);
        deps.logger.error(message.type === 'resolved' ? 'page.resolved.failed' : 'page.failed', { problem: what, kind, error, retry: 'next tick' });
        continue;
      }
      await record(change, what);
      if (message.type === 'resolved') counts.resolved += 1;
      else counts.sent += 1;
      deps.logger.info(message.type === 'resolved' ? 'page.resolved' : 'page.sent', { problem: what, kind, ...(message.type === 'resolved' ? {} : { reminder: message.type === 'page' ? message.reminder : message.stage === 'reminder' }) });
    }
    return counts;
  } finally {
    await deps.store.unlock(lock).catch(() => undefined);
  }
}

function textOf(message: Message, now: number): PageText {
  if (message.type === 'group') return causePageText(message);
  if (message.type === 'resolved') return message.records.length > 1 ? causeResolvedText(message.records, now) : resolvedMessage(message.records[0]!, now);
  return message.problems.length > 1 ? floodText(message.problems) : pageMessage(message.problems[0]!, message.reminder);
}

/** The problem ids a message covers, shortened for the log line, and their kind. */
function describe(message: Message): { what: string; kind: string } {
  const items: { id: string; kind: string }[] = message.type === 'resolved' ? message.records : message.problems;
  const [first] = items as [{ id: string; kind: string }];
  return { what: items.length > 1 ? `${items.length} grouped: ${first.id}, …` : first.id, kind: first.kind };
}
