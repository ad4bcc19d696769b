import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { LocalCloud } from '../local-cloud/server';
import { backupForName } from '../synthetic/backups';

export const BUCKET = 'bench-backups';
export const REDIS_URL = 'redis://127.0.0.1:6379';

/** A deterministic shuffle, so every run of the bench uploads in the same order. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * The events as a burst delivers them: `share` of them twice, all in a shuffled order, written to
 * `dir` for the burst worker. Returns the file and the number of deliveries.
 */
export function writeDeliveries(events: unknown[], share: number, random: () => number, dir: string): { eventsFile: string; deliveries: number } {
  const again = shuffle(events, random).slice(0, Math.round(events.length * share));
  const deliveries = shuffle([...events, ...again], random);
  const eventsFile = join(dir, 'events.json');
  writeFileSync(eventsFile, JSON.stringify(deliveries));
  return { eventsFile, deliveries: deliveries.length };
}

export interface BenchChain {
  id: string;
  bucket: string;
  prefix: string;
  targetInstanceId: string;
}

/**
 * `count` chains, each restoring into its own instance, which the local RDS then knows (the preflight
 * reads the target's SQL Server version before a database's first job).
 */
export function makeChains(count: number, cloud: LocalCloud): BenchChain[] {
  const chains = Array.from({ length: count }, (_, i) => ({ id: `bench-${i}`, bucket: BUCKET, prefix: `db${i}/`, targetInstanceId: `bench${i}-instance-in04` }));
  for (const chain of chains) cloud.rds.setInstance(chain.targetInstanceId);
  return chains;
}

/**
 * A chain's backups in upload order: the full, then logs; with `final`, the last log is the _FINAL one.
 * Names DRS takes as they are (logs as .bak, e.g. db3/DB3_LOG_20261120020000.bak): the bench measures upload to job, not staging copies.
 */
export function chainFiles(chain: BenchChain, count: number, final: boolean): string[] {
  const n = chain.prefix.slice(2, -1);
  return Array.from({ length: count }, (_, j) => {
    const order = `20261120${String(j).padStart(2, '0')}0000`;
    if (j === 0) return `${chain.prefix}DB${n}_FULL_${order}.bak`;
    return `${chain.prefix}DB${n}_LOG_${order}${final && j === count - 1 ? '_FINAL' : ''}.bak`;
  });
}

const backups = new Map<string, Uint8Array>();

/**
 * The synthetic SQL Server backup (scripts/synthetic/backups.ts) a bench file name stands for: its
 * database is the name's DBn, its LSNs follow the timestamp, so each chain restores like SQL Server's.
 * Made once per name and kept: runs and variants upload the same bytes, so the same eTag.
 */
export function backupOf(key: string): Uint8Array {
  let bytes = backups.get(key);
  if (!bytes) {
    bytes = backupForName(key);
    backups.set(key, bytes);
  }
  return bytes;
}

/** The OBS event FunctionGraph delivers for one backup put into the local cloud's OBS (by default the one its name stands for). */
export function uploadEvent(cloud: LocalCloud, key: string, content: Uint8Array = backupOf(key)) {
  const object = cloud.obs.put(BUCKET, key, { content });
  return {
    Records: [
      {
        eventVersion: '2.0',
        eventSource: 'aws:s3',
        awsRegion: 'cn-north-4',
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'bench',
          bucket: { name: BUCKET, arn: `arn:aws:s3:::${BUCKET}` },
          object: { key: encodeURIComponent(key).replace(/%2F/g, '/'), eTag: object.eTag, size: object.size, versionId: 'null', sequencer: object.sequencer },
        },
      },
    ],
  };
}

/** A Redis key prefix of its own per run, so runs (and the tests) never see each other's state. */
export function statePrefix(label: string): string {
  return `bench-${label}-${randomUUID()}:`;
}

export const stateUrl = (prefix: string) => `${REDIS_URL}?prefix=${prefix}`;

