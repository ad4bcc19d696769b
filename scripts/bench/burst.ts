import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPollHandler } from '../../functions/poll-jobs/index';
import { startLocalCloud, type LocalCloud } from '../local-cloud/server';
import { DIST, runWorker } from './children';
import { BrokenRun, BUCKET, chainFiles, countByOperation, deleteKeys, functionEnv, makeChains, seededRandom, shuffle, statePrefix, uploadEvent, writeDeliveries } from './fixtures';
import type { BurstResult } from './worker';

export interface BurstOptions {
  chains: number;
  filesPerChain: number;
  /** Share of events delivered a second time, as FunctionGraph's at-least-once delivery may. */
  redeliverShare: number;
  concurrency: number;
  latencyMs: number;
}

export type BurstVariant = 'ours' | 'hc' | 'ours, node --liftoff-only';

export interface BurstRun {
  transport: BurstVariant;
  files: number;
  events: number;
  worker: BurstResult;
  /** API calls during the burst itself, per operation. */
  burstCalls: Record<string, number>;
  /** API calls over the files' whole life: the burst, then poller ticks until every file is restored. */
  lifeCalls: Record<string, number>;
  drainTicks: number;
  createsPerFile: { min: number; max: number; mean: number };
  /** Every create request (whatever its answer) per file restored: each file is one step of its chain. */
  createsPerStep: { min: number; max: number };
  readsPerFile: { max: number; mean: number };
  headerReads: HeaderReads;
  duplicates: number;
  failedJobs: number;
  notRestored: number;
}

/** The ranged OBS GetObjects that read backup headers, per file version (one per key in the bench). */
export interface HeaderReads {
  /** Ranges asked, each at most HEADER_READ_MAX_BYTES from byte 0; `unranged` counts any other read. */
  ranges: string[];
  unranged: number;
  /** Over every file version. */
  min: number;
  max: number;
  mean: number;
  /** Over versions whose events never had two deliveries in flight together (nor a retry after a throw): must be exactly 1. */
  alone: { versions: number; min: number; max: number };
  /** Deliveries that started after an earlier one of the same version had returned (redeliveries proper). */
  redeliveries: number;
  /** Reads beyond one per version that no concurrent duplicate or retry explains: reads for redelivered events. */
  redeliveryReads: number;
  /** Duplicate deliveries that started while the first was in flight, and the extra reads they made. */
  overlapping: number;
  retryReads: number;
}

const OURS = join(DIST, 'on-backup-upload/index.js');
const VARIANTS: Record<BurstVariant, { bundle: string; nodeFlags: string[] }> = {
  ours: { bundle: OURS, nodeFlags: [] },
  hc: { bundle: join(DIST, 'bench/baseline/on-backup-upload.js'), nodeFlags: [] },
  // Diagnostic: V8 keeps undici's llhttp WebAssembly on Liftoff instead of compiling it with TurboFan.
  'ours, node --liftoff-only': { bundle: OURS, nodeFlags: ['--liftoff-only'] },
};

const CREATE = 'drs.createBackupMigrationJob';
const GET = 'drs.getBackupMigrationJob';
const LIST = 'drs.listBackupMigrationJobs';
const GET_OBJECT = 'obs.getObject';
/** The budget of the header read: one ranged GetObject from byte 0 of at most 64 KiB. */
export const HEADER_READ_MAX_BYTES = 64 * 1024;

/** How many bytes a `bytes=0-N` range asks for; undefined for anything else. */
function headerRangeBytes(range: string | undefined): number | undefined {
  const match = /^bytes=0-(\d+)$/.exec(range ?? '');
  return match ? Number(match[1]) + 1 : undefined;
}

/** The object key of a GetObject, path style (`/bucket/key`) or virtual-hosted (`/key`). */
const objectKey = (path: string) => decodeURIComponent(path.startsWith(`/${BUCKET}/`) ? path.slice(BUCKET.length + 2) : path.slice(1));

/**
 * Checks the cloud's side after the chains were driven to the end: every file restored by exactly one
 * job, every chain's jobs all SUCCESS and only its _FINAL one marked last. Counts API calls per file.
 */
