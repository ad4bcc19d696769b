/**
 * The child side of the bench (dist/bench/worker.js), forked by main.ts with an IPC channel. It loads
 * a bundle under test at run time and imports nothing else but node builtins, so what its RSS and CPU
 * show is the bundle's. One job per process:
 *
 *   burst       invoke an upload bundle's `handler` for every event, `concurrency` in flight, as
 *               FunctionGraph would; a thrown event is redelivered (at least once, like the platform)
 *   poll        load a poll-jobs bundle, then run one tick per `tick` message
 *   throughput  requests/s and CPU per request of two API client bundles, alternating rounds
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Peak resident set of this process, in KB, from /proc's VmHWM. Not getrusage's maxrss: Linux carries
 * that across exec, so a worker forked by the bench (which holds the local cloud's objects) would
 * report the bench's own size (seen: 485 MB for a poller whose heap never passed 75 MB).
 */
function peakRssKb(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) : process.resourceUsage().maxRSS;
}

const load = createRequire(__filename);

type Handler = ((event: unknown, context?: object) => Promise<unknown>) & { close?: () => Promise<void> };

export type WorkerJob =
  | { kind: 'burst'; bundle: string; env: Record<string, string>; eventsFile: string; concurrency: number; maxDeliveries: number }
  | { kind: 'poll'; bundle: string; env: Record<string, string>; invocationMs: number }
  | { kind: 'throughput'; bundles: Record<string, string>; env: Record<string, string>; requests: number; concurrency: number; rounds: number; warmup: number };

export interface BurstResult {
  wallMs: number;
  events: number;
  deliveries: number;
  /** Events the handler threw on, every delivery: what FunctionGraph would have redelivered. */
  redelivered: number;
  /** Events still failing after maxDeliveries. */
  gaveUp: { key: string; error: string }[];
  /**
   * Per object key (one file version each in the bench) delivered more than once, how its extra
   * deliveries came: `overlapping` started while an earlier delivery of it was still in flight and none
   * had returned (nothing recorded yet); `after` started once one had returned (a redelivery proper);
   * `retries` followed a delivery the handler threw on.
   */
  extraDeliveries: Record<string, { overlapping: number; after: number; retries: number }>;
  outcomes: Record<string, number>;
  maxRssKb: number;
  rssAfterLoadKb: number;
  /** Peaks of process.memoryUsage() sampled every 10 ms during the burst, in KB: where the RSS goes. */
  memoryPeaksKb: Record<string, number>;
  loadMs: number;
  cpuMs: number;
}

export interface TickResult {
  wallMs: number;
  cpuMs: number;
  summary: {
    chains: number;
    jobsChecked: number;
    chainsAdvanced: number;
    reconciled: number;
    lostUploadsFound: number;
    leftOver: number;
    pages: { sent: number; resolved: number; failed: number };
    errors: { scope: string; error: string }[];
  };
  maxRssKb: number;
}

export interface ThroughputSample {
  client: string;
  op: 'get' | 'list' | 'create';
  round: number;
  requests: number;
  wallMs: number;
  cpuUs: number;
}

const context = (invocationMs: number) => {
  const deadline = Date.now() + invocationMs;
  const quiet = () => undefined;
  return {
    getRequestID: () => `bench-${Math.random().toString(16).slice(2)}`,
    getRemainingTimeInMilliSeconds: () => deadline - Date.now(),
    // Log lines are formatted and redacted as in production, then dropped: FunctionGraph ships them elsewhere.
    getLogger: () => ({ info: quiet, warn: quiet, error: quiet, debug: quiet }),
  };
};

const cpuMs = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const run = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
}

async function burst(job: Extract<WorkerJob, { kind: 'burst' }>): Promise<BurstResult> {
  Object.assign(process.env, job.env);
  const events = JSON.parse(readFileSync(job.eventsFile, 'utf8')) as { Records: { s3: { object: { key: string } } }[] }[];
  const versions = new Map<string, { started: number; returned: boolean; overlapping: number; after: number; retries: number }>();
  const loadStart = performance.now();
  const { handler } = load(job.bundle) as { handler: Handler };
  const loadMs = performance.now() - loadStart;
  const rssAfterLoadKb = peakRssKb();
  const outcomes: Record<string, number> = {};
  const gaveUp: BurstResult['gaveUp'] = [];
  let deliveries = 0;
  let redelivered = 0;
  const memoryPeaksKb: Record<string, number> = {};
  const sampleMemory = () => {
    for (const [name, bytes] of Object.entries(process.memoryUsage())) memoryPeaksKb[name] = Math.max(memoryPeaksKb[name] ?? 0, Math.round(bytes / 1024));
  };
  const sampler = setInterval(sampleMemory, 10);
  const cpu = process.cpuUsage();
  const started = performance.now();
  await pool(events, job.concurrency, async (event) => {
    const key = decodeURIComponent(event.Records[0]?.s3.object.key ?? '?');
    const version = versions.get(key) ?? { started: 0, returned: false, overlapping: 0, after: 0, retries: 0 };
    versions.set(key, version);
    if (version.started > 0) {
      if (version.returned) version.after += 1;
      else version.overlapping += 1;
    }
    version.started += 1;
    for (let delivery = 1; ; delivery++) {
      deliveries += 1;
      try {
        const result = (await handler(event, context(30_000))) as { records: { status: string }[] };
        for (const record of result.records) outcomes[record.status] = (outcomes[record.status] ?? 0) + 1;
        version.returned = true;
        return;
      } catch (error) {
        redelivered += 1;
        version.retries += 1;
        if (delivery >= job.maxDeliveries) {
          gaveUp.push({ key: event.Records[0]?.s3.object.key ?? '?', error: (error as Error).message });
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 50 * delivery));
      }
    }
  });
  const wallMs = performance.now() - started;
  clearInterval(sampler);
  sampleMemory();
  const extraDeliveries: BurstResult['extraDeliveries'] = {};
  for (const [key, { started, overlapping, after, retries }] of versions) if (started > 1 || retries > 0) extraDeliveries[key] = { overlapping, after, retries };
  const result = { wallMs, events: events.length, deliveries, redelivered, gaveUp, extraDeliveries, outcomes, maxRssKb: peakRssKb(), rssAfterLoadKb, memoryPeaksKb, loadMs, cpuMs: cpuMs(cpu) };
  await handler.close?.();
  return result;
}

