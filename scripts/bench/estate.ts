import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RECENT_FINISHED } from '../../shared/chains/prune';
import { DEFAULT_MAX_JOBS_PER_INSTANCE } from '../../shared/restore/pacing';
import { startLocalCloud, type LocalCloud } from '../local-cloud/server';
import { SyntheticDatabase } from '../synthetic/backups';
import { DIST, runWorker, startWorker } from './children';
import { BrokenRun, BUCKET, countByOperation, deleteKeys, functionEnv, pollerLimits, redisMemory, seededRandom, shuffle, statePrefix, uploadEvent, writeDeliveries, type BenchChain } from './fixtures';
import type { BurstResult, TickResult } from './worker';

export interface EstateOptions {
  sources: number;
  databasesPerSource: number;
  /** Each database uploads one full and this many logs after it. */
  logsPerDatabase: number;
  /** Share of events delivered a second time, as FunctionGraph's at-least-once delivery may. */
  redeliverShare: number;
  /** Upload invocations in flight at once. */
  concurrency: number;
  latencyMs: number;
}

export interface EstateTick {
  wallMs: number;
  cpuMs: number;
  jobsChecked: number;
  chainsAdvanced: number;
  reconciled: number;
  creates: number;
  calls: number;
  maxRssKb: number;
}

export interface EstateRun {
  databases: number;
  files: number;
  deliveries: number;
  burst: { wallMs: number; maxRssKb: number; redelivered: number; calls: Record<string, number> };
  ticks: EstateTick[];
  /** Every create request (whatever its answer) per file: each file is one restore step of its database. */
  createsPerStep: { min: number; max: number };
  duplicates: number;
  limit: number;
  /** The most jobs the local DRS ever saw in flight at once, per target instance. */
  peakInFlight: Record<string, number>;
  redis: Awaited<ReturnType<typeof redisMemory>>;
  poller: { memoryMb: number; timeoutMs: number; maxRssKb: number };
  lifeCalls: Record<string, number>;
}

const HOUR = 3_600_000;
const CREATE = 'drs.createBackupMigrationJob';
const STEADY_TICK_MS = 2_000;

/** Ola Hallengren's layout (SERVER/DATABASE/FULL|LOG/SERVER_DATABASE_TYPE_yyyymmdd_hhmmss), every file a DRS-safe .bak. */
function estateFiles(options: EstateOptions): { sources: BenchChain[]; files: { key: string; content: Uint8Array }[] } {
  const sources = Array.from({ length: options.sources }, (_, s) => ({ id: `estate-${s}`, bucket: BUCKET, prefix: `estate${s}/`, targetInstanceId: `estate${s}-instance-in04` }));
  const files: { key: string; content: Uint8Array }[] = [];
  sources.forEach((source, s) => {
    const server = `SQLEST0${s}`;
    for (let d = 0; d < options.databasesPerSource; d++) {
      const name = `S${s}_DB${String(d).padStart(3, '0')}`;
      // Distinct log ranges per database, as distinct databases have.
      const db = new SyntheticDatabase(name, { server, firstVlf: 21 + s * options.databasesPerSource + d });
      const key = (type: 'FULL' | 'LOG') => `${source.prefix}${server}/${name}/${type}/${server}_${name}_${type}_${db.lastTakenAt.replace(/[-:]/g, '').replace('T', '_')}.bak`;
      const full = db.full();
      files.push({ key: key('FULL'), content: full });
      for (let l = 0; l < options.logsPerDatabase; l++) {
        const log = db.log();
        files.push({ key: key('LOG'), content: log });
      }
    }
  });
  return { sources, files };
}

const fileOf = (request: { backup_info: { files: { obs_path?: string; name: string }[] } }) => {
  const f = request.backup_info.files[0]!;
  return `${f.obs_path ?? ''}${f.name}`;
};