function audit(cloud: LocalCloud, keys: string[], mark: number, extraDeliveries: BurstResult['extraDeliveries']) {
  const fileOf = (request: { backup_info: { files: { obs_path?: string; name: string }[] } }) => {
    const f = request.backup_info.files[0]!;
    return `${f.obs_path ?? ''}${f.name}`;
  };
  const jobsByFile = new Map<string, number>();
  const fileByJobId = new Map<string, string>();
  const fileByName = new Map<string, string>();
  let wrong = 0;
  const failed: string[] = [];
  for (const job of cloud.drs.jobs.values()) {
    const file = fileOf(job.request);
    jobsByFile.set(file, (jobsByFile.get(file) ?? 0) + 1);
    fileByJobId.set(job.id, file);
    fileByName.set(job.request.base_info.name.toLowerCase(), file);
    const status = cloud.drs.statusOf(job);
    if (status === 'FAILED' || status === 'PRECHECK FAILED') failed.push(`${file}: ${status}: ${job.errorLog ?? ''}`);
    if (status !== 'SUCCESS' || job.request.options.is_last_backup !== file.endsWith('_FINAL.bak')) wrong += 1;
  }
  const creates = new Map<string, number>();
  const createAttempts = new Map<string, number>();
  const reads = new Map<string, number>();
  const headerReads = new Map<string, number>();
  const ranges = new Set<string>();
  let unranged = 0;
  const add = (map: Map<string, number>, file: string | undefined) => file !== undefined && map.set(file, (map.get(file) ?? 0) + 1);
  for (const r of cloud.requests.slice(mark)) {
    if (r.operation === CREATE) {
      // An injected fault is recorded without its body: such an attempt cannot be put to a file.
      if (r.body !== undefined) add(createAttempts, fileOf(r.body as never));
      if (r.status === 200) add(creates, fileOf(r.body as never));
    } else if (r.operation === GET) add(reads, fileByJobId.get(r.path.split('/').at(-1)!));
    else if (r.operation === LIST) add(reads, fileByName.get((r.query.get('name') ?? '').toLowerCase()));
    else if (r.operation === GET_OBJECT) {
      add(headerReads, objectKey(r.path));
      const bytes = headerRangeBytes(r.range);
      if (bytes === undefined || bytes > HEADER_READ_MAX_BYTES) unranged += 1;
      ranges.add(r.range ?? 'no range');
    }
  }
  const perFile = keys.map((k) => creates.get(k) ?? 0);
  const perStep = keys.map((k) => createAttempts.get(k) ?? 0);
  const readsPerFile = keys.map((k) => reads.get(k) ?? 0);
  // Reads beyond one per version: a retry after a throw may read again, and so may a duplicate in flight
  // with the first delivery (the header is read before the database's chain lock, since it names the
  // chain). A redelivery after the first recorded the version finds it through the source's hint and
  // reads nothing: what retries and overlaps do not explain was read for a redelivered event.
  const versions = keys.map((k) => {
    const extra = extraDeliveries[k] ?? { overlapping: 0, after: 0, retries: 0 };
    const count = headerReads.get(k) ?? 0;
    const explained = Math.min(Math.max(0, count - 1), extra.retries + extra.overlapping);
    return { count, extra, explained, unexplained: Math.max(0, count - 1) - explained };
  });
  const alone = versions.filter((v) => v.extra.retries === 0 && v.extra.overlapping === 0).map((v) => v.count);
  const counts = versions.map((v) => v.count);
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  return {
    createsPerFile: { min: Math.min(...perFile), max: Math.max(...perFile), mean: perFile.reduce((a, b) => a + b, 0) / keys.length },
    createsPerStep: { min: Math.min(...perStep), max: Math.max(...perStep) },
    readsPerFile: { max: Math.max(...readsPerFile), mean: readsPerFile.reduce((a, b) => a + b, 0) / keys.length },
    headerReads: {
      ranges: [...ranges].sort(),
      unranged,
      min: Math.min(...counts),
      max: Math.max(...counts),
      mean: sum(counts) / keys.length,
      alone: { versions: alone.length, min: Math.min(...alone), max: Math.max(...alone) },
      redeliveries: sum(versions.map((v) => v.extra.after)),
      redeliveryReads: sum(versions.map((v) => v.unexplained)),
      overlapping: sum(versions.map((v) => v.extra.overlapping)),
      retryReads: sum(versions.map((v) => v.explained)),
    },
    duplicates: [...jobsByFile.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0),
    failedJobs: failed.length,
    firstFailure: failed[0],
    notRestored: keys.filter((k) => !jobsByFile.has(k)).length + wrong,
  };
}

/**
 * One burst: every chain's backups (full, logs, the final log) put into OBS and their events delivered,
 * shuffled, `concurrency` at a time, to the upload bundle in a child process, against the local cloud
 * with injected latency and the real Redis. Then poller ticks (in this process) drive every chain to
 * its end, and the cloud's side is audited: one job per file, no duplicates, every file restored.
 */
