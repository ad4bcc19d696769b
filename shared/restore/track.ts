import type { Chain } from '../chains/config';
import { markFailed, markSucceeded, runningFile } from '../chains/plan';
import type { BackupFileRecord, ChainState } from '../chains/state';
import { withChainLock } from '../state/store';
import { advanceChain, type SubmitDeps } from './submit';

export interface TrackResult {
  chain: string;
  /** The chain's state after this step. */
  state: ChainState;
  /** The running job's file and what DRS says of it now. */
  checked?: { file: BackupFileRecord; drsStatus: string };
  /** Set when the chain's next file was sent to DRS. */
  submitted?: BackupFileRecord;
  reason?: string;
}

/**
 * One step of a chain's life after the upload: reads the running job from DRS, records SUCCESS or
 * failure, and on SUCCESS sends the next waiting file — under the chain's lock, with the same
 * exactly-once rules as the upload handler.
 */
export async function trackChain(deps: SubmitDeps & { lockTtlMs: number; lockWaitMs: number }, chain: Chain): Promise<TrackResult> {
  return withChainLock(deps.store, chain.id, { ttlMs: deps.lockTtlMs, waitMs: deps.lockWaitMs }, async (lock) => {
    let state = await deps.store.load(chain.id);
    const running = runningFile(state);
    let checked: TrackResult['checked'];
    if (running?.jobId) {
      const job = await deps.drs.getBackupMigrationJob(running.jobId);
      checked = { file: running, drsStatus: job.status };
      if (job.status === 'SUCCESS') state = markSucceeded(state, running.key, deps.now());
      else if (job.status === 'FAILED' || job.status === 'PRECHECK FAILED') {
        state = markFailed(state, running.key, job.error_log ?? `${job.status} without an error log`, deps.now(), job.status);
      }
      if (job.status !== 'TRANSFERRING') await deps.store.save(lock, { meta: state.meta, files: [state.files[running.key]!] });
      if (job.status !== 'SUCCESS') return { chain: chain.id, state, checked, reason: `job ${job.status}` };
    }
    const advanced = await advanceChain(deps, chain, lock, state);
    return {
      chain: chain.id,
      state: advanced.state,
      ...(checked ? { checked } : {}),
      ...(advanced.submitted ? { submitted: advanced.submitted } : { reason: advanced.reason }),
    };
  });
}