/** The cloud's side once every file should be restored: create requests and jobs per file, failures. */
function audit(cloud: LocalCloud, keys: string[], mark: number) {
  const attempts = new Map<string, number>();
  for (const r of cloud.requests.slice(mark)) if (r.operation === CREATE && r.body !== undefined) attempts.set(fileOf(r.body as never), (attempts.get(fileOf(r.body as never)) ?? 0) + 1);
  const jobs = new Map<string, number>();
  const notRestored: string[] = [];
  for (const job of cloud.drs.jobs.values()) {
    const file = fileOf(job.request);
    jobs.set(file, (jobs.get(file) ?? 0) + 1);
    if (cloud.drs.statusOf(job) !== 'SUCCESS') notRestored.push(`${file}: ${cloud.drs.statusOf(job)} ${job.errorLog ?? ''}`);
  }
  const perStep = keys.map((k) => attempts.get(k) ?? 0);
  return {
    createsPerStep: { min: Math.min(...perStep), max: Math.max(...perStep) },
    duplicates: [...jobs.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0),
    withoutJob: keys.filter((k) => !jobs.has(k)),
    notRestored,
  };
}

const allRestored = (cloud: LocalCloud, files: number) => cloud.drs.jobs.size >= files && [...cloud.drs.jobs.values()].every((job) => cloud.drs.statusOf(job) === 'SUCCESS');

/**
 * An estate: `sources` sources of `databasesPerSource` databases, each a full and its logs, uploaded as
 * one shuffled burst (with redeliveries) through the upload bundle in a child process, every cloud call
 * delayed by `latencyMs`. Then the poll-jobs bundle, in a child process with the deployed timeout,
 * ticks until every file is restored; between ticks DRS finishes every running job. The restore jobs
 * are long (a day) so the local DRS counts them in flight until it is told to finish them.
 */
export async function runEstate(options: EstateOptions, seed: number): Promise<EstateRun> {
  const cloud = await startLocalCloud({ drs: { jobDurationMs: 24 * HOUR, precheckMs: 0 } });
  cloud.obs.createBucket(BUCKET);
  const prefix = statePrefix('estate');
  const { sources, files } = estateFiles(options);
  for (const source of sources) cloud.rds.setInstance(source.targetInstanceId);
  const env = functionEnv(cloud, prefix, sources);
  const limits = pollerLimits(join(DIST, '..'));
  const dir = mkdtempSync(join(tmpdir(), 'restore-pilot-bench-'));
  let poller: Awaited<ReturnType<typeof startWorker>> | undefined;
  try {
    const random = seededRandom(seed);
    const events = shuffle(files, random).map((f) => uploadEvent(cloud, f.key, f.content));
    const { eventsFile, deliveries } = writeDeliveries(events, options.redeliverShare, random, dir);

    cloud.faults.add({ operation: '*', kind: 'latency', ms: options.latencyMs });
    const mark = cloud.requests.length;
    const burst = await runWorker<BurstResult>({ kind: 'burst', bundle: join(DIST, 'on-backup-upload/index.js'), env, eventsFile, concurrency: options.concurrency, maxDeliveries: 5 });
    if (burst.gaveUp.length > 0) throw new BrokenRun(`estate burst: ${burst.gaveUp.length} event(s) failed 5 deliveries, e.g. ${burst.gaveUp[0]!.key}: ${burst.gaveUp[0]!.error}`);
    const burstCalls = countByOperation(cloud.requests.slice(mark));

    // The heap as the function's memory size would leave it (64 MB for code, buffers and the runtime).
    poller = await startWorker({ kind: 'poll', bundle: join(DIST, 'poll-jobs/index.js'), env, invocationMs: limits.timeoutMs }, { heapMb: limits.memoryMb - 64 });
    const ticks: EstateTick[] = [];
    // Each instance restores MAX_JOBS_PER_INSTANCE files per tick at best: twice that many ticks is broken.
    const maxTicks = 2 * Math.ceil(files.length / (sources.length * DEFAULT_MAX_JOBS_PER_INSTANCE)) + 10;
    for (let finishing = false; ; ) {
      if (ticks.length >= maxTicks) throw new BrokenRun(`estate: not every file restored after ${ticks.length} ticks (${cloud.drs.jobs.size} jobs for ${files.length} files)`);
      // Once every job succeeded, one more tick records the last ones.
      finishing = allRestored(cloud, files.length);
      const before = cloud.requests.length;
      const { tick } = await poller.request<{ tick: TickResult }>({ tick: true });
      const s = tick.summary;
      if (s.errors.length > 0 || s.leftOver > 0) throw new BrokenRun(`estate tick ${ticks.length + 1}: ${s.leftOver} chain(s) left over, errors ${JSON.stringify(s.errors.slice(0, 3))}`);
      const calls = cloud.requests.slice(before);
      ticks.push({ wallMs: tick.wallMs, cpuMs: tick.cpuMs, jobsChecked: s.jobsChecked, chainsAdvanced: s.chainsAdvanced, reconciled: s.reconciled, creates: calls.filter((r) => r.operation === CREATE).length, calls: calls.length, maxRssKb: tick.maxRssKb });
      if (finishing) break;
      cloud.drs.settle();
    }

    const audited = audit(cloud, files.map((f) => f.key), mark);
    const broken = (what: string) => new BrokenRun(`estate: ${what}`);
    if (audited.withoutJob.length > 0) throw broken(`${audited.withoutJob.length} file(s) never sent to DRS, e.g. ${audited.withoutJob[0]}`);
    if (audited.notRestored.length > 0) throw broken(`${audited.notRestored.length} job(s) not SUCCESS, e.g. ${audited.notRestored[0]}`);
    const peakInFlight = Object.fromEntries(sources.map((s) => [s.targetInstanceId, cloud.drs.peakInFlight(s.targetInstanceId)]));
    return {
      databases: sources.length * options.databasesPerSource,
      files: files.length,
      deliveries,
      burst: { wallMs: burst.wallMs, maxRssKb: burst.maxRssKb, redelivered: burst.redelivered, calls: burstCalls },
      ticks,
      createsPerStep: audited.createsPerStep,
      duplicates: audited.duplicates,
      limit: DEFAULT_MAX_JOBS_PER_INSTANCE,
      peakInFlight,
      redis: await redisMemory(prefix),
      poller: { ...limits, maxRssKb: Math.max(...ticks.map((t) => t.maxRssKb)) },
      lifeCalls: countByOperation(cloud.requests.slice(mark)),
    };
  } finally {
    await poller?.stop();
    await cloud.close();
    rmSync(dir, { recursive: true, force: true });
    await deleteKeys([prefix]);
  }
}

