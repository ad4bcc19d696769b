import { join } from 'node:path';
import { createUploadHandler } from '../../functions/on-backup-upload/index';
import { startLocalCloud } from '../local-cloud/server';
import { DIST, startWorker } from './children';
import { BrokenRun, BUCKET, chainFiles, countByOperation, deleteKeys, functionEnv, makeChains, statePrefix, uploadEvent } from './fixtures';
import type { TickResult } from './worker';

export interface PollOptions {
  /** Chains, each with one running DRS job: the jobs in flight. */
  chains: number;
  latencyMs: number;
  /** Ticks measured after the first one, on the same state. */
  steadyTicks: number;
  /** Share of the running jobs that finish before each steady tick, so their chains advance. */
  finishShare: number;
}

export interface TickSample {
  concurrency: number;
  first: boolean;
  wallMs: number;
  cpuMs: number;
  calls: number;
  byOperation: Record<string, number>;
  inFlight: number;
  jobsChecked: number;
  chainsAdvanced: number;
  reconciled: number;
  pages: number;
  /** in-flight jobs + chains advanced + pages: the most calls a steady tick should make. */
  bound: number;
  maxRssKb: number;
}

const HOUR = 3_600_000;

/**
 * One setup, one POLL_CONCURRENCY: `chains` chains each with a full restoring (TRANSFERRING, for hours)
 * and logs queued behind it, uploaded through the real upload handler without latency. Then, with the
 * latency on, the poll-jobs bundle in a child process runs the first tick of a fresh instance (it
 * reconciles every chain) and steady ticks, before each of which a share of the jobs finish.
 */
export async function runPollSetup(concurrency: number, options: PollOptions, offset: number): Promise<TickSample[]> {
  const cloud = await startLocalCloud({ drs: { jobDurationMs: 24 * HOUR, precheckMs: 0 } });
  cloud.obs.createBucket(BUCKET);
  const prefix = statePrefix('poll');
  const chains = makeChains(options.chains, cloud);
  const perTick = Math.max(1, Math.round(options.chains * options.finishShare));
  // Enough queued logs that every chain finished before a steady tick has a next file to advance to.
  const logs = Math.ceil((options.steadyTicks * perTick) / options.chains) + 1;
  const env = functionEnv(cloud, prefix, chains, { POLL_CONCURRENCY: String(concurrency) });
  const upload = createUploadHandler({ env });
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
  try {
    const events = chains.flatMap((chain) => chainFiles(chain, logs + 1, false)).map((key) => uploadEvent(cloud, key));
    let next = 0;
    const refused: string[] = [];
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < events.length) {
          const { records } = await upload(events[next++], { getRemainingTimeInMilliSeconds: () => 60_000, getLogger: () => ({ info: () => undefined, warn: () => undefined, error: () => undefined }) });
          for (const r of records) if (r.status !== 'submitted' && r.status !== 'queued') refused.push(`${r.key}: ${r.status}: ${r.reason}`);
        }
      }),
    );
    if (refused.length > 0) throw new BrokenRun(`poll setup: ${refused.length} upload(s) not admitted, e.g. ${refused[0]}`);
    if (cloud.drs.jobs.size !== chains.length) throw new BrokenRun(`poll setup: ${cloud.drs.jobs.size} jobs created for ${chains.length} chains`);
    const headerReads = cloud.requests.filter((r) => r.operation === 'obs.getObject').length;
    if (headerReads !== events.length) throw new BrokenRun(`poll setup: ${headerReads} header reads for ${events.length} uploads`);

    cloud.faults.add({ operation: '*', kind: 'latency', ms: options.latencyMs });
    worker = await startWorker({ kind: 'poll', bundle: join(DIST, 'poll-jobs/index.js'), env, invocationMs: 120_000 });
    const samples: TickSample[] = [];
    for (let tick = 0; tick <= options.steadyTicks; tick++) {
      const first = tick === 0;
      let finished = 0;
      if (!first) {
        // Finish the running jobs of the next `perTick` chains (rotating), as DRS would between ticks.
        const instances = new Set(Array.from({ length: perTick }, (_, i) => chains[(offset + (tick - 1) * perTick + i) % chains.length]!.targetInstanceId));
        for (const job of cloud.drs.jobs.values()) {
          if (instances.has(job.request.target_db_info.target_instance_id) && cloud.drs.statusOf(job) === 'TRANSFERRING') {
            job.endsAt = Date.now() - 1;
            finished += 1;
          }
        }
      }
      const inFlight = [...cloud.drs.jobs.values()].filter((job) => cloud.drs.statusOf(job) === 'TRANSFERRING').length + finished;
      const mark = cloud.requests.length;
      const { tick: result } = await worker.request<{ tick: TickResult }>({ tick: true });
      const s = result.summary;
      if (s.errors.length > 0 || s.leftOver > 0) throw new BrokenRun(`poll tick (POLL_CONCURRENCY ${concurrency}): ${s.leftOver} chain(s) left over, errors ${JSON.stringify(s.errors.slice(0, 3))}`);
      if (s.jobsChecked !== inFlight || s.chainsAdvanced !== finished) {
        throw new BrokenRun(`poll tick (POLL_CONCURRENCY ${concurrency}): checked ${s.jobsChecked} of ${inFlight} jobs, advanced ${s.chainsAdvanced} of ${finished} chains`);
      }
      const calls = cloud.requests.slice(mark);
      // Every version was recorded by the upload handler: the first tick's reconcile lists, never reads.
      const reads = calls.filter((r) => r.operation === 'obs.getObject').length;
      if (reads > 0) throw new BrokenRun(`poll tick (POLL_CONCURRENCY ${concurrency}): ${reads} header read(s) of files already recorded`);
      const failed = [...cloud.drs.jobs.values()].filter((job) => job.outcome !== 'SUCCESS');
      if (failed.length > 0) throw new BrokenRun(`poll tick (POLL_CONCURRENCY ${concurrency}): ${failed.length} DRS job(s) fail, e.g. ${failed[0]!.request.backup_info.files[0]?.name}: ${failed[0]!.errorLog ?? failed[0]!.outcome}`);
      const pages = s.pages.sent + s.pages.resolved + s.pages.failed;
      samples.push({
        concurrency,
        first,
        wallMs: result.wallMs,
        cpuMs: result.cpuMs,
        calls: calls.length,
        byOperation: countByOperation(calls),
        inFlight,
        jobsChecked: s.jobsChecked,
        chainsAdvanced: s.chainsAdvanced,
        reconciled: s.reconciled,
        pages,
        bound: inFlight + s.chainsAdvanced + pages,
        maxRssKb: result.maxRssKb,
      });
    }
    return samples;
  } finally {
    await worker?.stop();
    await upload.close();
    await cloud.close();
    await deleteKeys([prefix]);
  }
}
