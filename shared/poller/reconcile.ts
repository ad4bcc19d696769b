import { admitBackup, applyCutoverMarker, isRedelivery, type HeaderRead } from '../chains/admit';
import type { Chain } from '../chains/config';
import { restoreJobName } from '../chains/job-name';
import { adoptJob } from '../chains/transitions';
import type { ObsClient, ObsObject } from '../huawei/obs';
import { runChainStep, type ChainStepDeps } from '../restore/chain-step';
import type { ReadHeader } from '../restore/upload';

export interface ReconcileResult {
  /** Backup files found in OBS that the upload handler never recorded. */
  queued: string[];
  /** Of those, files whose DRS job already existed under their deterministic name. */
  adopted: string[];
}

/**
 * Makes a lost upload event harmless: lists the chain's OBS prefix, reads the header of every object
 * version the state does not know (outside the lock: one ranged read each), records them under the
 * lock with the same rules as an upload, adopts DRS jobs that already exist under those files'
 * deterministic names; the tick's tracking step then moves the chain on.
 */
export async function reconcileChain(deps: ChainStepDeps & { obs: ObsClient; readHeader: ReadHeader }, chain: Chain): Promise<ReconcileResult> {
  const listed = await deps.obs.listAllObjects(chain.bucket, chain.prefix);
  const known = await deps.store.load(chain.id);
  const considered = (o: ObsObject) =>
    !o.key.startsWith(chain.stagingPrefix) && (o.key === chain.cutoverMarker || !chain.pattern || chain.pattern.test(o.key.slice(chain.prefix.length)));
  const unknown = listed.filter((o) => considered(o) && !isRedelivery(known.files[o.key], { key: o.key, eTag: o.eTag, now: 0 }));
  const reads = new Map<string, HeaderRead>();
  for (const object of unknown) {
    if (object.key === chain.cutoverMarker) continue;
    const read = await deps.readHeader({ bucket: chain.bucket, key: object.key, eTag: object.eTag });
    // A version replaced since the listing is left to its own event or the next reconcile.
    if (!('changed' in read)) reads.set(object.key, read);
  }

  // DRS's jobs under the chain's names, listed before the lock: a long migration has thousands.
  const jobs = reads.size > 0 ? new Map((await deps.drs.listAllBackupMigrationJobs({ name: `rp-${chain.id}-` })).map((job) => [job.name.toLowerCase(), job])) : new Map();

  const { result } = await runChainStep(deps, chain, async (before) => {
    let state = before;
    const queued: string[] = [];
    // In upload order, so "the next log after the cutover marker" means the same as for events.
    const byUploadTime = [...unknown].sort((a, b) => a.lastModified.localeCompare(b.lastModified) || (a.key < b.key ? -1 : 1));
    for (const object of byUploadTime) {
      const createdAt = Date.parse(object.lastModified);
      const upload = { key: object.key, eTag: object.eTag, now: deps.now(), ...(Number.isFinite(createdAt) ? { createdAt } : {}) };
      if (object.key === chain.cutoverMarker) {
        state = applyCutoverMarker(state, chain, object.key, upload.now, upload.createdAt ?? upload.now).state;
        continue;
      }
      const read = reads.get(object.key);
      if (!read) continue;
      const decision = admitBackup(state, chain, upload, read);
      state = decision.state;
      if (decision.status === 'queued') queued.push(object.key);
    }
    const adopted: string[] = [];
    if (queued.length > 0) {
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
    if (queued.length > 0) deps.logger.warn('reconcile.found', { chain: chain.id, queued, adopted });
    // The tick's tracking step, right after, moves the chain on (and makes any DRS-safe copies it needs).
    return { state, advance: false, result: { queued, adopted } };
  });
  return result;
}