/**
 * The checks on a finished run, each with what it measured; a broken one fails the section.
 * Steady ticks are those after the first, which also walks every source's prefix once.
 */
export function estateChecks(run: EstateRun): { name: string; limit: string; measured: string; ok: boolean }[] {
  const steady = run.ticks.slice(1).map((t) => t.wallMs);
  const median = [...steady].sort((a, b) => a - b)[Math.floor(steady.length / 2)] ?? NaN;
  const max = Math.max(...steady);
  const peak = Math.max(...Object.values(run.peakInFlight));
  const perDatabase = run.redis.bytes / run.databases;
  return [
    { name: 'creates per restore step', limit: 'exactly 1, no duplicate job', measured: `${run.createsPerStep.min}–${run.createsPerStep.max}, ${run.duplicates} duplicate(s)`, ok: run.createsPerStep.min === 1 && run.createsPerStep.max === 1 && run.duplicates === 0 },
    { name: 'jobs in flight per instance', limit: `≤ ${run.limit} (MAX_JOBS_PER_INSTANCE)`, measured: `peak ${peak}`, ok: peak <= run.limit },
    { name: 'steady tick wall time, median', limit: `≤ ${STEADY_TICK_MS / 1000} s`, measured: `${Math.round(median)} ms`, ok: median <= STEADY_TICK_MS },
    { name: 'steady tick wall time, max', limit: `≤ ${STEADY_TICK_MS / 1000} s`, measured: `${Math.round(max)} ms`, ok: max <= STEADY_TICK_MS },
    {
      name: 'Redis memory per database',
      limit: `bounded: ≤ ${RECENT_FINISHED + 2} file records per database (prune.ts: the ${RECENT_FINISHED} most recent finished, the restored full and the restore point)`,
      measured: `${(perDatabase / 1024).toFixed(1)} KB; ${run.redis.maxFilesPerChain} file records at most`,
      // None at all would mean the records were not found where the store keeps them, not that none were kept.
      ok: run.redis.maxFilesPerChain > 0 && run.redis.maxFilesPerChain <= RECENT_FINISHED + 2,
    },
    { name: 'poller peak RSS', limit: `≤ ${run.poller.memoryMb} MB (serverless.yml)`, measured: `${(run.poller.maxRssKb / 1024).toFixed(1)} MB`, ok: run.poller.maxRssKb <= run.poller.memoryMb * 1024 },
  ];
}
