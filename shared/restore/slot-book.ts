import * as z from 'zod';

/**
 * The restore slots of one target RDS instance, as plain data: who holds a slot (a DRS job in flight,
 * submitting or running), who waits for one and since when, and whether DRS asked us to slow down.
 * Every rule is a pure function here; the Redis store runs the same rules in Lua (one script per
 * operation, atomic across every invocation of both functions) and the file store runs these.
 * test/state/instance-slots-contract.test.ts holds both to the same behaviour.
 *
 * A holder is one database of one chain (`<chain>/<database>`): a database has at most one file in
 * flight, so it needs at most one slot.
 */

export const SlotPace = z.object({
  /** No new job starts on the instance before this time. */
  pausedUntil: z.number(),
  /** The current pause; doubles with each throttled create after a pause ended, up to PACE_CAP_MS. */
  backoffMs: z.number(),
  /** The first throttled create since the last one DRS accepted: how long DRS has been refusing. */
  since: z.number(),
  /** The latest throttled create. */
  last: z.number(),
  /** What DRS answered last (an API error message: redacted, no secret). */
  error: z.string(),
});
export type SlotPace = z.infer<typeof SlotPace>;

export const SlotBook = z.object({
  /** holder → when its lease lapses unless renewed. */
  leases: z.record(z.string(), z.number()),
  /** holder → [since it waits for a slot, when it last asked]. */
  queue: z.record(z.string(), z.tuple([z.number(), z.number()])),
  pace: SlotPace.optional(),
});
export type SlotBook = z.infer<typeof SlotBook>;

export const emptyBook = (): SlotBook => ({ leases: {}, queue: {} });

/**
 * A slot is renewed each time its chain steps (every poller tick, every upload): a lease that lapses
 * belongs to an invocation that died between taking the slot and recording its submission. Thirty
 * ticks of margin, so a poller that misses a few never frees a slot whose job still runs.
 */
export const LEASE_MS = 30 * 60_000;
/**
 * A waiter counts as "ahead" only while it keeps asking (each tick asks again): a database whose chain
 * is gone, or that stopped wanting a slot, cannot hold the queue for more than three ticks.
 */
export const FRESH_MS = 3 * 60_000;
/** A waiter silent this long leaves the queue (and its place in it). */
export const DROP_MS = 24 * 60 * 60_000;
/** The first pause after DRS throttles a create, doubled after each further one, up to the cap. */
export const PACE_BASE_MS = 60_000;
export const PACE_CAP_MS = 16 * 60_000;

export interface SlotLimits {
  limit: number;
  now: number;
}

export type AcquireOutcome =
  | { granted: true; holder: string; waitedSince?: number }
  | { granted: false; reason: 'busy' | 'paused'; busy: number; limit: number; ahead: number; since: number; pausedUntil?: number };

/** Drops lapsed leases and waiters silent for DROP_MS. */
export function pruned(book: SlotBook, now: number): SlotBook {
  const leases = Object.fromEntries(Object.entries(book.leases).filter(([, until]) => until > now));
  const queue = Object.fromEntries(Object.entries(book.queue).filter(([, [, seen]]) => seen > now - DROP_MS));
  return { leases, queue, ...(book.pace ? { pace: book.pace } : {}) };
}

/** Fresh waiters that go before `holder`: waiting longer, or as long and first by name. */
export function aheadOf(book: SlotBook, holder: string, now: number): number {
  const mine = book.queue[holder];
  if (!mine) return Object.values(book.queue).filter(([, seen]) => seen > now - FRESH_MS).length;
  const [since] = mine;
  return Object.entries(book.queue).filter(([other, [s, seen]]) => other !== holder && seen > now - FRESH_MS && (s < since || (s === since && other < holder))).length;
}

/**
 * Asks for a slot for `holder`. A holder that already has one keeps it (renewed). Otherwise it joins
 * the queue (keeping its place if already there) and gets a slot only when fewer than `limit` are held
 * counting the fresh waiters ahead of it: the oldest waiting database goes first, whichever chain or
 * function asks first. While DRS has the instance paused nobody gets a new slot.
 */
export function acquire(book: SlotBook, holder: string, { limit, now }: SlotLimits): { book: SlotBook; outcome: AcquireOutcome } {
  const next = pruned(book, now);
  if (next.leases[holder] !== undefined) {
    next.leases[holder] = now + LEASE_MS;
    return { book: next, outcome: { granted: true, holder } };
  }
  const since = next.queue[holder]?.[0] ?? now;
  next.queue[holder] = [since, now];
  const busy = Object.keys(next.leases).length;
  const ahead = aheadOf(next, holder, now);
  if (next.pace && next.pace.pausedUntil > now) return { book: next, outcome: { granted: false, reason: 'paused', busy, limit, ahead, since, pausedUntil: next.pace.pausedUntil } };
  if (busy + ahead >= limit) return { book: next, outcome: { granted: false, reason: 'busy', busy, limit, ahead, since } };
  delete next.queue[holder];
  next.leases[holder] = now + LEASE_MS;
  return { book: next, outcome: { granted: true, holder, ...(since < now ? { waitedSince: since } : {}) } };
}

/**
 * Brings one chain step's slots in line with its state, under the chain's lock (`owned`: the holders
 * of the step's databases, by name: a database name may contain anything): its databases with a file
 * in flight hold a slot (renewed; taken back even over the limit, since the job runs whatever we
 * count), every other of its leases is released — the job finished, as tracking saw it — and its
 * waiters that no longer want a slot leave the queue.
 */
export function settle(book: SlotBook, owned: string[], inFlight: string[], wanting: string[], now: number): SlotBook {
  const next = pruned(book, now);
  const mine = new Set(owned);
  const ours = (holder: string) => mine.has(holder);
  const flying = new Set(inFlight);
  const wants = new Set(wanting);
  for (const holder of Object.keys(next.leases)) if (ours(holder) && !flying.has(holder)) delete next.leases[holder];
  for (const holder of Object.keys(next.queue)) if (ours(holder) && !wants.has(holder)) delete next.queue[holder];
  for (const holder of inFlight) {
    next.leases[holder] = now + LEASE_MS;
    delete next.queue[holder];
  }
  return next;
}

/**
 * DRS throttled a create (429, or a quota it refuses to exceed): the slot goes back, the holder waits
 * again in its old place, and the instance pauses. The pause doubles only when DRS throttles a create
 * sent after the previous pause ended: creates sent together are one signal, not several.
 */
export function throttled(book: SlotBook, holder: string, since: number, now: number, error: string): SlotBook {
  const next = pruned(book, now);
  delete next.leases[holder];
  next.queue[holder] = [since, now];
  const previous = next.pace;
  if (previous && previous.pausedUntil > now) {
    next.pace = { ...previous, last: now, error };
    return next;
  }
  const backoffMs = previous ? Math.min(previous.backoffMs * 2, PACE_CAP_MS) : PACE_BASE_MS;
  next.pace = { pausedUntil: now + backoffMs, backoffMs, since: previous?.since ?? now, last: now, error };
  return next;
}

/** DRS accepted a create: the pace is back to normal. */
export function accepted(book: SlotBook): SlotBook {
  const { pace: _, ...rest } = book;
  return rest;
}

/** DRS has throttled recently enough that it is still going on (not a stale record nobody retried since). */
export function stillThrottled(pace: SlotPace | undefined, now: number): pace is SlotPace {
  return pace !== undefined && now - pace.last <= PACE_CAP_MS + 2 * 60_000;
}
