import type { Cluster, Redis } from 'ioredis';
import { DROP_MS, emptyBook, FRESH_MS, LEASE_MS, PACE_BASE_MS, PACE_CAP_MS, pruned, SlotBook, SlotPace, type AcquireOutcome, type SlotLimits } from '../restore/slot-book';
import type { InstanceSlots } from './instance-slots';

/**
 * The slot book of each instance is one JSON value at <prefix>{slots:<instance>}; every operation is
 * one Lua script, so concurrent invocations of both functions see and change it one at a time. The
 * scripts are shared/restore/slot-book.ts's rules, line for line, with its constants passed in.
 */

const PRELUDE = `
local function load(key)
  local raw = redis.call('GET', key)
  local book = raw and cjson.decode(raw) or {}
  book.leases = book.leases or {}
  book.queue = book.queue or {}
  return book
end
local function prune(book, now, drop)
  for h, t in pairs(book.leases) do if t <= now then book.leases[h] = nil end end
  for h, e in pairs(book.queue) do if e[2] <= now - drop then book.queue[h] = nil end end
end
local function store(key, book, ttl)
  if next(book.leases) == nil and next(book.queue) == nil and book.pace == nil then
    redis.call('DEL', key)
    return
  end
  -- cjson writes an empty table as {}: leases and queue stay objects.
  redis.call('SET', key, cjson.encode(book), 'PX', ttl)
end
local function count(t) local n = 0 for _ in pairs(t) do n = n + 1 end return n end
`;

// ARGV: holder, limit, now, lease, fresh, drop, ttl
const ACQUIRE = `${PRELUDE}
local holder, limit, now = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local lease, fresh, drop, ttl = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local book = load(KEYS[1])
prune(book, now, drop)
if book.leases[holder] then
  book.leases[holder] = now + lease
  store(KEYS[1], book, ttl)
  return cjson.encode({granted = true, holder = holder})
end
local mine = book.queue[holder]
local since = mine and mine[1] or now
book.queue[holder] = {since, now}
local busy, ahead = count(book.leases), 0
for h, e in pairs(book.queue) do
  if h ~= holder and e[2] > now - fresh and (e[1] < since or (e[1] == since and h < holder)) then ahead = ahead + 1 end
end
if book.pace and book.pace.pausedUntil > now then
  store(KEYS[1], book, ttl)
  return cjson.encode({granted = false, reason = 'paused', busy = busy, limit = limit, ahead = ahead, since = since, pausedUntil = book.pace.pausedUntil})
end
if busy + ahead >= limit then
  store(KEYS[1], book, ttl)
  return cjson.encode({granted = false, reason = 'busy', busy = busy, limit = limit, ahead = ahead, since = since})
end
book.queue[holder] = nil
book.leases[holder] = now + lease
store(KEYS[1], book, ttl)
if since < now then return cjson.encode({granted = true, holder = holder, waitedSince = since}) end
return cjson.encode({granted = true, holder = holder})`;

// ARGV: now, lease, drop, ttl, count of owned holders, count of in-flight holders, owned…, in-flight…, wanting…
const SETTLE = `${PRELUDE}
local now, lease, drop, ttl, owning, flying = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local owned, inflight, wanting = {}, {}, {}
for i = 7, 6 + owning do owned[ARGV[i]] = true end
for i = 7 + owning, 6 + owning + flying do inflight[ARGV[i]] = true end
for i = 7 + owning + flying, #ARGV do wanting[ARGV[i]] = true end
local book = load(KEYS[1])
prune(book, now, drop)
local function ours(h) return owned[h] == true end
for h in pairs(book.leases) do if ours(h) and not inflight[h] then book.leases[h] = nil end end
for h in pairs(book.queue) do if ours(h) and not wanting[h] then book.queue[h] = nil end end
for h in pairs(inflight) do
  book.leases[h] = now + lease
  book.queue[h] = nil
end
store(KEYS[1], book, ttl)
return 1`;

