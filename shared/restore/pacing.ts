import * as z from 'zod';
import { ConfigError, HuaweiApiError } from '../huawei/errors';
import type { Settings } from '../settings';
import { aheadOf, type AcquireOutcome, type SlotBook } from './slot-book';

/**
 * How many DRS restore jobs may be in flight (submitting or running) per target RDS instance.
 *
 * Huawei documents no limit on concurrent backup-migration jobs per RDS for SQL Server instance:
 * neither the DRS v5 backup-migration API pages (../shared/reference/) nor the DRS user guide and
 * API constraints we searched name one. They say only that "the number of DRS tasks that you can
 * create is determined by your quota" (DRS API reference, Constraints), without a figure. So 4 is
 * our choice, not Huawei's: every restore job is a full SQL Server RESTORE on the one instance
 * (disk and log I/O, and DRS requires free disk of 1.5× the backup), a migration of hundreds of
 * databases must not start hundreds at once, and four keeps a large estate moving (a slot frees
 * within a poller tick of its job finishing). Raise it when the instance has I/O to spare; lower it
 * if DRS keeps throttling (see the pacing below and the README).
 */
export const DEFAULT_MAX_JOBS_PER_INSTANCE = 4;
export const MaxJobsPerInstance = z.coerce.number().int().positive().max(100).default(DEFAULT_MAX_JOBS_PER_INSTANCE);

/** MAX_JOBS_PER_INSTANCE, for both functions and the CLI; a bad value is a ConfigError naming it. */
export function maxJobsPerInstance(settings: Settings): number {
  const raw = settings.MAX_JOBS_PER_INSTANCE;
  const parsed = MaxJobsPerInstance.safeParse(raw === '' ? undefined : raw);
  if (!parsed.success) throw new ConfigError('MAX_JOBS_PER_INSTANCE', `must be a whole number from 1 to 100 (got "${raw}")`);
  return parsed.data;
}

/**
 * API Gateway's throttling answer: Huawei's API FAQ "APIG.0308报错处理方法" (how to handle APIG.0308)
 * quotes it as error_code APIG.0308, error_msg "The throttling threshold has been reached: policy user
 * over ratelimit,limit:XX,time:1 second" (the local cloud answers APIGW.0308, its own spelling). DRS documents no error code for a task quota, so
 * a refusal whose message speaks of a quota is taken as one: treating it as a bad request would
 * fail the chain for a condition that passes.
 */
const THROTTLE_CODES = new Set(['APIG.0308', 'APIGW.0308']);

/** DRS asked us to slow down rather than refused the request: pace, do not fail the file. */
export function isThrottle(error: unknown): error is HuaweiApiError {
  if (!(error instanceof HuaweiApiError) || error.kind !== 'http') return false;
  if (error.status === 429 || THROTTLE_CODES.has(error.errorCode ?? '')) return true;
  return (error.status ?? 0) >= 400 && (error.status ?? 0) < 500 && /quota/i.test(error.errorMsg ?? '');
}

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19) + 'Z';
const span = (ms: number) => (ms >= 90_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`);

/** Why a database waits for DRS, in the words of status and the upload handler's outcome. */
export function describeQueued(outcome: Extract<AcquireOutcome, { granted: false }>, instance: string, now: number): string {
  const queue = `${outcome.busy} of ${outcome.limit} restore slots on instance ${instance} busy; ${outcome.ahead} ahead, waiting since ${clock(outcome.since)}`;
  if (outcome.reason === 'paused') return `queued: DRS is throttling restores into instance ${instance}; paused until ${clock(outcome.pausedUntil!)} (${span(outcome.pausedUntil! - now)}); ${queue}`;
  return `queued: ${queue}`;
}

/** The same words from a stored book, for a database found waiting in it (status reads, never asks). */
export function queuedFromBook(book: SlotBook, holder: string, limit: number, now: number): Extract<AcquireOutcome, { granted: false }> | undefined {
  const entry = book.queue[holder];
  if (!entry) return undefined;
  const common = { busy: Object.keys(book.leases).length, limit, ahead: aheadOf(book, holder, now), since: entry[0] };
  return book.pace && book.pace.pausedUntil > now ? { granted: false, reason: 'paused', pausedUntil: book.pace.pausedUntil, ...common } : { granted: false, reason: 'busy', ...common };
}

/** The slot holder of one database of a chain. */
export const holderOf = (chainId: string, database: string) => `${chainId}/${database}`;
