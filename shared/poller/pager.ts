import type { SmnClient } from '../huawei/smn';
import type { Logger } from '../log/logger';
import { PAGES_LOCK, type PagesChange, type StateStore } from '../state/store';
import { pageRecord, planPages, type Scopes } from '../alerts/ledger';
import { pageMessage, publishRequest, resolvedMessage } from '../alerts/page-text';
import { groupDue, groupMessage } from '../alerts/page-groups';
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
    const previous = new Map(ledger.map((r) => [r.id, r]));
    if (plan.hold.length > 0 || plan.forget.length > 0) await record({ put: plan.hold, remove: plan.forget }, 'held and forgotten records');
    for (const { problems: group, reminder } of groupDue(plan.send)) {
      if (!inTime()) break;
      const [problem] = group as [Problem];
      const ids = group.map((p) => p.id);
      try {
        await deps.smn.publishMessage(problem.topicUrn, publishRequest(group.length > 1 ? groupMessage(group) : pageMessage(problem, reminder)));
      } catch (error) {
        counts.failed += 1;
        deps.logger.error('page.failed', { problem: ids.join(','), kind: problem.kind, error, retry: 'next tick' });
        continue;
      }
      const now = deps.now();
      const put = group.map((p) => {
        const earlier = previous.get(p.id);
        return { ...pageRecord(p, earlier?.since ?? p.since), sentAt: earlier?.sentAt ?? now, lastSentAt: now };
      });
      await record({ put, remove: [] }, ids.join(','));
      counts.sent += 1;
      deps.logger.info('page.sent', { problem: ids.length > 1 ? `${ids.length} grouped: ${ids[0]}, …` : ids[0], kind: problem.kind, reminder });
    }
    for (const cleared of plan.resolve) {
      if (!inTime()) break;
      try {
        await deps.smn.publishMessage(cleared.topicUrn, publishRequest(resolvedMessage(cleared, deps.now())));
      } catch (error) {
        counts.failed += 1;
        deps.logger.error('page.resolved.failed', { problem: cleared.id, error, retry: 'next tick' });
        continue;
      }
      await record({ put: [], remove: [cleared.id] }, cleared.id);
      counts.resolved += 1;
      deps.logger.info('page.resolved', { problem: cleared.id, kind: cleared.kind });
    }
    return counts;
  } finally {
    await deps.store.unlock(lock).catch(() => undefined);
  }
}
