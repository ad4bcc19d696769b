import { join } from 'node:path';
import { startLocalCloud } from '../local-cloud/server';
import { DIST, runWorker } from './children';
import { BUCKET, countByOperation } from './fixtures';
import type { ThroughputSample } from './worker';

export interface ThroughputOptions {
  requests: number;
  concurrency: number;
  rounds: number;
  warmup: number;
}

export interface ThroughputResult {
  samples: ThroughputSample[];
  calls: Record<string, number>;
}

/**
 * get / list / create through our client and through the same client over HcClient (same zod
 * schemas and DrsClient above the transport), against one local cloud without injected latency,
 * in one child process so its CPU time is the clients' alone; rounds alternate which goes first.
 */
export async function runThroughput(options: ThroughputOptions): Promise<ThroughputResult> {
  const cloud = await startLocalCloud();
  cloud.obs.createBucket(BUCKET);
  cloud.obs.put(BUCKET, 'throughput/BENCH_FULL_20261120000000.bak');
  // Keep DRS at the one job `get` reads (the first created): the cloud's list scans every job, and a
  // growing list would make the rounds unequal.
  const prune = setInterval(() => {
    let first = true;
    for (const id of cloud.drs.jobs.keys()) {
      if (!first) cloud.drs.jobs.delete(id);
      first = false;
    }
  }, 20);
  try {
    const samples = await runWorker<ThroughputSample[]>({
      kind: 'throughput',
      bundles: { ours: join(DIST, 'bench/client-ours.js'), hc: join(DIST, 'bench/client-hc.js') },
      env: cloud.env(),
      ...options,
    });
    return { samples, calls: countByOperation(cloud.requests) };
  } finally {
    clearInterval(prune);
    await cloud.close();
  }
}
