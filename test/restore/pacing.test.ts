import { describe, expect, it } from 'vitest';
import { ConfigError, HuaweiApiError, InvalidRequestError } from '../../shared/huawei/errors';
import { DEFAULT_MAX_JOBS_PER_INSTANCE, describeQueued, isThrottle, maxJobsPerInstance, queuedFromBook } from '../../shared/restore/pacing';
import { acquire, emptyBook, FRESH_MS, settle, stillThrottled, throttled, PACE_CAP_MS, type SlotBook } from '../../shared/restore/slot-book';

const T = 1_800_000_000_000;
const http = (status: number, errorCode?: string, errorMsg?: string) => new HuaweiApiError({ operation: 'drs.createBackupMigrationJob', kind: 'http', status, errorCode, errorMsg });

describe('pacing: what counts as DRS asking us to slow down', () => {
  it('429, API Gateway throttling and a quota refusal pace; a bad request, a 5xx or a lost answer do not', () => {
    expect(isThrottle(http(429))).toBe(true);
    expect(isThrottle(http(400, 'APIG.0308', 'The throttling threshold has been reached'))).toBe(true);
    expect(isThrottle(http(403, 'DRS.10000001', 'The number of tasks exceeds the quota.'))).toBe(true);
    expect(isThrottle(http(400, 'DRS.10000001', 'Invalid parameter: base_info.name'))).toBe(false);
    expect(isThrottle(http(500, 'SYS.0500'))).toBe(false);
    expect(isThrottle(new HuaweiApiError({ operation: 'drs.createBackupMigrationJob', kind: 'timeout' }))).toBe(false);
    expect(isThrottle(new InvalidRequestError('drs.createBackupMigrationJob', 'base_info.name', 'too long'))).toBe(false);
  });

  it('MAX_JOBS_PER_INSTANCE: default 4, a bad value names the setting', () => {
    expect(maxJobsPerInstance({})).toBe(DEFAULT_MAX_JOBS_PER_INSTANCE);
    expect(maxJobsPerInstance({ MAX_JOBS_PER_INSTANCE: '' })).toBe(4);
    expect(maxJobsPerInstance({ MAX_JOBS_PER_INSTANCE: '12' })).toBe(12);
    for (const bad of ['0', '-1', '2.5', 'many', '101']) {
      expect(() => maxJobsPerInstance({ MAX_JOBS_PER_INSTANCE: bad })).toThrow(ConfigError);
      expect(() => maxJobsPerInstance({ MAX_JOBS_PER_INSTANCE: bad })).toThrow(/MAX_JOBS_PER_INSTANCE: must be a whole number from 1 to 100/);
    }
  });
});

describe('slot book rules (pure)', () => {
  const take = (book: SlotBook, holder: string, now: number, limit = 2) => acquire(book, holder, { limit, now });

  it('the oldest fresh waiter goes first; equal waits go by name', () => {
    let book = emptyBook();
    book = take(book, 'a/X', T).book;
    book = take(book, 'a/Y', T).book;
    book = take(book, 'b/OLD', T + 1).book;
    book = take(book, 'a/TIE2', T + 2).book;
    book = take(book, 'a/TIE1', T + 2).book;
    book = settle(book, ['a/X', 'a/Y', 'a/TIE1', 'a/TIE2'], [], ['a/TIE1', 'a/TIE2'], T + 3); // a/X and a/Y finished
    expect(take(book, 'a/TIE2', T + 4, 1).outcome).toMatchObject({ granted: false, busy: 0, ahead: 2 });
    expect(take(book, 'a/TIE1', T + 4, 1).outcome).toMatchObject({ granted: false, ahead: 1 });
    const first = take(book, 'b/OLD', T + 4, 1);
    expect(first.outcome).toMatchObject({ granted: true, waitedSince: T + 1 });
    expect(take(first.book, 'a/TIE1', T + 4, 2).outcome).toMatchObject({ granted: true, waitedSince: T + 2 });
  });

  it('a stale waiter does not block the queue, and keeps its place for when it asks again', () => {
    let book = take(emptyBook(), 'a/X', T, 1).book;
    book = take(book, 'b/SLEEPY', T, 1).book;
    book = settle(book, ['a/X'], [], [], T + FRESH_MS + 1);
    const taken = take(book, 'c/NEW', T + FRESH_MS + 1, 1);
    expect(taken.outcome).toMatchObject({ granted: true });
    book = take(taken.book, 'd/LATER', T + FRESH_MS + 2, 1).book;
    expect(take(book, 'b/SLEEPY', T + FRESH_MS + 3, 1).outcome).toMatchObject({ granted: false, since: T, ahead: 0 });
  });

  it('a throttle pause is over once nobody has been throttled for longer than the cap and a margin', () => {
    const book = throttled(emptyBook(), 'a/X', T, T, 'HTTP 429');
    expect(stillThrottled(book.pace, T + PACE_CAP_MS)).toBe(true);
    expect(stillThrottled(book.pace, T + PACE_CAP_MS + 3 * 60_000)).toBe(false);
  });

  it('the words: busy and paused', () => {
    let book = take(emptyBook(), 'a/X', T, 1).book;
    book = take(book, 'a/Y', T + 1_000, 1).book;
    book = take(book, 'a/Z', T + 2_000, 1).book;
    expect(describeQueued(queuedFromBook(book, 'a/Z', 1, T + 3_000)!, 'inst-1', T + 3_000)).toBe('queued: 1 of 1 restore slots on instance inst-1 busy; 1 ahead, waiting since 08:00:02Z');
    book = throttled(book, 'a/X', T, T + 4_000, 'HTTP 429');
    expect(describeQueued(queuedFromBook(book, 'a/Z', 1, T + 4_000)!, 'inst-1', T + 4_000)).toBe(
      'queued: DRS is throttling restores into instance inst-1; paused until 08:01:04Z (60 s); 0 of 1 restore slots on instance inst-1 busy; 2 ahead, waiting since 08:00:02Z',
    );
    expect(queuedFromBook(book, 'a/NOBODY', 1, T)).toBeUndefined();
  });
});
