import type { Chain } from '../chains/config';
import { restoreJobName } from '../chains/job-name';
import { adoptJob, changedFiles, recordObject } from '../chains/plan';
import type { ObsClient } from '../huawei/obs';
import { advanceChain, type SubmitDeps } from '../restore/submit';
import { withChainLock } from '../state/store';

export interface ReconcileResult {
  /** Backup files found in OBS that the upload handler never recorded. */
  queued: string[];
  /** Of those, files whose DRS job already existed under their deterministic name. */
  adopted: string[];
}

/**
 * Makes a lost upload event harmless: lists the chain's OBS prefix, records every object the state
 * does not know (same rules as an upload), adopts DRS jobs that already exist under those files'
 * deterministic names, then lets the chain take its next step.
 */
export async function reconcileChain(
  deps: SubmitDeps & { obs: ObsClient; lockTtlMs: number; lockWaitMs: number },
  chain: Chain,
): Promise<ReconcileResult> {
  const objects = await deps.obs.listAllObjects(chain.bucket, chain.prefix);
  return withChainLock(deps.store, chain.id, { ttlMs: deps.lockTtlMs, waitMs: deps.lockWaitMs }, async (lock) => {
    const before = await deps.store.load(chain.id);
    let state = before;
    const queued: string[] = [];
    // In upload order, so "the next log after the cutover marker" means the same as for events.
    const byUploadTime = [...objects].sort((a, b) => a.lastModified.localeCompare(b.lastModified) || (a.key < b.key ? -1 : 1));
    for (const object of byUploadTime) {
      if (state.files[object.key]?.eTag === object.eTag) continue;
      const decision = recordObject(state, chain, { key: object.key, eTag: object.eTag, now: deps.now() });
      state = decision.state;
      if (decision.status === 'queued') queued.push(object.key);
    }
    const adopted: string[] = [];
    if (queued.length > 0) {
      const jobs = new Map((await deps.drs.listAllBackupMigrationJobs({ name: `rp-${chain.id}-` })).map((job) => [job.name.toLowerCase(), job]));
      for (const key of queued) {
        // The latest attempt wins: a file retried before the state was lost has jobs under several names.
        const file = state.files[key]!;
        let attempt = 1;
        while (jobs.has(restoreJobName(chain.id, chain.bucket, key, file.eTag, attempt + 1))) attempt += 1;
        const jobName = restoreJobName(chain.id, chain.bucket, key, file.eTag, attempt);
        const job = jobs.get(jobName);
        if (!job) continue;
        state = adoptJob({ ...state, files: { ...state.files, [key]: { ...file, attempt, jobName } } }, key, job, deps.now());
        adopted.push(key);
      }
    }
    state = { ...state, meta: { ...state.meta, reconciledAt: deps.now() } };
    await deps.store.save(lock, { meta: state.meta, files: changedFiles(before, state) });
    if (queued.length > 0) deps.logger.warn('reconcile.found', { chain: chain.id, queued, adopted });
    await advanceChain(deps, chain, lock, state);
    return { queued, adopted };
  });
}
