import type { Chain } from '../chains/config';
import { restoreKind, viewChain, type DatabaseView, type Step } from '../chains/select';
import type { BackupFileRecord, ChainState } from '../chains/state';
import { changedFiles, markFailed, markNotNeeded, markRunning, markSubmitting, markWaiting, withFile } from '../chains/transitions';
import { preflightVerdict } from '../chains/verdicts';
import { stagingKeyFor } from '../chains/drs-name';
import type { ObsClient } from '../huawei/obs';
import type { DrsClient } from '../huawei/drs';
import { HuaweiApiError, InvalidRequestError } from '../huawei/errors';
import type { Logger } from '../log/logger';
import type { ChainLock, StateStore } from '../state/store';
import { restoreJobRequest } from './job-request';
import { isThrottle } from './pacing';
import { preflightFacts, type PreflightDeps } from './preflight';
import { paceAfterThrottle, settleSlots, takeSlot } from './slot-gate';

export interface SubmitDeps extends PreflightDeps {
  /** Reads, copies and deletes objects: preflight HEAD, DRS-safe staging copies. */
  obs: ObsClient;
  store: StateStore;
  drs: DrsClient;
  logger: Logger;
  now: () => number;
  /** How long a started submission counts as in progress before another invocation may resume it. */
  inProgressMs: number;
  /** Restore jobs in flight at most per target instance (shared/restore/pacing.ts). */
  maxJobsPerInstance: number;
}

export interface Submitted {
  file: BackupFileRecord;
  jobId: string;
  adopted: boolean;
}

export interface AdvanceResult {
  state: ChainState;
  /** Files sent to DRS now (created or adopted), with their jobs. */
  submitted: Submitted[];
  /** Files DRS refused; each now halts its database. */
  refused: { file: BackupFileRecord; reason: string }[];
  /** Fulls whose preflight failed: not sent, checked again next time. */
  held: { file: BackupFileRecord; reason: string }[];
  /** Files whose name DRS refuses: a DRS-safe copy has to be made first (staging.ts), outside the lock. */
  staging: BackupFileRecord[];
  /** Files whose turn came but not their instance's: every restore slot busy, or DRS throttling. Still waiting. */
  queued: { file: BackupFileRecord; reason: string }[];
  /** Every database's view, as decided before acting. */
  views: DatabaseView[];
}

/** Longer than any invocation (the poller's is 5 minutes), so a copy's lease outlives the copier only if it died. */
const COPY_LEASE_MS = 10 * 60_000;

/** DRS answered that it will not take this request: the file halts its database until retried. */
function isRefusal(error: unknown): boolean {
  if (error instanceof InvalidRequestError) return true;
  return error instanceof HuaweiApiError && error.kind === 'http' && error.status === 400;
}

type SubmitStep = Extract<Step, { kind: 'submit' }>;
type SubmitOutcome = { state: ChainState; submitted?: Submitted; refused?: { file: BackupFileRecord; reason: string }; queued?: { file: BackupFileRecord; reason: string } };

/**
 * Sends one file to DRS, exactly once: it is recorded as `submitting` before the create call; a
 * create whose outcome is unknown, and any resumed submission, first looks the job up by its
 * deterministic name and adopts it.
 */
async function submitFile(deps: SubmitDeps, chain: Chain, lock: ChainLock, state: ChainState, step: SubmitStep, slotSince: number): Promise<SubmitOutcome> {
  const { file } = step;
  const save = async (next: ChainState) => {
    await deps.store.save(lock, { meta: next.meta, files: [next.files[file.key]!] });
    return next;
  };
  const log = deps.logger.child({ chain: chain.id, file: file.key, jobName: file.jobName });
  const adopt = async (): Promise<string | undefined> => {
    const [job] = await deps.drs.findBackupMigrationJobsByName(file.jobName);
    if (job) log.warn('restore.job.adopted', { jobId: job.id, status: job.status });
    return job?.id;
  };
  const running = async (jobId: string, adopted: boolean): Promise<SubmitOutcome> => {
    const next = await save(markRunning(state, file.key, jobId, deps.now()));
    log.info('restore.job.submitted', { jobId, adopted, isLastBackup: step.isLastBackup });
    return { state: next, submitted: { file: next.files[file.key]!, jobId, adopted } };
  };

  state = await save(markSubmitting(state, file.key, step.isLastBackup, deps.now(), deps.inProgressMs));
  // A resumed submission may already have a job: look first. A failed lookup propagates and leaves
  // the file `submitting`, to be resumed again; it must never fall through to a blind create.
  const existing = step.resume ? await adopt() : undefined;
  if (existing) return running(existing, true);
  let created: string;
  try {
    created = (await deps.drs.createBackupMigrationJob(restoreJobRequest(chain, file, step.isLastBackup))).job_id;
  } catch (error) {
    if (error instanceof HuaweiApiError && error.outcomeUnknown) {
      // The create may have reached DRS, possibly not yet visible in its list. The file stays
      // `submitting`; after inProgressUntil the next step resumes it with another lookup.
      const found = await adopt();
      if (!found) throw error;
      return running(found, true);
    }
    if (isThrottle(error)) {
      // Not the file's fault: it keeps its turn and its place, the instance slows down (a resumed
      // submission stays submitting, so its next try still looks the job up first).
      const next = step.resume ? state : await save(markWaiting(state, file.key, deps.now()));
      const reason = await paceAfterThrottle(deps, chain, file.header.databaseName, slotSince, error);
      return { state: next, queued: { file: next.files[file.key]!, reason } };
    }
    if (isRefusal(error)) {
      const message = (error as Error).message;
      log.error('restore.job.refused', { error });
      const next = await save(markFailed(state, file.key, message, deps.now()));
      return { state: next, refused: { file: next.files[file.key]!, reason: `DRS refused the restore: ${message}` } };
    }
    // Rejected before DRS acted (429, 401, 403…): safe to try again later. A resumed submission stays
    // submitting, so the next try looks the job up by name again before it would ever create.
    if (!step.resume) await save(markWaiting(state, file.key, deps.now()));
    throw error;
  }
  await deps.store.slots.accepted(chain.targetInstanceId);
  // Outside the try: a failure to record the job must leave the file `submitting`, to be adopted.
  return running(created, false);
}

