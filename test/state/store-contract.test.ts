import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { BackupFileRecord } from '../../shared/chains/state';
import { FileStateStore } from '../../shared/state/file-store';
import { openStateStore } from '../../shared/state/open';
import { RedisStateStore } from '../../shared/state/redis-store';
import { testPrefix, testRedisUrl } from '../support/redis';
import { LockLostError, acquireChainLock, ChainBusyError, type StateStore, type StoreOptions } from '../../shared/state/store';

const REDIS_URL = testRedisUrl();
const opened: StateStore[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

const factories: Record<string, (options?: StoreOptions) => StateStore> = {
  redis: (options) => new RedisStateStore(REDIS_URL, { keyPrefix: testPrefix(), ...options }),
  file: (options) => new FileStateStore(join(mkdtempSync(join(tmpdir(), 'rp-state-')), 'state.json'), options),
};

const record = (key: string, overrides: Partial<BackupFileRecord> = {}): BackupFileRecord => ({
  key,
  eTag: 'e1',
  final: false,
  status: 'waiting',
  attempt: 1,
  jobName: 'rp-c-0123456789abcdef',
  uploadedAt: 1,
  ...overrides,
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const [kind, make] of Object.entries(factories)) {
  const open = (options?: StoreOptions) => {
    const store = make(options);
    opened.push(store);
    return store;
  };

  describe(`${kind} state store contract`, () => {
    it('an unknown chain loads empty', async () => {
      expect(await open().load('nobody')).toEqual({ meta: { notices: [], updatedAt: 0 }, files: {} });
    });

    it('saves changed records and meta under the lock, and loads them back', async () => {
      const store = open();
      const lock = (await store.tryLock('erp', 5_000))!;
      await store.save(lock, { meta: { notices: [], updatedAt: 5, cutoverRequestedAt: 4 }, files: [record('erp/a.bak'), record('erp/b.bak')] });
      await store.save(lock, { meta: { notices: [{ kind: 'late-file', key: 'erp/x', at: 6, detail: 'd' }], updatedAt: 6 }, files: [record('erp/a.bak', { status: 'running', jobId: 'j1' })] });
      const state = await store.load('erp');
      expect(Object.keys(state.files).sort()).toEqual(['erp/a.bak', 'erp/b.bak']);
      expect(state.files['erp/a.bak']).toMatchObject({ status: 'running', jobId: 'j1' });
      expect(state.meta.notices).toHaveLength(1);
      expect(state.meta.cutoverRequestedAt).toBeUndefined();
    });

    it('lists the databases of a source that have a chain', async () => {
      const store = open();
      for (const id of ['erp-prod/ERP', 'erp-prod/CRM db', 'erp-prod/', 'erp-production/X']) {
        const lock = (await store.tryLock(id, 5_000))!;
        await store.save(lock, { meta: { notices: [], updatedAt: 5 }, files: [] });
      }
      expect((await store.listDatabases('erp-prod')).sort()).toEqual(['', 'CRM db', 'ERP']);
      expect(await store.listDatabases('nobody')).toEqual([]);
    });

    it('forgets a database whose chain expired, holding its lock', async () => {
      const store = open({ retentionMs: 50 });
      const lock = (await store.tryLock('erp-prod/ERP', 5_000))!;
      await store.save(lock, { meta: { notices: [], updatedAt: Date.now() }, files: [record('erp/a.bak')] });
      expect(await store.listDatabases('erp-prod')).toEqual(['ERP']);
      await sleep(80);
      const crm = (await store.tryLock('erp-prod/CRM', 5_000))!;
      await store.save(crm, { meta: { notices: [], updatedAt: Date.now() }, files: [record('erp/c.bak')] }); // the source lives on
      expect((await store.load('erp-prod/ERP')).files).toEqual({});
      await store.forgetDatabase(lock);
      expect(await store.listDatabases('erp-prod')).toEqual(['CRM']);
      await store.unlock(crm);
      await expect(store.forgetDatabase(crm)).rejects.toBeInstanceOf(LockLostError); // only while the lock is held
      expect(await store.listDatabases('erp-prod')).toEqual(['CRM']);
    });

    it('knows which database of a source holds an object key and which version, and forgets it when the record leaves', async () => {
      const store = open();
      const lock = (await store.tryLock('erp-prod/ERP', 5_000))!;
      await store.save(lock, { meta: { notices: [], updatedAt: 5 }, files: [record('erp/a.bak'), record('erp/b.bak')] });
      expect(await store.locate('erp-prod', ['erp/a.bak', 'erp/none.bak'])).toEqual(new Map([['erp/a.bak', { database: 'ERP', eTag: 'e1' }]]));
      expect(await store.locate('other', ['erp/a.bak'])).toEqual(new Map());
      await store.save(lock, { meta: { notices: [], updatedAt: 6 }, files: [record('erp/b.bak', { eTag: 'e2' })], removed: ['erp/a.bak'] });
      expect(await store.locate('erp-prod', ['erp/a.bak', 'erp/b.bak'])).toEqual(new Map([['erp/b.bak', { database: 'ERP', eTag: 'e2' }]]));
    });

    it('a save deletes the records it names as removed, and only those', async () => {
      const store = open();
      const lock = (await store.tryLock('erp', 5_000))!;
      await store.save(lock, { meta: { notices: [], updatedAt: 5 }, files: [record('erp/a.bak'), record('erp/b.bak'), record('erp/c.bak')] });
      await store.save(lock, { meta: { notices: [], updatedAt: 6 }, files: [record('erp/d.bak')], removed: ['erp/a.bak', 'erp/c.bak'] });
      expect(Object.keys((await store.load('erp')).files).sort()).toEqual(['erp/b.bak', 'erp/d.bak']);
    });

    it('one lock holder at a time, even when 20 ask at once', async () => {
      const store = open();
      const locks = await Promise.all(Array.from({ length: 20 }, () => store.tryLock('busy', 5_000)));
      expect(locks.filter(Boolean)).toHaveLength(1);
      await store.unlock(locks.find(Boolean)!);
      expect(await store.tryLock('busy', 5_000)).toBeDefined();
    });

    it('a lock expires, so a dead holder cannot block its chain; its late save is refused and writes nothing', async () => {
      const store = open();
      const dead = (await store.tryLock('expiring', 50))!;
      expect(await store.tryLock('expiring', 50)).toBeUndefined();
      await sleep(80); // the TTL runs in Redis's own clock: this wait is real, so kept short
      const next = (await store.tryLock('expiring', 5_000))!;
      expect(next).toBeDefined();
      await expect(store.save(dead, { meta: { notices: [], updatedAt: 1 }, files: [record('k')] })).rejects.toBeInstanceOf(LockLostError);
      expect((await store.load('expiring')).files).toEqual({});
      await store.unlock(dead); // a stale unlock must not free the new holder's lock
      expect(await store.tryLock('expiring', 5_000)).toBeUndefined();
    });

    it('acquireChainLock waits for the holder, then gives up with ChainBusyError', async () => {
      const store = open();
      const held = (await store.tryLock('queue', 5_000))!;
      setTimeout(() => void store.unlock(held), 50);
      await expect(acquireChainLock(store, 'queue', { ttlMs: 5_000, waitMs: 2_000 })).resolves.toBeDefined();
      await expect(acquireChainLock(store, 'queue', { ttlMs: 5_000, waitMs: 100 })).rejects.toBeInstanceOf(ChainBusyError);
      // On an injected clock, a 10 s wait is given up after 10 s of that clock, without waiting them out.
      let clock = 0;
      const waits: number[] = [];
      const sleepOnClock = async (ms: number) => {
        waits.push(ms);
        clock += ms;
      };
      await expect(acquireChainLock(store, 'queue', { ttlMs: 5_000, waitMs: 10_000, now: () => clock, sleep: sleepOnClock })).rejects.toThrow(/stayed locked .* for 10000 ms/);
      expect(waits.reduce((sum, ms) => sum + ms, 0)).toBe(10_000);
    });

    it('keeps the page ledger: put, replace and remove, fenced on the pager lock', async () => {
      const store = open();
      const page = (id: string, sentAt?: number) => ({ id, kind: 'restore-failed', scope: 'erp', topicUrn: 'urn:smn:r:p:t', title: 't', since: 1, oneShot: false, ...(sentAt ? { sentAt, lastSentAt: sentAt } : {}) });
      const lock = (await store.tryLock('_pages', 5_000))!;
      await store.savePages(lock, { put: [page('a'), page('b')], remove: [] });
      await store.savePages(lock, { put: [page('a', 7)], remove: ['b'] });
      expect(await store.loadPages()).toEqual([page('a', 7)]);
      await store.unlock(lock);
      await expect(store.savePages(lock, { put: [page('c')], remove: [] })).rejects.toBeInstanceOf(LockLostError);
      expect((await store.loadPages()).map((p) => p.id)).toEqual(['a']);
    });

    it('keeps the last good configuration document per location, replaced by the next, with no expiry', async () => {
      const store = open({ retentionMs: 60 });
      const location = 'obs://mig-config/restore-pilot.json';
      expect(await store.loadConfig(location)).toBeUndefined();
      const first = { location, eTag: 'e1', text: '{"chains":[]}', savedAt: 1 };
      await store.saveConfig(first);
      await store.saveConfig({ location: 'obs://other/x.json', eTag: 'o', text: '{}', savedAt: 1 });
      expect(await store.loadConfig(location)).toEqual(first);
      await store.saveConfig({ ...first, eTag: 'e2', text: '{"chains":[1]}', savedAt: 2 });
      await sleep(100); // past the chains' retention: the fallback document is not chain state and stays
      expect(await store.loadConfig(location)).toEqual({ ...first, eTag: 'e2', text: '{"chains":[1]}', savedAt: 2 });
      expect((await store.loadConfig('obs://other/x.json'))?.eTag).toBe('o');
    });

    it('forgets a chain nobody touched for the retention period', async () => {
      const store = open({ retentionMs: 60 });
      const lock = (await store.tryLock('old', 5_000))!;
      await store.save(lock, { meta: { notices: [], updatedAt: Date.now() }, files: [record('k')] });
      expect(Object.keys((await store.load('old')).files)).toEqual(['k']);
      await sleep(100); // real, as above
      expect((await store.load('old')).files).toEqual({});
    });
  });
}

describe('openStateStore', () => {
  it('picks the store from STATE_URL and rejects anything else by name', async () => {
    const file = openStateStore(`file:${join(mkdtempSync(join(tmpdir(), 'rp-open-')), 's.json')}`);
    expect(file).toBeInstanceOf(FileStateStore);
    const redis = openStateStore(REDIS_URL);
    opened.push(file, redis);
    expect(redis).toBeInstanceOf(RedisStateStore);
    expect(() => openStateStore('postgres://x')).toThrow(/STATE_URL/);
    expect(() => openStateStore('file:')).toThrow(/STATE_URL/);
    expect(() => openStateStore(undefined)).toThrow(/STATE_URL: is not set/);
  });

  it('redis keys of a chain carry one hash tag, so the Lua scripts work on a cluster', async () => {
    const prefix = testPrefix('tag');
    const store = new RedisStateStore(REDIS_URL, { keyPrefix: prefix });
    opened.push(store);
    const lock = (await store.tryLock('erp-prod/ERP', 5_000))!;
    await store.save(lock, { meta: { notices: [], updatedAt: 1 }, files: [record('k')] });
    const raw = new Redis(REDIS_URL);
    const keys = (await raw.keys(`${prefix}*`)).sort();
    // A database's chain and its source's indexes share the source's tag: one script saves them together.
    expect(keys).toEqual([`${prefix}{erp-prod}/ERP:files`, `${prefix}{erp-prod}/ERP:lock`, `${prefix}{erp-prod}/ERP:meta`, `${prefix}{erp-prod}:databases`, `${prefix}{erp-prod}:where`]);
    expect(await raw.pttl(`${prefix}{erp-prod}/ERP:files`)).toBeGreaterThan(0);
    expect(await raw.pttl(`${prefix}{erp-prod}:databases`)).toBeGreaterThan(0);
    await raw.quit();
  });
});
