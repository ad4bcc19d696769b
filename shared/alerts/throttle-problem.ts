import { FRESH_MS, stillThrottled, type SlotBook } from '../restore/slot-book';
import { titleOf, type Problem } from './problems';

/**
 * A throttled create is paced, not paged (shared/restore/pacing.ts): DRS answering 429 for a few
 * minutes is the pace working. An hour of it means restores into the instance have all but stopped.
 */
export const THROTTLE_PAGE_AFTER_MS = 60 * 60_000;

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** DRS keeps refusing new restore jobs into `instance`: one page once it has lasted an hour, resolved when DRS accepts one. */
export function throttleProblem(instance: string, book: SlotBook, now: number, topicUrn: string): Problem | undefined {
  const { pace } = book;
  if (!stillThrottled(pace, now)) return undefined;
  const scope = `instance ${instance}`;
  const waiting = Object.values(book.queue).filter(([, seen]) => seen > now - FRESH_MS).length;
  return {
    id: `drs-throttled:${instance}:${pace.since}`,
    kind: 'drs-throttled',
    scope,
    topicUrn,
    since: pace.since,
    title: titleOf('drs-throttled', scope),
    details: [
      `What happened: DRS has refused new restore jobs into RDS instance ${instance} as throttled or over quota since ${iso(pace.since)}; restore-pilot keeps every file waiting and tries again after a pause that grows to ${Math.round(pace.backoffMs / 60_000)} minutes. Nothing failed, but restores into this instance have stalled.`,
      `Last answer from DRS (${iso(pace.last)}): ${pace.error.slice(0, 500)}`,
      `Databases waiting for this instance: ${waiting}; restore jobs in flight there: ${Object.keys(book.leases).length}.`,
    ],
    nextStep:
      "Check the DRS task quota in the console (My Quotas) and delete finished backup-migration tasks you no longer need, or ask Huawei to raise the quota; if DRS throttles at this pace, lower MAX_JOBS_PER_INSTANCE. Nothing to retry by hand: the files go as soon as DRS accepts a job, and 'resolved' follows.",
    graceMs: THROTTLE_PAGE_AFTER_MS,
  };
}