// ARGV: holder, since, now, drop, ttl, base, cap, error
const THROTTLED = `${PRELUDE}
local holder, since, now, drop, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local base, cap, err = tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8]
local book = load(KEYS[1])
prune(book, now, drop)
book.leases[holder] = nil
book.queue[holder] = {since, now}
local previous = book.pace
if previous and previous.pausedUntil > now then
  previous.last = now
  previous.error = err
else
  local backoff = base
  if previous then backoff = math.min(previous.backoffMs * 2, cap) end
  book.pace = {pausedUntil = now + backoff, backoffMs = backoff, since = previous and previous.since or now, last = now, error = err}
end
store(KEYS[1], book, ttl)
return cjson.encode(book.pace)`;

const ACCEPTED = `${PRELUDE}
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local book = load(KEYS[1])
if book.pace == nil then return 0 end
book.pace = nil
store(KEYS[1], book, tonumber(ARGV[1]))
return 1`;

/** Longer than any lease and than DROP_MS: an instance nobody restores into is forgotten. */
const BOOK_TTL_MS = 2 * DROP_MS;

type SlotScripts = (Redis | Cluster) & {
  rpSlotAcquire(key: string, ...args: (string | number)[]): Promise<string>;
  rpSlotSettle(key: string, ...args: (string | number)[]): Promise<number>;
  rpSlotThrottled(key: string, ...args: (string | number)[]): Promise<string>;
  rpSlotAccepted(key: string, ttl: number): Promise<number>;
};

export class RedisInstanceSlots implements InstanceSlots {
  private readonly redis: SlotScripts;

  /** `call` is the store's: it turns a client error into a StateStoreError naming the store and the operation. */
  constructor(
    client: Redis | Cluster,
    private readonly prefix: string,
    private readonly call: <T>(operation: 'slots', run: () => Promise<T>) => Promise<T>,
  ) {
    client.defineCommand('rpSlotAcquire', { numberOfKeys: 1, lua: ACQUIRE });
    client.defineCommand('rpSlotSettle', { numberOfKeys: 1, lua: SETTLE });
    client.defineCommand('rpSlotThrottled', { numberOfKeys: 1, lua: THROTTLED });
    client.defineCommand('rpSlotAccepted', { numberOfKeys: 1, lua: ACCEPTED });
    this.redis = client as SlotScripts;
  }

  private key(instance: string): string {
    return `${this.prefix}{slots:${instance}}`;
  }

  async acquire(instance: string, holder: string, { limit, now }: SlotLimits): Promise<AcquireOutcome> {
    const answer = await this.call('slots', () => this.redis.rpSlotAcquire(this.key(instance), holder, limit, now, LEASE_MS, FRESH_MS, DROP_MS, BOOK_TTL_MS));
    return JSON.parse(answer) as AcquireOutcome;
  }

  async settle(instance: string, owned: string[], inFlight: string[], wanting: string[], now: number): Promise<void> {
    await this.call('slots', () => this.redis.rpSlotSettle(this.key(instance), now, LEASE_MS, DROP_MS, BOOK_TTL_MS, owned.length, inFlight.length, ...owned, ...inFlight, ...wanting));
  }

  async throttled(instance: string, holder: string, since: number, now: number, error: string): Promise<SlotPace> {
    const answer = await this.call('slots', () => this.redis.rpSlotThrottled(this.key(instance), holder, since, now, DROP_MS, BOOK_TTL_MS, PACE_BASE_MS, PACE_CAP_MS, error));
    return SlotPace.parse(JSON.parse(answer));
  }

  async accepted(instance: string): Promise<void> {
    await this.call('slots', () => this.redis.rpSlotAccepted(this.key(instance), BOOK_TTL_MS));
  }

  async inspect(instance: string, now: number): Promise<SlotBook> {
    const raw = await this.call('slots', () => this.redis.get(this.key(instance)));
    return pruned(SlotBook.parse(raw ? JSON.parse(raw) : emptyBook()), now);
  }
}
