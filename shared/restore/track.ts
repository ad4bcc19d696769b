import { chainIdOf } from '../chains/chain-id';
import type { Chain } from '../chains/config';
import type { BackupFileRecord, ChainState } from '../chains/state';
import { fileStatusOfJob, markFailed, markSucceeded, withFile } from '../chains/transitions';
import { runChainStep } from './chain-step';
import { makeStagingCopies, type StagingDeps } from './staging';

export interface TrackResult {
  chain: string;
  /** The chain's state after this step. */
  state: ChainState;
  /** The running jobs' files and what DRS says of them now. */
  checked: { file: BackupFileRecord; drsStatus: string }[];
  /** Files sent to DRS in this step. */
  submitted: BackupFileRecord[];
  /** Files whose turn came but whose target instance had no restore slot free. */
  queued: BackupFileRecord[];
}

/**
 * One step of a database's chain after the upload: reads its running job from DRS (one at most),
 * records SUCCESS or failure, then sends the next file — under the chain's lock, with the same
 * exactly-once rules as the upload handler.
 */
export async function trackChain(deps: StagingDeps, chain: Chain, database: string): Promise<TrackResult> {
  const { result, advanced } = await runChainStep(deps, chain, database, async (state) => {
    const checked: TrackResult['checked'] = [];
    for (const running of Object.values(state.files).filter((f) => f.status === 'running' && f.jobId)) {
      const job = await deps.drs.getBackupMigrationJob(running.jobId!);
      checked.push({ file: running, drsStatus: job.status });
      const status = fileStatusOfJob(job.status);
      if (status === 'succeeded') {
        state = markSucceeded(state, running.key, deps.now());
        // The DRS-safe copy has served: it goes (a lifecycle rule on the staging prefix is the safety net).
        if (running.staging?.eTag && !running.staging.deleted) {
          try {
            await deps.obs.deleteObject(chain.bucket, running.staging.key);
            state = withFile(state, { ...state.files[running.key]!, staging: { ...running.staging, deleted: true } }, deps.now());
          } catch (error) {
            // The restore succeeded all the same: record that. The copy stays, shown in status, for the lifecycle rule.
            deps.logger.warn('staging.copy.delete.failed', { chain: chain.id, file: running.key, copy: running.staging.key, error });
          }
        }
      }
      if (status === 'failed') state = markFailed(state, running.key, job.error_log ?? `${job.status} without an error log`, deps.now(), job.status);
    }
    return { state, advance: true, result: checked };
  });
  const done = await makeStagingCopies(deps, chain, advanced!);
  return { chain: chainIdOf(chain, database), state: done.state, checked: result, submitted: done.submitted.map((s) => s.file), queued: done.queued.map((q) => q.file) };
}
