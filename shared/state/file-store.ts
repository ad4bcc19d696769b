import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_RETENTION_MS, LockLostError, parsePages, parseStoredChain, StoredConfig, type ChainChange, type ChainLock, type Location, type PagesChange, type StateStore, type StoreOptions } from './store';
import type { PageRecord } from '../alerts/ledger';
import { parseChainId } from '../chains/chain-id';
import type { ChainState } from '../chains/state';
import type { SlotBook } from '../restore/slot-book';
import { InProcessSlots, type InstanceSlots } from './instance-slots';

interface FileDocument {
  chains: Record<string, { meta: unknown; files: Record<string, unknown> }>;
  pages?: Record<string, unknown>;
  slots?: Record<string, SlotBook>;
  configs?: Record<string, unknown>;
}

/**
 * Chain state in one JSON file, for a local run in a single process. Locks live in memory (there is
 * only one process); every save rewrites the file through a temporary file and a rename, so a crash
 * leaves either the old or the new document, never half of one.
 */
export class FileStateStore implements StateStore {
  private readonly locks = new Map<string, { token: string; expiresAt: number }>();
  private readonly retentionMs: number;
  readonly slots: InstanceSlots = new InProcessSlots(
    (instance) => this.read().slots?.[instance],
    (instance, book) => {
      const doc = this.read();
      (doc.slots ??= {})[instance] = book;
      this.write(doc);
    },
  );

  constructor(
    private readonly path: string,
    options: StoreOptions = {},
  ) {
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    mkdirSync(dirname(path), { recursive: true });
  }

  private read(): FileDocument {
    let doc: FileDocument;
    try {
      doc = JSON.parse(readFileSync(this.path, 'utf8')) as FileDocument;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { chains: {} };
      throw new Error(`state file ${this.path} is unreadable: ${(error as Error).message}`);
    }
    const now = Date.now();
    for (const [id, chain] of Object.entries(doc.chains)) {
      const updatedAt = Number((chain.meta as { updatedAt?: number } | undefined)?.updatedAt ?? 0);
      if (updatedAt + this.retentionMs < now) delete doc.chains[id];
    }
    return doc;
  }

  async tryLock(chainId: string, ttlMs: number): Promise<ChainLock | undefined> {
    const held = this.locks.get(chainId);
    if (held && held.expiresAt > Date.now()) return undefined;
    const token = randomUUID();
    this.locks.set(chainId, { token, expiresAt: Date.now() + ttlMs });
    return { chainId, token };
  }

  async unlock(lock: ChainLock): Promise<void> {
    if (this.locks.get(lock.chainId)?.token === lock.token) this.locks.delete(lock.chainId);
  }

  async load(chainId: string): Promise<ChainState> {
    const chain = this.read().chains[chainId];
    return parseStoredChain(chain?.meta, Object.values(chain?.files ?? {}));
  }

  async listDatabases(sourceId: string): Promise<string[]> {
    return Object.keys(this.read().chains).flatMap((chainId) => {
      const { sourceId: source, database } = parseChainId(chainId);
      return source === sourceId && chainId.includes('/') ? [database] : [];
    });
  }

  async forgetDatabase(lock: ChainLock): Promise<void> {
    // The file store lists a source's databases from its chains: an expired chain is gone already.
    this.assertHeld(lock);
  }

  async locate(sourceId: string, keys: string[]): Promise<Map<string, Location>> {
    const wanted = new Set(keys);
    const found = new Map<string, Location>();
    for (const [chainId, chain] of Object.entries(this.read().chains)) {
      if (parseChainId(chainId).sourceId !== sourceId || !chainId.includes('/')) continue;
      for (const [key, record] of Object.entries(chain.files)) if (wanted.has(key)) found.set(key, { database: parseChainId(chainId).database, eTag: (record as { eTag: string }).eTag });
    }
    return found;
  }

  private assertHeld(lock: ChainLock): void {
    const held = this.locks.get(lock.chainId);
    if (!held || held.token !== lock.token || held.expiresAt <= Date.now()) throw new LockLostError(lock.chainId);
  }

  private write(doc: FileDocument): void {
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(doc));
    renameSync(temporary, this.path);
  }

  async save(lock: ChainLock, change: ChainChange): Promise<void> {
    this.assertHeld(lock);
    const doc = this.read();
    const chain = (doc.chains[lock.chainId] ??= { meta: {}, files: {} });
    chain.meta = { ...change.meta, updatedAt: Math.max(change.meta.updatedAt, Date.now()) };
    for (const record of change.files) chain.files[record.key] = record;
    for (const key of change.removed ?? []) delete chain.files[key];
    this.write(doc);
  }

  async loadPages(): Promise<PageRecord[]> {
    return parsePages(Object.values(this.read().pages ?? {}));
  }

  async savePages(lock: ChainLock, change: PagesChange): Promise<void> {
    this.assertHeld(lock);
    const doc = this.read();
    const pages = (doc.pages ??= {});
    for (const record of change.put) pages[record.id] = record;
    for (const id of change.remove) delete pages[id];
    this.write(doc);
  }

  async loadConfig(location: string): Promise<StoredConfig | undefined> {
    const stored = this.read().configs?.[location];
    return stored === undefined ? undefined : StoredConfig.parse(stored);
  }

  async saveConfig(record: StoredConfig): Promise<void> {
    const doc = this.read();
    (doc.configs ??= {})[record.location] = record;
    this.write(doc);
  }

  async close(): Promise<void> {
    this.locks.clear();
  }
}
