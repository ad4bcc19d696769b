import * as z from 'zod';
import { PageRecord } from '../alerts/ledger';
import { BackupFileRecord, ChainMeta, type ChainState } from '../chains/state';
import type { InstanceSlots } from './instance-slots';

/** The page ledger's lock id: '_' keeps it apart from every chain id ([a-z0-9-]). */
export const PAGES_LOCK = '_pages';

/** Proof of holding a chain's lock; writes are fenced on it. */
export interface ChainLock {
  chainId: string;
  token: string;
}

export interface ChainChange {
  meta: ChainMeta;
  /** Only the records that changed. */
  files: BackupFileRecord[];
  /** Keys of records that left the state (shared/chains/prune.ts). */
  removed?: string[];
}

/**
 * Where chain state lives: Redis (Huawei DCS) in production, a JSON file for a local run.
 * Both pass test/state/store-contract.test.ts.
 */
export interface StateStore {
  /** Takes the chain's lock for ttlMs, or undefined if someone else holds it. The lock expires on its own. */
  tryLock(chainId: string, ttlMs: number): Promise<ChainLock | undefined>;
  unlock(lock: ChainLock): Promise<void>;
  load(chainId: string): Promise<ChainState>;
  /** The databases of a source that have a chain (chain-id.ts): every chain saved under `<sourceId>/`. */
  listDatabases(sourceId: string): Promise<string[]>;
  /**
   * Where these object keys are recorded: the database whose chain holds each, and the version (eTag).
   * Kept by every save (pruned records leave it too), it lets a redelivery or a reconcile walk skip a
   * header read; whoever acts on it checks the chain itself under its lock.
   */
  locate(sourceId: string, keys: string[]): Promise<Map<string, Location>>;
  /**
   * Takes a database whose chain expired (retention) off its source's list, only while `lock` is
   * still held (else LockLostError): a first save of the database, which lists it, cannot come between.
   */
  forgetDatabase(lock: ChainLock): Promise<void>;
  /** Atomic, and only while `lock` is still held (else LockLostError). Renews the chain's retention. */
  save(lock: ChainLock, change: ChainChange): Promise<void>;
  /** The page ledger: what was paged for each open problem. */
  loadPages(): Promise<PageRecord[]>;
  /** Atomic, fenced on `lock` (taken with the pager's lock id) like save. */
  savePages(lock: ChainLock, change: PagesChange): Promise<void>;
  /** Restore slots per target instance, shared by every chain (shared/state/instance-slots.ts). */
  readonly slots: InstanceSlots;
  /** The last configuration document that validated, by its location (obs://bucket/key); kept without expiry. */
  loadConfig(location: string): Promise<StoredConfig | undefined>;
  saveConfig(record: StoredConfig): Promise<void>;
  close(): Promise<void>;
}

/**
 * A configuration document that validated, as read: a cold start that finds a broken version runs on
 * it. Any instance may write it; each version written validated, so the worst a race does is keep an
 * older good one, which the next revalidation replaces.
 */
export const StoredConfig = z.object({ location: z.string(), eTag: z.string(), text: z.string(), savedAt: z.number() });
export type StoredConfig = z.infer<typeof StoredConfig>;

export interface Location {
  database: string;
  eTag: string;
}

export interface PagesChange {
  put: PageRecord[];
  remove: string[];
}

export function parsePages(records: unknown[]): PageRecord[] {
  return records.map((record) => PageRecord.parse(record));
}

export class LockLostError extends Error {
  override readonly name = 'LockLostError';
  constructor(readonly chainId: string) {
    super(`lost the lock on chain ${chainId} before saving (it expired and another invocation took it); nothing was written`);
  }
}

export class ChainBusyError extends Error {
  override readonly name = 'ChainBusyError';
  constructor(readonly chainId: string, waitedMs: number) {
    super(`chain ${chainId} stayed locked by another invocation for ${waitedMs} ms`);
  }
}

export interface StoreOptions {
  /** How long an untouched chain is kept. */
  retentionMs?: number;
  /** Prepended to every key (Redis) — lets tests and environments share one server. */
  keyPrefix?: string;
}

export const DEFAULT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

export function parseStoredChain(meta: unknown, files: unknown[]): ChainState {
  const state: ChainState = { meta: ChainMeta.parse(meta ?? {}), files: {} };
  for (const file of files) {
    const record = BackupFileRecord.parse(file);
    state.files[record.key] = record;
  }
  return state;
}

export interface LockWaitOptions {
  ttlMs: number;
  waitMs: number;
  /** The clock and the wait between tries; tests pass their own so they need not wait in real time. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Runs `work` holding the chain's lock, and always lets go of it. */
export async function withChainLock<T>(store: StateStore, chainId: string, options: LockWaitOptions, work: (lock: ChainLock) => Promise<T>): Promise<T> {
  const lock = await acquireChainLock(store, chainId, options);
  try {
    return await work(lock);
  } finally {
    await store.unlock(lock).catch(() => undefined);
  }
}

/** Takes the chain's lock, polling with a short jittered backoff for up to waitMs. */
export async function acquireChainLock(store: StateStore, chainId: string, options: LockWaitOptions): Promise<ChainLock> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const started = now();
  for (let attempt = 0; ; attempt++) {
    const lock = await store.tryLock(chainId, options.ttlMs);
    if (lock) return lock;
    const waited = now() - started;
    if (waited >= options.waitMs) throw new ChainBusyError(chainId, waited);
    await sleep(Math.min(options.waitMs - waited, 10 + Math.random() * Math.min(200, 10 * 2 ** attempt)));
  }
}