async function poll(job: Extract<WorkerJob, { kind: 'poll' }>): Promise<void> {
  Object.assign(process.env, job.env);
  const { handler } = load(job.bundle) as { handler: Handler };
  process.send!({ ready: true });
  process.on('message', (message: { tick?: boolean; exit?: boolean }) => {
    if (message.exit) {
      void Promise.resolve(handler.close?.()).finally(() => process.exit(0));
      return;
    }
    const cpu = process.cpuUsage();
    const started = performance.now();
    const timer = { version: 'v1.0', time: new Date().toISOString(), trigger_type: 'TIMER', trigger_name: 'bench', user_event: '' };
    handler(timer, context(job.invocationMs)).then(
      (summary) => process.send!({ tick: { wallMs: performance.now() - started, cpuMs: cpuMs(cpu), summary, maxRssKb: peakRssKb() } }),
      (error: Error) => process.send!({ error: error.stack ?? error.message }),
    );
  });
}

interface DrsLike {
  getBackupMigrationJob(id: string): Promise<unknown>;
  listBackupMigrationJobs(query: { limit: number }): Promise<unknown>;
  createBackupMigrationJob(request: unknown): Promise<{ job_id: string }>;
}

async function throughput(job: Extract<WorkerJob, { kind: 'throughput' }>): Promise<ThroughputSample[]> {
  const clients = Object.entries(job.bundles).map(([name, bundle]) => {
    const { createHuaweiClient } = load(bundle) as { createHuaweiClient: (options: { env: Record<string, string> }) => { drs: DrsLike } };
    return { name, drs: createHuaweiClient({ env: job.env }).drs };
  });
  let created = 0;
  const request = () => {
    created += 1;
    return {
      base_info: { name: `bench-${process.pid}-${created}`, engine_type: 'sqlserver', enterprise_project_id: '0', tags: [] },
      target_db_info: { target_instance_id: 'bench-throughput-in04', ms_file_stream_status: 'off' },
      backup_info: { file_source: 'OBS', bucket_name: 'bench-backups', files: [{ name: 'BENCH_FULL_20261120000000.bak', obs_path: 'throughput/' }] },
      options: { is_cover: false, recovery_mode: 'full', is_default_restore: true, is_last_backup: false, is_precheck: true, is_delete_backup_file: false },
    };
  };
  const { job_id: jobId } = await clients[0]!.drs.createBackupMigrationJob(request());
  const ops = {
    get: (drs: DrsLike) => drs.getBackupMigrationJob(jobId),
    list: (drs: DrsLike) => drs.listBackupMigrationJobs({ limit: 10 }),
    create: (drs: DrsLike) => drs.createBackupMigrationJob(request()),
  };
  const run = (drs: DrsLike, op: keyof typeof ops, n: number) => pool(Array.from({ length: n }, (_, i) => i), job.concurrency, async () => void (await ops[op](drs)));
  // Warm up every path of both clients: JIT, keep-alive connections, schema compilation.
  for (const client of clients) for (const op of Object.keys(ops) as (keyof typeof ops)[]) await run(client.drs, op, job.warmup);
  const samples: ThroughputSample[] = [];
  for (let round = 0; round < job.rounds; round++) {
    for (const op of Object.keys(ops) as (keyof typeof ops)[]) {
      // Alternate which client goes first, so drift in the machine or the cloud's job count cancels.
      const order = round % 2 === 0 ? clients : [...clients].reverse();
      for (const client of order) {
        const cpu = process.cpuUsage();
        const started = performance.now();
        await run(client.drs, op, job.requests);
        samples.push({ client: client.name, op, round, requests: job.requests, wallMs: performance.now() - started, cpuUs: cpuMs(cpu) * 1000 });
      }
    }
  }
  return samples;
}

process.once('message', (job: WorkerJob) => {
  const done = (result: unknown) => process.send!({ result }, () => process.exit(0));
  const fail = (error: Error) => process.send!({ error: error.stack ?? error.message }, () => process.exit(1));
  if (job.kind === 'burst') burst(job).then(done, fail);
  else if (job.kind === 'throughput') throughput(job).then(done, fail);
  else poll(job).catch(fail);
});
