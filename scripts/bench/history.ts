import { join } from 'node:path';
import { admitBackup } from '../../shared/chains/admit';
import { parseChains, type Chain } from '../../shared/chains/config';
import { headerRead } from '../../shared/chains/header-read';
import type { ChainState } from '../../shared/chains/state';
import { markSucceeded } from '../../shared/chains/transitions';
import { createHuaweiClient } from '../../shared/huawei/client';
import { createLogger } from '../../shared/log/logger';
import { forEachBounded } from '../../shared/poller/bounded';
import { runChainStep, type ChainStepDeps } from '../../shared/restore/chain-step';
import { DEFAULT_MAX_JOBS_PER_INSTANCE } from '../../shared/restore/pacing';
import { openStateStore } from '../../shared/state/open';
import { startLocalCloud, type LocalCloud } from '../local-cloud/server';
import { SyntheticDatabase } from '../synthetic/backups';
import { DIST, startWorker, type LiveWorker } from './children';
import { BrokenRun, BUCKET, deleteKeys, functionEnv, redisMemory, stateUrl, statePrefix, type BenchChain } from './fixtures';
import type { TickResult } from './worker';

export interface HistoryOptions {
  sources: number;
  databasesPerSource: number;
  /** Finished files per database in the long history, and in the short one it is compared with. */
  longHistory: number;
  shortHistory: number;
  /** Files admitted and marked succeeded per chain step while the history is built. */
  batch: number;
  /** Idle ticks measured per variant, alternating. */
  rounds: number;
  latencyMs: number;
}

export interface HistoryVariant {
  files: number;
  buildMs: number;
  /** Steady idle ticks (after the first, which also walks the empty prefixes). */
  ticks: { wallMs: number; cpuMs: number; calls: number }[];
  redis: Awaited<ReturnType<typeof redisMemory>>;
}

export interface HistoryRun {
  databases: number;
  long: HistoryVariant;
  short: HistoryVariant;
}

const MINUTE = 60_000;
/** A log every 15 minutes: 3,000 files are a month of one database. */
const EVERY_MS = 15 * MINUTE;

/**
 * A database's history as production makes it: its files admitted from their real (synthetic) headers
 * and marked succeeded, `batch` files per chain step (runChainStep: lock, load, decide, prune, save),
 * so the state holds what prune.ts leaves of them, never a pre-shrunk state. Its clock ends now.
 */
async function buildHistory(shared: Omit<ChainStepDeps, 'now'>, chain: Chain, database: string, files: number, batch: number, firstVlf: number) {
  const clock = { at: 0 };
  const deps = { ...shared, now: () => clock.at };
  const db = new SyntheticDatabase(database, { server: 'SQLHIST', firstVlf, everyMinutes: 15 });
  const key = () => `${chain.prefix}SQLHIST/${database}/${db.lastTakenAt.replace(/[-:]/g, '').replace('T', '_')}.bak`;
  const start = Date.now() - files * EVERY_MS;
  for (let done = 0; done < files; done += batch) {
    const reads = Array.from({ length: Math.min(batch, files - done) }, (_, i) => {
      const bytes = done + i === 0 ? db.full() : db.log();
      return { key: key(), eTag: `"${database}-${done + i}"`, read: headerRead(bytes), at: start + (done + i) * EVERY_MS };
    });
    clock.at = reads.at(-1)!.at;
    await runChainStep(deps, chain, database, (before) => {
      let state: ChainState = before;
      for (const { key, eTag, read, at } of reads) {
        const decision = admitBackup(state, chain, { key, eTag, createdAt: at, now: at }, read);
        if (decision.status !== 'queued') throw new BrokenRun(`history of ${database}: ${key} ${decision.status}: ${decision.reason}`);
        state = markSucceeded(decision.state, key, at);
      }
      return { state, advance: false, result: undefined };
    });
  }
}

