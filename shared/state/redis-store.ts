import { randomUUID } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { DEFAULT_RETENTION_MS, PAGES_LOCK, LockLostError, parsePages, parseStoredChain, StoredConfig, type ChainChange, type ChainLock, type Location, type PagesChange, type StateStore, type StoreOptions } from './store';
import type { PageRecord } from '../alerts/ledger';
import { describeStoreError, StateStoreError, storeName, type StoreOperation } from './store-error';
import { parseChainId } from '../chains/chain-id';
import type { ChainState } from '../chains/state';
import type { InstanceSlots } from './instance-slots';
import { RedisInstanceSlots } from './redis-slots';

/**
 * Chain state in Redis. Every key of a source — its databases' chains and its two indexes — shares the
 * hash tag {<source>}, so the Lua script that saves a chain and its indexes together works on a DCS
 * cluster instance too (one slot per source; a source is one server's databases).
 *   <prefix>{<source>}/<database>:lock   a database's chain lock (SET NX PX, value = token)
 *   <prefix>{<source>}/<database>:meta   ChainMeta JSON
 *   <prefix>{<source>}/<database>:files  hash: object key → BackupFileRecord JSON
 *   <prefix>{<source>}:databases  set: the databases of a source that have a chain (chain-id.ts)
 *   <prefix>{<source>}:where      hash: object key → [database, eTag] of the chain that holds it
 *   <prefix>{_pages}:lock / :ledger   the pager's lock and its hash: problem id → PageRecord JSON
 *   <prefix>{slots:<instance>}   the restore slots of a target instance (redis-slots.ts)
 *   <prefix>{_config}:good   hash: document location → StoredConfig JSON (no expiry: the fallback must outlive quiet months)
 */

// KEYS: lock, meta, files, databases, where. ARGV: token, meta, retention, database, count of puts,
// then key/record/location triples, then removed keys. The chain and the source's indexes change together.
const SAVE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
redis.call('SADD', KEYS[4], ARGV[4])
redis.call('PEXPIRE', KEYS[4], ARGV[3])
local puts = tonumber(ARGV[5])
for i = 6, 5 + puts * 3, 3 do
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
  redis.call('HSET', KEYS[5], ARGV[i], ARGV[i + 2])
end
for i = 6 + puts * 3, #ARGV do
  redis.call('HDEL', KEYS[3], ARGV[i])
  -- A record leaving this chain takes its hint along only if the hint is still this chain's.
  local hint = redis.call('HGET', KEYS[5], ARGV[i])
  if hint and cjson.decode(hint)[1] == ARGV[4] then redis.call('HDEL', KEYS[5], ARGV[i]) end
end
if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('PEXPIRE', KEYS[3], ARGV[3]) end
if redis.call('EXISTS', KEYS[5]) == 1 then redis.call('PEXPIRE', KEYS[5], ARGV[3]) end
return 1`;

const FORGET = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SREM', KEYS[2], ARGV[2])
return 1`;