export async function runBurst(transport: BurstVariant, options: BurstOptions, seed: number): Promise<BurstRun> {
  const cloud = await startLocalCloud({ drs: { jobDurationMs: 0, precheckMs: 0 } });
  cloud.obs.createBucket(BUCKET);
  const prefix = statePrefix('burst');
  const chains = makeChains(options.chains, cloud);
  const env = functionEnv(cloud, prefix, chains);
  const dir = mkdtempSync(join(tmpdir(), 'restore-pilot-bench-'));
  const poller = createPollHandler({ env: { ...env, POLL_CONCURRENCY: '32' } });
  try {
    const keys = chains.flatMap((chain) => chainFiles(chain, options.filesPerChain, true));
    const random = seededRandom(seed);
    const events = shuffle(keys, random).map((key) => uploadEvent(cloud, key));
    const { eventsFile, deliveries } = writeDeliveries(events, options.redeliverShare, random, dir);

    cloud.faults.add({ operation: '*', kind: 'latency', ms: options.latencyMs });
    const mark = cloud.requests.length;
    const { bundle, nodeFlags } = VARIANTS[transport];
    const worker = await runWorker<BurstResult>({ kind: 'burst', bundle, env, eventsFile, concurrency: options.concurrency, maxDeliveries: 5 }, nodeFlags);
    if (worker.gaveUp.length > 0) throw new BrokenRun(`upload burst (${transport}): ${worker.gaveUp.length} event(s) failed 5 deliveries, e.g. ${worker.gaveUp[0]!.key}: ${worker.gaveUp[0]!.error}`);
    const burstCalls = countByOperation(cloud.requests.slice(mark));

    // Drive every chain to its end (jobs finish at once here), a tick at a time as the timer would.
    const context = { getRemainingTimeInMilliSeconds: () => 60_000, getLogger: () => ({ info: () => undefined, warn: () => undefined, error: () => undefined }) };
    let drainTicks = 0;
    for (; drainTicks < options.filesPerChain * 2 + 5; drainTicks++) {
      if (cloud.drs.jobs.size === keys.length && [...cloud.drs.jobs.values()].every((job) => cloud.drs.statusOf(job) === 'SUCCESS')) {
        // One more tick records the last SUCCESS and closes the chains.
        await poller(undefined, context);
        drainTicks += 1;
        break;
      }
      const summary = await poller(undefined, context);
      if (summary.errors.length > 0) throw new BrokenRun(`poll tick after the burst (${transport}): ${JSON.stringify(summary.errors.slice(0, 3))}`);
    }
    const { firstFailure, ...audited } = audit(cloud, keys, mark, worker.extraDeliveries);
    const broken = (what: string) => new BrokenRun(`upload burst (${transport}): ${what}`);
    if (audited.duplicates > 0) throw broken(`${audited.duplicates} duplicate DRS job(s)`);
    if (audited.failedJobs > 0) throw broken(`${audited.failedJobs} DRS job(s) failed, e.g. ${firstFailure}`);
    if (audited.notRestored > 0) throw broken(`${audited.notRestored} file(s) not restored, or restored wrongly, after ${drainTicks} ticks`);
    if (audited.createsPerFile.max !== 1 || audited.createsPerFile.min !== 1) throw broken(`creates per file ${JSON.stringify(audited.createsPerFile)}`);
    if (audited.createsPerStep.max !== 1 || audited.createsPerStep.min !== 1) throw broken(`create requests per restore step ${JSON.stringify(audited.createsPerStep)}`);
    const h = audited.headerReads;
    if (h.unranged > 0) throw broken(`${h.unranged} header read(s) not a range from byte 0 of at most ${HEADER_READ_MAX_BYTES} bytes: ${h.ranges.join(', ')}`);
    if (h.min < 1) throw broken('a file version was never read (header reads per version ' + `${h.min}–${h.max})`);
    if (h.alone.versions > 0 && h.alone.max !== 1) throw broken(`header reads per file version ${h.alone.min}–${h.alone.max}, not exactly 1`);
    if (h.redeliveryReads > 0) throw broken(`${h.redeliveryReads} header read(s) of a version already recorded: for redelivered events, or a later re-read`);
    return { transport, files: keys.length, events: deliveries, worker, burstCalls, lifeCalls: countByOperation(cloud.requests.slice(mark)), drainTicks, ...audited };
  } finally {
    await poller.close();
    await cloud.close();
    rmSync(dir, { recursive: true, force: true });
    await deleteKeys([prefix]);
  }
}
