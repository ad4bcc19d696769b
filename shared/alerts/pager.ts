import type { SmnClient } from '../huawei/smn';
import type { Logger } from '../log/logger';
import type { StateStore } from '../state/store';
import { planPages, type PageRecord } from './ledger';
import { pageMessage, resolvedMessage } from './page-text';
import type { Problem } from './problems';

/** The ledger's lock id: '_' keeps it apart from every chain id ([a-z0-9-]). */
export const PAGES_LOCK = '_pages';

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
 */
export async function syncPages(deps: PagerDeps, problems: Problem[], evaluated: ReadonlySet<string>): Promise<PageCounts> {
  const counts: PageCounts = { sent: 0, resolved: 0, suppressed: 0, failed: 0, skipped: false };
  const lock = await deps.store.tryLock(PAGES_LOCK, 60_000);
  if (!lock) return { ...counts, skipped: true };
  try {
    const ledger = await deps.store.loadPages();
    const plan = planPages(ledger, problems, evaluated, deps.now(), deps.reminderMs);
    counts.suppressed = plan.suppressed;
    const previous = new Map(ledger.map((r) => [r.id, r]));
    for (const { problem, reminder } of plan.send) {
      try {
        await deps.smn.publishMessage(problem.topicUrn, pageMessage(problem, reminder));
      } catch (error) {
        counts.failed += 1;
        deps.logger.error('page.failed', { problem: problem.id, kind: problem.kind, error, retry: 'next tick' });
        continue;
      }
      const now = deps.now();
      const record: PageRecord = {
        id: problem.id,
        kind: problem.kind,
        scope: problem.scope,
        topicUrn: problem.topicUrn,
        title: problem.title,
        since: previous.get(problem.id)?.since ?? problem.since,
        oneShot: problem.oneShot === true,
        sentAt: previous.get(problem.id)?.sentAt ?? now,
        lastSentAt: now,
      };
      await deps.store.savePages(lock, { put: [record], remove: [] });
      counts.sent += 1;
      deps.logger.info('page.sent', { problem: problem.id, kind: problem.kind, reminder });
    }
    for (const record of plan.resolve) {
      try {
        await deps.smn.publishMessage(record.topicUrn, resolvedMessage(record, deps.now()));
      } catch (error) {
        counts.failed += 1;
        deps.logger.error('page.resolved.failed', { problem: record.id, error, retry: 'next tick' });
        continue;
      }
      await deps.store.savePages(lock, { put: [], remove: [record.id] });
      counts.resolved += 1;
      deps.logger.info('page.resolved', { problem: record.id, kind: record.kind });
    }
    if (plan.forget.length > 0) await deps.store.savePages(lock, { put: [], remove: plan.forget });
    return counts;
  } finally {
    await deps.store.unlock(lock).catch(() => undefined);
  }
}