/**
 * Holding the chain's lock: takes out the files the chain does not need (one save), then sends each
 * database's next file to DRS if its turn has come. Databases restore side by side, each strictly
 * one file at a time.
 */
export async function advanceChain(deps: SubmitDeps, chain: Chain, lock: ChainLock, state: ChainState): Promise<AdvanceResult> {
  const views = viewChain(state, chain, deps.now());
  let next = state;
  for (const view of views) for (const { file, because } of view.notNeeded) next = markNotNeeded(next, file.key, because, deps.now());
  if (next !== state) await deps.store.save(lock, { meta: next.meta, files: changedFiles(state, next) });
  const result: AdvanceResult = { state: next, submitted: [], refused: [], held: [], staging: [], queued: [], views };
  await settleSlots(deps, chain, views);
  // Databases never wait for each other: one database's failed call is thrown after the others had their turn.
  let failure: unknown;
  const step = async (view: DatabaseView): Promise<void> => {
    if (view.next.kind !== 'submit') return;
    const { file } = view.next;
    if (restoreKind(file) === 'full' && !file.preflight?.passed && !file.preflightOverride && !view.next.resume) {
      const verdict = preflightVerdict(file.header, await preflightFacts(deps, chain, file), deps.now());
      const before = result.state.files[file.key]!;
      if (before.preflight?.passed !== verdict.passed || before.preflight?.code !== verdict.code) {
        result.state = withFile(result.state, { ...before, preflight: verdict }, deps.now());
        await deps.store.save(lock, { meta: result.state.meta, files: [result.state.files[file.key]!] });
      }
      if (!verdict.passed) {
        deps.logger.warn('restore.preflight.held', { chain: chain.id, file: file.key, code: verdict.code });
        result.held.push({ file: result.state.files[file.key]!, reason: `held by the preflight (${verdict.code}): ${verdict.detail}` });
        return;
      }
    }
    const stagingKey = stagingKeyFor(chain.stagingPrefix, chain.id, chain.bucket, file.key, file.eTag);
    if (stagingKey && !result.state.files[file.key]!.staging?.eTag) {
      const current = result.state.files[file.key]!;
      // Another invocation is copying it now: one copy at a time, whoever gets here first.
      if ((current.staging?.copyingUntil ?? 0) > deps.now()) return;
      const staging = { key: stagingKey, ...(current.staging?.uploadId ? { uploadId: current.staging.uploadId } : {}), copyingUntil: deps.now() + COPY_LEASE_MS };
      result.state = withFile(result.state, { ...current, staging }, deps.now());
      await deps.store.save(lock, { meta: result.state.meta, files: [result.state.files[file.key]!] });
      result.staging.push(result.state.files[file.key]!);
      return;
    }
    const slot = await takeSlot(deps, chain, view);
    if (!slot.granted) {
      result.queued.push({ file: result.state.files[file.key]!, reason: slot.reason });
      return;
    }
    const outcome = await submitFile(deps, chain, lock, result.state, { ...view.next, file: result.state.files[file.key] as typeof file }, slot.since);
    result.state = outcome.state;
    if (outcome.submitted) result.submitted.push(outcome.submitted);
    if (outcome.refused) result.refused.push(outcome.refused);
    if (outcome.queued) result.queued.push(outcome.queued);
  };
  for (const view of views) {
    try {
      await step(view);
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure !== undefined) throw failure;
  return result;
}