// The ledger has no expiry: a record leaves when its problem resolves or its scope is unconfigured,
// so an old one-shot page can never lapse and go out again.
const SAVE_PAGES = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local puts = tonumber(ARGV[2])
for i = 3, 2 + puts * 2, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
for i = 3 + puts * 2, #ARGV do redis.call('HDEL', KEYS[2], ARGV[i]) end
return 1`;

const UNLOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

type ScriptClient = (Redis | Cluster) & {
  rpSave(lock: string, meta: string, files: string, databases: string, where: string, token: string, metaJson: string, retentionMs: number, database: string, puts: number, ...args: string[]): Promise<number>;
  rpForget(lock: string, databases: string, token: string, database: string): Promise<number>;
  rpUnlock(lock: string, token: string): Promise<number>;
  rpSavePages(lock: string, ledger: string, token: string, puts: number, ...args: string[]): Promise<number>;
};

export interface RedisStoreOptions extends StoreOptions {
  /** Use the Redis Cluster protocol (DCS cluster instances). Proxy-cluster and single-node instances do not need it. */
  cluster?: boolean;
}

export class RedisStateStore implements StateStore {
  private readonly redis: ScriptClient;
  readonly slots: InstanceSlots;
  private readonly retentionMs: number;
  private readonly prefix: string;
  private readonly name: string;
  private readonly where: { host: string; port: string };
  /** The last reason the client gave for failing to (re)connect; cleared once it is connected. */
  private connectionError: unknown;

  constructor(url: string, options: RedisStoreOptions = {}) {
    this.name = storeName(url);
    const { hostname, port } = URL.canParse(url) ? new URL(url) : { hostname: '?', port: '' };
    this.where = { host: hostname, port: port || '6379' };
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.prefix = options.keyPrefix ?? 'restore-pilot:';
    const common = { maxRetriesPerRequest: 2, connectTimeout: 3_000, lazyConnect: false };
    let client: Redis | Cluster;
    if (options.cluster) {
      const parsed = new URL(url);
      client = new Cluster([{ host: parsed.hostname, port: Number(parsed.port || 6379) }], {
        redisOptions: { ...common, password: decodeURIComponent(parsed.password) || undefined, tls: parsed.protocol === 'rediss:' ? {} : undefined },
      });
    } else {
      client = new Redis(url, common);
    }
    client.defineCommand('rpSave', { numberOfKeys: 5, lua: SAVE });
    client.defineCommand('rpForget', { numberOfKeys: 2, lua: FORGET });
    client.defineCommand('rpUnlock', { numberOfKeys: 1, lua: UNLOCK });
    client.defineCommand('rpSavePages', { numberOfKeys: 2, lua: SAVE_PAGES });
    // Connection errors surface on the calls that need Redis (see call); without a listener ioredis would print them unredacted.
    client.on('error', (error: unknown) => {
      this.connectionError = error;
    });
    client.on('ready', () => {
      this.connectionError = undefined;
    });
    this.redis = client as ScriptClient;
    this.slots = new RedisInstanceSlots(client, this.prefix, (operation, run) => this.call(operation, run));
  }

  /** Runs one Redis call, turning the client's error into a StateStoreError that names the store, the operation and the cause. */
  private async call<T>(operation: StoreOperation, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const { kind, detail } = describeStoreError(error, this.connectionError, this.where);
      throw new StateStoreError(this.name, operation, kind, detail, { cause: error });
    }
  }

  /** A database's chain `<source>/<database>` is tagged by its source; other ids (`_pages`, a source) by themselves. */
  private key(chainId: string, part: 'lock' | 'meta' | 'files' | 'ledger' | 'databases' | 'where' | 'good'): string {
    const slash = chainId.indexOf('/');
    return slash < 0 ? `${this.prefix}{${chainId}}:${part}` : `${this.prefix}{${chainId.slice(0, slash)}}${chainId.slice(slash)}:${part}`;
  }

  async tryLock(chainId: string, ttlMs: number): Promise<ChainLock | undefined> {
    const token = randomUUID();
    const ok = await this.call('lock', () => this.redis.set(this.key(chainId, 'lock'), token, 'PX', ttlMs, 'NX'));
    return ok === 'OK' ? { chainId, token } : undefined;
  }

  async unlock(lock: ChainLock): Promise<void> {
    await this.call('unlock', () => this.redis.rpUnlock(this.key(lock.chainId, 'lock'), lock.token));
  }

  async load(chainId: string): Promise<ChainState> {
    const [meta, files] = await this.call('load', () => Promise.all([this.redis.get(this.key(chainId, 'meta')), this.redis.hvals(this.key(chainId, 'files'))]));
    return parseStoredChain(meta ? JSON.parse(meta) : undefined, files.map((f) => JSON.parse(f) as unknown));
  }

  async save(lock: ChainLock, change: ChainChange): Promise<void> {
    const { sourceId, database } = parseChainId(lock.chainId);
    const puts = change.files.flatMap((record) => [record.key, JSON.stringify(record), JSON.stringify([database, record.eTag])]);
    const keys = [this.key(lock.chainId, 'lock'), this.key(lock.chainId, 'meta'), this.key(lock.chainId, 'files'), this.key(sourceId, 'databases'), this.key(sourceId, 'where')] as const;
    const saved = await this.call('save', () => this.redis.rpSave(...keys, lock.token, JSON.stringify(change.meta), this.retentionMs, database, change.files.length, ...puts, ...(change.removed ?? [])));
    if (saved !== 1) throw new LockLostError(lock.chainId);
  }

  async listDatabases(sourceId: string): Promise<string[]> {
    return this.call('load', () => this.redis.smembers(this.key(sourceId, 'databases')));
  }

  async forgetDatabase(lock: ChainLock): Promise<void> {
    const { sourceId, database } = parseChainId(lock.chainId);
    const done = await this.call('save', () => this.redis.rpForget(this.key(lock.chainId, 'lock'), this.key(sourceId, 'databases'), lock.token, database));
    if (done !== 1) throw new LockLostError(lock.chainId);
  }

  async locate(sourceId: string, keys: string[]): Promise<Map<string, Location>> {
    const found = new Map<string, Location>();
    if (keys.length === 0) return found;
    const values = await this.call('load', () => this.redis.hmget(this.key(sourceId, 'where'), ...keys));
    values.forEach((value, i) => {
      if (value === null) return;
      const [database, eTag] = JSON.parse(value) as [string, string];
      found.set(keys[i]!, { database, eTag });
    });
    return found;
  }

  async loadPages(): Promise<PageRecord[]> {
    const records = await this.call('load pages', () => this.redis.hvals(this.key(PAGES_LOCK, 'ledger')));
    return parsePages(records.map((r) => JSON.parse(r) as unknown));
  }

  async savePages(lock: ChainLock, change: PagesChange): Promise<void> {
    const args = [...change.put.flatMap((record) => [record.id, JSON.stringify(record)]), ...change.remove];
    const saved = await this.call('save pages', () => this.redis.rpSavePages(this.key(lock.chainId, 'lock'), this.key(PAGES_LOCK, 'ledger'), lock.token, change.put.length, ...args));
    if (saved !== 1) throw new LockLostError(lock.chainId);
  }

  async loadConfig(location: string): Promise<StoredConfig | undefined> {
    const stored = await this.call('load config', () => this.redis.hget(this.key('_config', 'good'), location));
    return stored ? StoredConfig.parse(JSON.parse(stored)) : undefined;
  }

  async saveConfig(record: StoredConfig): Promise<void> {
    await this.call('save config', () => this.redis.hset(this.key('_config', 'good'), record.location, JSON.stringify(record)));
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
