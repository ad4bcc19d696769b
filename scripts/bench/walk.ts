import { join } from 'node:path';
import { chainIdOf } from '../../shared/chains/chain-id';
import { openStateStore } from '../../shared/state/open';
import { startLocalCloud } from '../local-cloud/server';
import { SyntheticDatabase } from '../synthetic/backups';
import { DIST, startWorker } from './children';
import { BrokenRun, BUCKET, deleteKeys, functionEnv, pollerLimits, stateUrl, statePrefix, type BenchChain } from './fixtures';
import type { TickResult } from './worker';

export interface WalkOptions {
  databases: number;
  filesPerDatabase: number;
  latencyMs: number;
  /** The poller's invocation deadline; by default its deployed timeout (serverless.yml). */
  deadlineMs?: number;
}

export interface WalkTick {
  wallMs: number;
  cpuMs: number;
  pages: number;
  listed: number;
  headerReads: number;
  found: number;
  complete: boolean;
  maxRssKb: number;
}

export interface WalkRun {
  objects: number;
  deadlineMs: number;
  /** The poller's memory size (serverless.yml); its heap is capped to fit in it. */
  memoryMb: number;
  ticks: WalkTick[];
  /** Objects in OBS that no database's chain records after the walk. */
  missing: string[];
  recorded: number;
}

const HOUR = 3_600_000;
const LIST = 'obs.listObjects';
const PAGE = 1000;

/**
 * Reconcile after the state was lost: one source's prefix holds `databases` × `filesPerDatabase`
 * synthetic backups (a full, then logs) and Redis holds nothing. The poll-jobs bundle, in a child
 * process with the given deadline, ticks until the walk of the prefix is complete, resuming from its
 * stored cursor each tick. Restore jobs run for hours, so no file finishes (and none is pruned) while
 * the walk is measured.
 */
export async function runWalk(options: WalkOptions): Promise<WalkRun> {
  const cloud = await startLocalCloud({ drs: { jobDurationMs: 24 * HOUR, precheckMs: 0 } });
  cloud.obs.createBucket(BUCKET);
  const prefix = statePrefix('walk');
  const source: BenchChain = { id: 'walk-0', bucket: BUCKET, prefix: 'walk/', targetInstanceId: 'walk0-instance-in04' };
  cloud.rds.setInstance(source.targetInstanceId);
  const env = functionEnv(cloud, prefix, [source]);
  const keys: string[] = [];
  for (let d = 0; d < options.databases; d++) {
    const name = `W_DB${String(d).padStart(3, '0')}`;
    const db = new SyntheticDatabase(name, { server: 'SQLWALK', firstVlf: 21 + d });
    for (let f = 0; f < options.filesPerDatabase; f++) {
      const content = f === 0 ? db.full() : db.log();
      const key = `${source.prefix}SQLWALK/${name}/${f === 0 ? 'FULL' : 'LOG'}/SQLWALK_${name}_${f === 0 ? 'FULL' : 'LOG'}_${db.lastTakenAt.replace(/[-:]/g, '').replace('T', '_')}.bak`;
      cloud.obs.put(BUCKET, key, { content });
      keys.push(key);
    }
  }
  const sorted = [...keys].sort();
  /** Objects a listing page from `marker` returns: what the local OBS answered, without keeping its answers. */
  const listedFrom = (marker: string) => {
    let lo = 0;
    for (let hi = sorted.length; lo < hi; ) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! <= marker) lo = mid + 1;
      else hi = mid;
    }
    return Math.min(PAGE, sorted.length - lo);
  };
  cloud.faults.add({ operation: '*', kind: 'latency', ms: options.latencyMs });
  const limits = pollerLimits(join(DIST, '..'));
  const deadlineMs = options.deadlineMs ?? limits.timeoutMs;
  // The heap as the function's memory size would leave it (64 MB for code, buffers and the runtime).
  const worker = await startWorker({ kind: 'poll', bundle: join(DIST, 'poll-jobs/index.js'), env, invocationMs: deadlineMs }, { heapMb: limits.memoryMb - 64 });
  const store = openStateStore(stateUrl(prefix));
  try {
    const ticks: WalkTick[] = [];
    // At least a page a tick, or the walk is broken.
    for (let complete = false; !complete; ) {
      if (ticks.length > Math.ceil(keys.length / PAGE) + 1) throw new BrokenRun(`reconcile walk: not complete after ${ticks.length} ticks`);
      const before = cloud.requests.length;
      const { tick } = await worker.request<{ tick: TickResult }>({ tick: true });
      const s = tick.summary;
      if (s.errors.length > 0) throw new BrokenRun(`reconcile walk, tick ${ticks.length + 1}: ${JSON.stringify(s.errors.slice(0, 3))}`);
      const calls = cloud.requests.slice(before);
      const lists = calls.filter((r) => r.operation === LIST);
      complete = s.reconciled > 0;
      ticks.push({
        wallMs: tick.wallMs,
        cpuMs: tick.cpuMs,
        pages: lists.length,
        listed: lists.reduce((sum, r) => sum + listedFrom(r.query.get('marker') ?? ''), 0),
        headerReads: calls.filter((r) => r.operation === 'obs.getObject').length,
        found: s.lostUploadsFound,
        complete,
        maxRssKb: tick.maxRssKb,
      });
    }
    const recorded = new Set<string>();
    for (const database of await store.listDatabases(source.id)) for (const key of Object.keys((await store.load(chainIdOf(source, database))).files)) recorded.add(key);
    return { objects: keys.length, deadlineMs, memoryMb: limits.memoryMb, ticks, missing: keys.filter((k) => !recorded.has(k)), recorded: recorded.size };
  } finally {
    await store.close();
    await worker.stop();
    await cloud.close();
    await deleteKeys([prefix]);
  }
}
