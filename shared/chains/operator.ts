import { applyCutoverMarker } from './admit';
import type { Chain } from './config';
import { restoreJobName } from './job-name';
import { closingFileOf, databasesOf, lsn, viewChain } from './select';
import type { BackupFileRecord, ChainState } from './state';

/**
 * What an operator may do to a chain from the CLI, as pure decisions over its state, like the
 * upload rules in admit.ts. Each either gives the new state or says why not, in the operator's words.
 */
export type OperatorDecision = { state: ChainState; done: string } | { refused: string };

/** The file back in line as attempt `attempt`: its last job's traces gone, a job name of its own. */
function waitingAgain(chain: Chain, record: BackupFileRecord, attempt: number): BackupFileRecord {
  const { jobId: _job, drsStatus: _drs, error: _error, finishedAt: _finished, submittedAt: _submitted, inProgressUntil: _until, ...rest } = record;
  return { ...rest, status: 'waiting', attempt, jobName: restoreJobName(chain.id, chain.bucket, record.key, record.eTag, attempt) };
}

/**
 * Sends a failed file to DRS again without a re-upload, for when the cause was outside the file (the
 * instance was out of space, a database existed). A new attempt gets a new job name, so the failed
 * job is never adopted in its place.
 */
export function retryFile(state: ChainState, chain: Chain, key: string, now: number): OperatorDecision {
  const file = state.files[key];
  if (!file) return { refused: `${key} is not a file of chain ${chain.id}` };
  if (file.status === 'waiting' && file.preflight?.passed === false && !file.preflightOverride) {
    return {
      state: { meta: { ...state.meta, updatedAt: now }, files: { ...state.files, [key]: { ...file, preflightOverride: true } } },
      done: `${key} will be sent to DRS despite its preflight (${file.preflight.code})`,
    };
  }
  if (file.status !== 'failed') return { refused: `${key} is ${file.status}; only a failed file, or one held by its preflight, can be retried` };
  const retried = waitingAgain(chain, file, file.attempt + 1);
  return {
    state: { meta: { ...state.meta, updatedAt: now }, files: { ...state.files, [key]: retried } },
    done: `${key} will be restored again (attempt ${retried.attempt}, job ${retried.jobName})`,
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
  if (file?.header?.type === 'full') {
    return `${key} is the FULL backup of ${file.header.databaseName}. Without it no log backup of that database can be restored: it waits for a new full backup.`;
  }
  const after = file?.header ? lsn(file.header.lastLsn) : undefined;
  const later = Object.values(state.files).filter(
    (f) => f.header?.type === 'log' && f.header.databaseName === file?.header?.databaseName && f.status === 'waiting' && f.key !== key && (after === undefined || lsn(f.header.lastLsn) > after),
  ).length;
  return (
    `${key} is a LOG backup. SQL Server restores logs as one unbroken sequence: unless this file's log range is also in the next file, ` +
    `every later log restore (${later} waiting now) will FAIL and the target database will miss data. Skip only a file you know is redundant.`
  );
}

/** The same as uploading the chain's cutover marker: the next log backup after it is restored as the last. */
export function requestCutover(state: ChainState, chain: Chain, now: number): OperatorDecision {
  if (chain.mode === 'full-only') return { refused: `chain ${chain.id} is full-only: its full backup is already the last` };
  const databases = [...databasesOf(state).values()];
  if (databases.length > 0 && databases.every((files) => closingFileOf(files))) return { refused: `every database of chain ${chain.id} already has its last backup restored or in DRS` };
  const decision = applyCutoverMarker(state, chain, '(restore-pilot cutover)', now);
  if (decision.status === 'duplicate') return { refused: `cutover was already requested for chain ${chain.id}` };
  return { state: decision.state, done: decision.reason };
}

/**
 * Restarts a database from a newer full backup when its log chain is broken for good (the missing log
 * is gone): the full is restored over the restoring database (is_cover), then the logs after it.
 * Everything else of that database leaves the chain.
 */
export function restartFrom(state: ChainState, chain: Chain, key: string, now: number): OperatorDecision {
  const full = state.files[key];
  if (!full?.header || full.header.type !== 'full' || full.status === 'refused') return { refused: `${key} is not a full backup DRS can restore in chain ${chain.id}` };
  const database = full.header.databaseName;
  const files = Object.values(state.files).filter((f) => f.header?.databaseName === database && f.status !== 'refused');
  const busy = files.find((f) => f.status === 'submitting' || f.status === 'running');
  if (busy) return { refused: `${busy.key} of ${database} is being restored now; wait until it ends` };
  const fresh = (record: BackupFileRecord) => {
    const attempt = record.jobId || record.status === 'failed' ? record.attempt + 1 : record.attempt;
    // A copy deleted after an earlier restore is gone: the file is staged again if DRS needs a copy.
    const { because: _because, isLastBackup: _last, staging, ...kept } = record;
    return waitingAgain(chain, staging && !staging.deleted ? { ...kept, staging } : kept, attempt);
  };
  const point = lsn(full.header.lastLsn);
  const next = { ...state.files };
  for (const file of files) {
    if (file.key === key) next[key] = { ...fresh(file), cover: true };
    else if (file.header?.type === 'log' && lsn(file.header.lastLsn) >= point) next[file.key] = fresh(file);
    else if (file.status !== 'superseded' && file.status !== 'skipped') next[file.key] = { ...file, status: 'superseded', finishedAt: now };
  }
  return { state: { meta: { ...state.meta, updatedAt: now }, files: next }, done: `${database} restarts from ${key} (restored over the existing database), then the log backups after it` };
}

/**
 * `restore-pilot cutover CHAIN --dry-run`: per database, which backup would be restored as the last
 * and what still stands in the way, without changing anything.
 */
export function cutoverPreview(state: ChainState, chain: Chain, now: number): string[] {
  const cutoverAt = state.meta.cutoverRequestedAt ?? now;
  return viewChain({ ...state, meta: { ...state.meta, cutoverRequestedAt: cutoverAt } }, chain, now).map((view) => {
    const final = view.final ? `final: ${view.final.key} (LSN ${view.final.header.firstLsn}–${view.final.header.lastLsn})` : 'final: the next log backup uploaded after the cutover';
    const waiting = view.files.filter((f) => f.status === 'waiting' && f.key !== view.final?.key && !view.notNeeded.some((n) => n.file === f));
    const blockers = [
      ...(view.next.kind === 'wait' && view.next.code !== 'nothing-waiting' && view.next.code !== 'complete' ? [view.next.detail] : []),
      ...(waiting.length > 0 ? [`${waiting.length} backup(s) still to restore before it`] : []),
    ];
    const verdict = view.next.kind === 'wait' && view.next.code === 'complete' ? 'already complete' : blockers.length ? `blocked: ${blockers.join('; ')}` : 'nothing in the way';
    return `${view.database}: ${final}; ${verdict}`;
  });
}