/** Every key under the prefix, a SCAN page at a time. */
async function* keysUnder(redis: Redis, prefix: string): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) yield keys;
  } while (cursor !== '0');
}

/** What kind of state a key holds (shared/state/redis-store.ts): `files`, `meta`, `databases`, `slots`, `ledger`… */
const kindOf = (key: string) => (key.includes('{slots:') ? 'slots' : (/:(\w+)$/.exec(key)?.[1] ?? 'other'));

/**
 * What a run's state takes in Redis: the sum of `MEMORY USAGE key SAMPLES 0` (every field counted,
 * key and value with Redis's own overhead) over every key under the prefix, by kind (chain files,
 * chain meta, the databases index, restore slots, the page ledger), and the most file records one
 * chain holds (HLEN of its files hash).
 */
export async function redisMemory(prefix: string): Promise<{ keys: number; bytes: number; byKind: Record<string, number>; maxFilesPerChain: number }> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
  const result = { keys: 0, bytes: 0, byKind: {} as Record<string, number>, maxFilesPerChain: 0 };
  try {
    for await (const page of keysUnder(redis, prefix)) {
      const sizes = await Promise.all(page.map((key) => redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0') as Promise<number | null>));
      page.forEach((key, i) => {
        result.keys += 1;
        result.bytes += sizes[i] ?? 0;
        result.byKind[kindOf(key)] = (result.byKind[kindOf(key)] ?? 0) + (sizes[i] ?? 0);
      });
      for (const key of page.filter((k) => kindOf(k) === 'files')) result.maxFilesPerChain = Math.max(result.maxFilesPerChain, await redis.hlen(key));
    }
  } finally {
    redis.disconnect();
  }
  return result;
}

/** Deletes every key under the prefixes. */
export async function deleteKeys(prefixes: string[]): Promise<number> {
  if (prefixes.length === 0) return 0;
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
  let deleted = 0;
  try {
    for (const prefix of prefixes) for await (const keys of keysUnder(redis, prefix)) deleted += await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** The environment a function needs against this cloud, with its own state and chains. */
export function functionEnv(cloud: LocalCloud, prefix: string, chains: BenchChain[], extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...cloud.env(),
    STATE_URL: stateUrl(prefix),
    RESTORE_CHAINS: JSON.stringify(chains),
    SMN_TOPIC_URN: `urn:smn:cn-north-4:${cloud.projectId}:bench-oncall`,
    LOG_LEVEL: 'info',
    ...extra,
  };
}

/** Counts of recorded requests per operation (and per status, when it was not 2xx). */
export function countByOperation(requests: LocalCloud['requests']): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of requests) {
    const name = r.status < 300 ? r.operation : `${r.operation} ${r.status}`;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/**
 * The poller as deployed (serverless.yml, functions.poll-jobs): its memory size and invocation
 * timeout, which the estate's RSS and the reconcile walk's ticks are held to.
 */
export function pollerLimits(root: string): { memoryMb: number; timeoutMs: number } {
  const yml = readFileSync(join(root, 'serverless.yml'), 'utf8');
  const block = /^  poll-jobs:\n((?:    .*\n|\s*\n)+)/m.exec(yml)?.[1] ?? '';
  const field = (name: string) => Number(new RegExp(`^    ${name}: (\\d+)$`, 'm').exec(block)?.[1]);
  const [memoryMb, timeoutS] = [field('memorySize'), field('timeout')];
  if (!memoryMb || !timeoutS) throw new Error('serverless.yml: poll-jobs has no memorySize or timeout of its own');
  return { memoryMb, timeoutMs: timeoutS * 1000 };
}

/**
 * Thrown when a run is broken (errors, duplicates, lost files, a check of the that failed): the
 * bench exits non-zero. `report` is the section's table when the run got far enough to measure.
 */
export class BrokenRun extends Error {
  override readonly name = 'BrokenRun';
  constructor(
    message: string,
    readonly report?: string[],
  ) {
    super(message);
  }
}