async function buildVariant(cloud: LocalCloud, label: string, options: HistoryOptions, files: number) {
  const prefix = statePrefix(`history-${label}`);
  const sources: BenchChain[] = Array.from({ length: options.sources }, (_, s) => ({ id: `hist-${label}-${s}`, bucket: BUCKET, prefix: `hist-${label}-${s}/`, targetInstanceId: `hist${label}${s}-instance-in04` }));
  for (const source of sources) cloud.rds.setInstance(source.targetInstanceId);
  const env = functionEnv(cloud, prefix, sources);
  const chains = parseChains(JSON.stringify(sources));
  const store = openStateStore(stateUrl(prefix));
  const deps = {
    store,
    ...createHuaweiClient({ env: cloud.env() }),
    logger: createLogger({ level: 'error', sink: () => undefined }),
    inProgressMs: 60_000,
    maxJobsPerInstance: DEFAULT_MAX_JOBS_PER_INSTANCE,
    lockTtlMs: 30_000,
    lockWaitMs: 1_000,
  };
  const started = performance.now();
  try {
    const databases = chains.flatMap((chain, s) => Array.from({ length: options.databasesPerSource }, (_, d) => ({ chain, database: `H${s}_DB${String(d).padStart(3, '0')}`, vlf: 21 + s * options.databasesPerSource + d })));
    // Each database's steps are sequential; databases side by side, each with its own clock.
    await forEachBounded(databases, 8, ({ chain, database, vlf }) => buildHistory(deps, chain, database, files, options.batch, vlf));
  } finally {
    await store.close();
  }
  return { prefix, env, buildMs: performance.now() - started };
}

/**
 * An idle tick (no job in flight, nothing waiting) over `databases` databases whose histories hold
 * `longHistory` finished files each, against the same with `shortHistory` each. Both poll-jobs bundles
 * run in child processes; after each one's first tick (which walks the sources' prefixes, empty in
 * OBS here: the files' objects are not needed for an idle tick), their ticks alternate.
 */
export async function runHistory(options: HistoryOptions): Promise<HistoryRun> {
  const cloud = await startLocalCloud({ drs: { jobDurationMs: 0, precheckMs: 0 } });
  cloud.obs.createBucket(BUCKET);
  const prefixes: string[] = [];
  const workers: LiveWorker[] = [];
  try {
    const variants: { files: number; label: string }[] = [
      { files: options.longHistory, label: 'l' },
      { files: options.shortHistory, label: 's' },
    ];
    const built: (typeof variants[number] & Awaited<ReturnType<typeof buildVariant>>)[] = [];
    for (const variant of variants) {
      const b = await buildVariant(cloud, variant.label, options, variant.files);
      prefixes.push(b.prefix);
      built.push({ ...variant, ...b });
    }
    cloud.faults.add({ operation: '*', kind: 'latency', ms: options.latencyMs });
    for (const b of built) workers.push(await startWorker({ kind: 'poll', bundle: join(DIST, 'poll-jobs/index.js'), env: b.env, invocationMs: 300_000 }));
    const tick = async (i: number) => {
      const before = cloud.requests.length;
      const { tick: result } = await workers[i]!.request<{ tick: TickResult }>({ tick: true });
      const s = result.summary;
      if (s.errors.length > 0 || s.leftOver > 0 || s.jobsChecked > 0 || s.chainsAdvanced > 0) throw new BrokenRun(`idle tick (${built[i]!.files} files): not idle or failing: ${JSON.stringify(s)}`);
      return { wallMs: result.wallMs, cpuMs: result.cpuMs, calls: cloud.requests.length - before };
    };
    for (let i = 0; i < built.length; i++) await tick(i);
    const ticks: HistoryVariant['ticks'][] = built.map(() => []);
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) ticks[i]!.push(await tick(i));
    }
    const variant = async (i: number): Promise<HistoryVariant> => ({ files: built[i]!.files, buildMs: built[i]!.buildMs, ticks: ticks[i]!, redis: await redisMemory(built[i]!.prefix) });
    return { databases: options.sources * options.databasesPerSource, long: await variant(0), short: await variant(1) };
  } finally {
    for (const worker of workers) await worker.stop();
    await cloud.close();
    await deleteKeys(prefixes);
  }
}
