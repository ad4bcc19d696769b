import { compareOrder } from './backup-file';
import type { Chain } from './config';
import { restoreJobName } from './job-name';
import { applyCutoverMarker, closingFile } from './plan';
import type { ChainState } from './state';

/**
 * What an operator may do to a chain from the CLI, as pure decisions over its state, like the
 * upload rules in plan.ts. Each either gives the new state or says why not, in the operator's words.
 */
export type OperatorDecision = { state: ChainState; done: string } | { refused: string };

/**
 * Sends a failed file to DRS again without a re-upload, for when the cause was outside the file (the
 * instance was out of space, a database existed). A new attempt gets a new job name, so the failed
 * job is never adopted in its place.
 */
export function retryFile(state: ChainState, chain: Chain, key: string, now: number): OperatorDecision {
  const file = state.files[key];
  if (!file) return { refused: `${key} is not a file of chain ${chain.id}` };
  if (file.status !== 'failed') return { refused: `${key} is ${file.status}; only a failed file can be retried` };
  const attempt = file.attempt + 1;
  const { jobId: _job, drsStatus: _drs, error: _error, finishedAt: _finished, submittedAt: _submitted, inProgressUntil: _until, ...rest } = file;
  const retried = { ...rest, status: 'waiting' as const, attempt, jobName: restoreJobName(chain.id, chain.bucket, file.key, file.eTag, attempt) };
  return {
    state: { meta: { ...state.meta, updatedAt: now }, files: { ...state.files, [key]: retried } },
    done: `${key} will be restored again (attempt ${attempt}, job ${retried.jobName})`,
  };
}

/**
 * Takes a waiting or failed file out of the chain so the next one can go. Dangerous for a log
 * backup: SQL Server restores logs as an unbroken sequence, so every later log fails unless the
 * skipped one was redundant. The CLI makes the operator confirm `skipConsequences` first.
 */
export function skipFile(state: ChainState, chain: Chain, key: string, now: number): OperatorDecision {
  const file = state.files[key];
  if (!file) return { refused: `${key} is not a file of chain ${chain.id}` };
  if (file.status !== 'waiting' && file.status !== 'failed') {
    return { refused: `${key} is ${file.status}; only a waiting or failed file can be skipped` };
  }
  const skipped = { ...file, status: 'skipped' as const, finishedAt: now };
  return { state: { meta: { ...state.meta, updatedAt: now }, files: { ...state.files, [key]: skipped } }, done: `${key} skipped; the chain continues without it` };
}

/** What skipping `key` means for the migration, said before the operator confirms. */
export function skipConsequences(state: ChainState, key: string): string {
  const file = state.files[key];
  if (file?.kind === 'full') {
    return `${key} is the FULL backup. Without it no log backup of this chain can be restored: the chain waits for a new full backup.`;
  }
  const later = Object.values(state.files).filter((f) => f.kind === 'incremental' && f.status === 'waiting' && f.key !== key && (!file || compareOrder(f.order, file.order) > 0)).length;
  return (
    `${key} is a LOG backup. SQL Server restores logs as one unbroken sequence: unless this file's log range is also in the next file, ` +
    `every later log restore (${later} waiting now) will FAIL and the target database will miss data. Skip only a file you know is redundant.`
  );
}

/** The same as uploading the chain's cutover marker: the next log backup after it is restored as the last. */
export function requestCutover(state: ChainState, chain: Chain, now: number): OperatorDecision {
  if (chain.mode === 'full-only') return { refused: `chain ${chain.id} is full-only: its full backup is already the last` };
  const closing = closingFile(state);
  if (closing) return { refused: `chain ${chain.id} is already closed by ${closing.key}` };
  const decision = applyCutoverMarker(state, chain, '(restore-pilot cutover)', now);
  if (decision.status === 'duplicate') return { refused: `cutover was already requested for chain ${chain.id}` };
  return { state: decision.state, done: decision.reason };
}
