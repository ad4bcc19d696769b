import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPollHandler } from '../../functions/poll-jobs/index';
import { startLocalCloud, type LocalCloud } from '../local-cloud/server';
import { DIST, runWorker } from './children';
import { BrokenRun, BUCKET, chainFiles, countByOperation, deleteKeys, functionEnv, makeChains, seededRandom, shuffle, statePrefix, uploadEvent } from './fixtures';
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
  readsPerFile: { max: number; mean: number };
  duplicates: number;
  notRestored: number;
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

/**
 * Checks the cloud's side after the chains were driven to the end: every file restored by exactly one
 * job, every chain's jobs all SUCCESS and only its _FINAL one marked last. Counts API calls per file.
 */
function audit(cloud: LocalCloud, keys: string[], mark: number) {
  const fileOf = (request: { backup_info: { files: { obs_path?: string; name: string }[] } }) => {
    const f = request.backup_info.files[0]!;
    return `${f.obs_path ?? ''}${f.name}`;
  };
  const jobsByFile = new Map<string, number>();
  const fileByJobId = new Map<string, string>();
  const fileByName = new Map<string, string>();
  let wrong = 0;
  for (const job of cloud.drs.jobs.values()) {
    const file = fileOf(job.request);
    jobsByFile.set(file, (jobsByFile.get(file) ?? 0) + 1);
    fileByJobId.set(job.id, file);
    fileByName.set(job.request.base_info.name.toLowerCase(), file);
    const status = cloud.drs.statusOf(job);
    if (status !== 'SUCCESS' || job.request.options.is_last_backup !== file.endsWith('_FINAL.trn')) wrong += 1;
  }
  const creates = new Map<string, number>();
  const reads = new Map<string, number>();
  const add = (map: Map<string, number>, file: string | undefined) => file !== undefined && map.set(file, (map.get(file) ?? 0) + 1);
  for (const r of cloud.requests.slice(mark)) {
    if (r.operation === CREATE && r.status === 200) add(creates, fileOf(r.body as never));
    else if (r.operation === GET) add(reads, fileByJobId.get(r.path.split('/').at(-1)!));
    else if (r.operation === LIST) add(reads, fileByName.get((r.query.get('name') ?? '').toLowerCase()));
  }
  const perFile = keys.map((k) => creates.get(k) ?? 0);
  const readsPerFile = keys.map((k) => reads.get(k) ?? 0);
  return {
    createsPerFile: { min: Math.min(...perFile), max: Math.max(...perFile), mean: perFile.reduce((a, b) => a + b, 0) / keys.length },
    readsPerFile: { max: Math.max(...readsPerFile), mean: readsPerFile.reduce((a, b) => a + b, 0) / keys.length },
    duplicates: [...jobsByFile.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0),
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
  const chains = makeChains(options.chains);
  const env = functionEnv(cloud, prefix, chains);
  const dir = mkdtempSync(join(tmpdir(), 'restore-pilot-bench-'));
  const poller = createPollHandler({ env: { ...env, POLL_CONCURRENCY: '32' } });
  try {
    const keys = chains.flatMap((chain) => chainFiles(chain, options.filesPerChain, true));
    const random = seededRandom(seed);
    const events = shuffle(keys, random).map((key) => uploadEvent(cloud, key));
    const again = shuffle(events, random).slice(0, Math.round(events.length * options.redeliverShare));
    const deliveries = shuffle([...events, ...again], random);
    const eventsFile = join(dir, 'events.json');
    writeFileSync(eventsFile, JSON.stringify(deliveries));

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
    const audited = audit(cloud, keys, mark);
    if (audited.duplicates > 0) throw new BrokenRun(`upload burst (${transport}): ${audited.duplicates} duplicate DRS job(s)`);
    if (audited.notRestored > 0) throw new BrokenRun(`upload burst (${transport}): ${audited.notRestored} file(s) not restored, or restored wrongly, after ${drainTicks} ticks`);
    if (audited.createsPerFile.max !== 1 || audited.createsPerFile.min !== 1) throw new BrokenRun(`upload burst (${transport}): creates per file ${JSON.stringify(audited.createsPerFile)}`);
    return { transport, files: keys.length, events: deliveries.length, worker, burstCalls, lifeCalls: countByOperation(cloud.requests.slice(mark)), drainTicks, ...audited };
  } finally {
    await poller.close();
    await cloud.close();
    rmSync(dir, { recursive: true, force: true });
    await deleteKeys([prefix]);
  }
}
