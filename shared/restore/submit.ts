import type { Chain } from '../chains/config';
import { markFailed, markRunning, markSubmitting, markWaiting, nextSubmission } from '../chains/plan';
import type { BackupFileRecord, ChainState } from '../chains/state';
import type { DrsClient } from '../huawei/drs';
import { HuaweiApiError, InvalidRequestError } from '../huawei/errors';
import type { Logger } from '../log/logger';
import type { ChainLock, StateStore } from '../state/store';
import { restoreJobRequest } from './job-request';

export interface SubmitDeps {
  store: StateStore;
  drs: DrsClient;
  logger: Logger;
  now: () => number;
  /** How long a started submission counts as in progress before another invocation may resume it. */
  inProgressMs: number;
}

export interface AdvanceResult {
  state: ChainState;
  /** The file sent to DRS now (created or adopted), with its job. */
  submitted?: BackupFileRecord;
  jobId?: string;
  adopted?: boolean;
  /** The file DRS refused; it now halts the chain. */
  refused?: BackupFileRecord;
  reason: string;
}

/** DRS answered that it will not take this request: the file halts the chain until re-uploaded. */
function isRefusal(error: unknown): boolean {
  if (error instanceof InvalidRequestError) return true;
  return error instanceof HuaweiApiError && error.kind === 'http' && error.status === 400;
}

/**
 * Holding the chain's lock, sends the chain's next file to DRS if its turn has come. Exactly once:
 * the file is recorded as `submitting` before the create call; a create whose outcome is unknown,
 * and any resumed submission, first looks the job up by its deterministic name and adopts it.
 */
export async function advanceChain(deps: SubmitDeps, chain: Chain, lock: ChainLock, state: ChainState): Promise<AdvanceResult> {
  const save = async (next: ChainState, changedKey: string) => {
    await deps.store.save(lock, { meta: next.meta, files: [next.files[changedKey]!] });
    return next;
  };
  const step = nextSubmission(state, chain, deps.now());
  if (!step.submit) return { reason: step.reason, state };
  const file = step.submit;
  const log = deps.logger.child({ chain: chain.id, file: file.key, jobName: file.jobName });

  const adopt = async (): Promise<string | undefined> => {
    const [job] = await deps.drs.findBackupMigrationJobsByName(file.jobName);
    if (job) log.warn('restore.job.adopted', { jobId: job.id, status: job.status });
    return job?.id;
  };

  state = await save(markSubmitting(state, file.key, step.isLastBackup, deps.now(), deps.inProgressMs), file.key);
  // A resumed submission may already have a job: look first. A failed lookup propagates and leaves
  // the file `submitting`, to be resumed again; it must never fall through to a blind create.
  let jobId = step.resume ? await adopt() : undefined;
  const adopted = jobId !== undefined;
  if (!jobId) {
    try {
      jobId = (await deps.drs.createBackupMigrationJob(restoreJobRequest(chain, file, step.isLastBackup))).job_id;
    } catch (error) {
      if (error instanceof HuaweiApiError && error.outcomeUnknown) {
        // The create may have reached DRS, possibly not yet visible in its list. The file stays
        // `submitting`; after inProgressUntil the next step resumes it with another lookup.
        const found = await adopt();
        if (!found) throw error;
        state = await save(markRunning(state, file.key, found, deps.now()), file.key);
        return { submitted: state.files[file.key]!, jobId: found, adopted: true, state, reason: 'adopted the existing DRS job' };
      }
      if (isRefusal(error)) {
        const message = (error as Error).message;
        log.error('restore.job.refused', { error });
        const next = await save(markFailed(state, file.key, message, deps.now()), file.key);
        return { refused: next.files[file.key]!, reason: `DRS refused the restore: ${message}`, state: next };
      }
      // Rejected before DRS acted (429, 401, 403…): safe to try again later.
      await save(markWaiting(state, file.key, deps.now()), file.key);
      throw error;
    }
  }
  state = await save(markRunning(state, file.key, jobId, deps.now()), file.key);
  log.info('restore.job.submitted', { jobId, adopted, isLastBackup: step.isLastBackup });
  return { submitted: state.files[file.key]!, jobId, adopted, state, reason: adopted ? 'adopted the existing DRS job' : 'restore job created' };
}
