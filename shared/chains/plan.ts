import { classifyBackupFile, compareOrder, type BackupFileName } from './backup-file';
import type { Chain } from './config';
import { restoreJobName } from './job-name';
import { MAX_NOTICES, type BackupFileRecord, type ChainState, type NoticeKind } from './state';

/**
 * The chain's rules as plain functions over its state: nothing here does I/O. Each returns a new
 * state; the caller stores it under the chain's lock and then acts.
 */

export type UploadStatus = 'queued' | 'duplicate' | 'ignored' | 'cutover';
export interface UploadDecision {
  state: ChainState;
  status: UploadStatus;
  reason: string;
}

export interface Upload {
  key: string;
  eTag: string;
  /** The event's sequencer (or time); undefined when found by listing OBS. */
  uploadId?: string;
  now: number;
}

const ACTIVE: ReadonlySet<string> = new Set(['submitting', 'running', 'succeeded']);

/** Adds a notice once per kind and file: the same file seen again (redelivery, reconcile) adds nothing. */
function withNotice(state: ChainState, kind: NoticeKind, key: string, detail: string, now: number): ChainState {
  if (state.meta.notices.some((n) => n.kind === kind && n.key === key)) return state;
  const notices = [...state.meta.notices, { kind, key, at: now, detail }].slice(-MAX_NOTICES);
  return { ...state, meta: { ...state.meta, notices, updatedAt: now } };
}

function withFile(state: ChainState, record: BackupFileRecord, now: number): ChainState {
  return { meta: { ...state.meta, updatedAt: now }, files: { ...state.files, [record.key]: record } };
}

const records = (state: ChainState) => Object.values(state.files);

/** Files no longer part of the restore sequence: replaced by a new full, or skipped by an operator. */
export function isOutOfChain(record: Pick<BackupFileRecord, 'status'>): boolean {
  return record.status === 'superseded' || record.status === 'skipped';
}

/** The records `after` changed or added relative to `before`: what a save has to write. */
export function changedFiles(before: ChainState, after: ChainState): BackupFileRecord[] {
  return records(after).filter((record) => record !== before.files[record.key]);
}

/** The backup sent as the last one (final, or a full-only chain's full), once in DRS: the chain takes nothing after it. */
export function closingFile(state: ChainState): BackupFileRecord | undefined {
  return records(state).find((r) => (r.final || r.isLastBackup === true) && ACTIVE.has(r.status));
}

/** Sort order of a chain: the full first, then incrementals by order key. */
export function chainOrder(a: Pick<BackupFileRecord, 'kind' | 'order'>, b: Pick<BackupFileRecord, 'kind' | 'order'>): number {
  if (a.kind !== b.kind) return a.kind === 'full' ? -1 : 1;
  return compareOrder(a.order, b.order);
}

/** Records a backup file's upload: queued for its turn, a duplicate, or ignored with a notice for on-call. */
export function applyUpload(state: ChainState, chain: Chain, upload: Upload, name: BackupFileName): UploadDecision {
  const { key, eTag, now } = upload;
  const existing = state.files[key];
  // Same content again: a redelivered event, unless the file failed and this is a new upload of it
  // (OBS gives identical content the same eTag), which retries it.
  const retry = existing?.eTag === eTag && existing.status === 'failed' && upload.uploadId !== undefined && upload.uploadId !== existing.uploadId;
  if (existing?.eTag === eTag && !retry) return { state, status: 'duplicate', reason: `already seen this version (${existing.status})` };

  const ignore = (kind: NoticeKind, reason: string): UploadDecision => ({ state: withNotice(state, kind, key, reason, now), status: 'ignored', reason });

  if (existing && existing.status !== 'failed' && existing.status !== 'waiting') {
    const was = { succeeded: 'restored', skipped: 'skipped by an operator', superseded: 'replaced by a newer full backup' }[existing.status as string] ?? 'being restored';
    return ignore('reupload-ignored', `a new version of a file already ${was}; the upload was not restored`);
  }
  const closing = closingFile(state);
  if (closing) return ignore('upload-to-closed-chain', `the chain is closed: its final backup ${closing.key} was already sent to DRS`);
  if (chain.mode === 'full-only' && name.kind === 'incremental') return ignore('unexpected-file', 'a log backup in a full-only chain; only the full backup is restored');

  const others = records(state).filter((r) => r.key !== key && !isOutOfChain(r));
  const full = others.find((r) => r.kind === 'full');
  let next = state;
  if (name.kind === 'full' && full) {
    const restartable = full.status === 'failed' && !others.some((r) => r.kind === 'incremental' && ACTIVE.has(r.status));
    if (!restartable) return ignore('unexpected-file', `the chain already has the full backup ${full.key}`);
    next = withFile(next, { ...full, status: 'superseded' }, now);
  }
  if (name.kind === 'full') {
    // Logs taken before the full cannot follow it (whether it replaces a failed or skipped full or is
    // the first): they leave the chain, and on-call hears of it.
    for (const log of others.filter((r) => r.kind === 'incremental' && r.status === 'waiting' && compareOrder(r.order, name.order) <= 0)) {
      next = withNotice(withFile(next, { ...log, status: 'superseded' }, now), 'late-file', log.key, `older than the new full backup ${key}; it will not be restored`, now);
    }
  }
  if (name.kind === 'incremental') {
    if (full && compareOrder(name.order, full.order) <= 0) return ignore('late-file', `a log backup older than the full backup ${full.key}`);
    const newestSent = others.filter((r) => r.kind === 'incremental' && ACTIVE.has(r.status)).sort(chainOrder).at(-1);
    if (newestSent && compareOrder(name.order, newestSent.order) <= 0) {
      return ignore('late-file', `a log backup older than ${newestSent.key}, which was already sent to DRS`);
    }
    const waitingFinal = others.find((r) => r.final && r.status === 'waiting');
    if (waitingFinal && compareOrder(name.order, waitingFinal.order) > 0) {
      return ignore('upload-to-closed-chain', `a log backup after the final backup ${waitingFinal.key}`);
    }
  }

  // After the cutover marker, only a new log newer than every known log is the tail-log backup.
  const cutoverFinal =
    name.kind === 'incremental' &&
    !existing &&
    state.meta.cutoverRequestedAt !== undefined &&
    !others.some((r) => r.final && r.status !== 'failed') &&
    others.every((r) => r.kind === 'full' || compareOrder(name.order, r.order) > 0);
  const attempt = retry ? existing.attempt + 1 : 1;
  const record: BackupFileRecord = {
    key,
    eTag,
    ...(upload.uploadId !== undefined ? { uploadId: upload.uploadId } : {}),
    attempt,
    kind: name.kind,
    order: name.order,
    final: name.final || cutoverFinal || existing?.final === true,
    status: 'waiting',
    jobName: restoreJobName(chain.id, chain.bucket, key, eTag, attempt),
    uploadedAt: now,
  };
  next = withFile(next, record, now);
  if (record.final) next = { ...next, meta: { ...next.meta, notices: next.meta.notices.filter((n) => n.kind !== 'cutover-awaiting-tail-log') } };
  const reason = retry ? `re-upload of the failed file recorded (attempt ${attempt})` : existing ? `new version of ${existing.status} file recorded` : 'recorded';
  return { state: next, status: 'queued', reason: record.final ? `${reason} as the final backup` : reason };
}

/** The cutover marker: the next log backup uploaded after it is the final one. */
export function applyCutoverMarker(state: ChainState, chain: Chain, key: string, now: number): UploadDecision {
  if (chain.mode === 'full-only') return { state, status: 'ignored', reason: 'a cutover marker in a full-only chain has no effect' };
  if (state.meta.cutoverRequestedAt !== undefined) return { state, status: 'duplicate', reason: 'cutover already requested' };
  const closing = closingFile(state);
  if (closing) return { state, status: 'ignored', reason: `the chain is already closed by ${closing.key}` };
  const marked = { ...state, meta: { ...state.meta, cutoverRequestedAt: now, updatedAt: now } };
  if (records(state).some((r) => r.final && r.status !== 'failed')) {
    return { state: marked, status: 'cutover', reason: 'cutover requested; the final backup is already known' };
  }
  const detail = 'cutover marker uploaded; waiting for the tail-log backup, which will be restored as the last';
  return { state: withNotice(marked, 'cutover-awaiting-tail-log', key, detail, now), status: 'cutover', reason: detail };
}

/**
 * Any object that appears under a chain's prefix, from an upload event or a reconcile listing: the
 * cutover marker, an unrecognised name (noticed for on-call), or a backup file.
 */
export function recordObject(state: ChainState, chain: Chain, upload: Upload): UploadDecision {
  if (upload.key === chain.cutoverMarker) return applyCutoverMarker(state, chain, upload.key, upload.now);
  const name = classifyBackupFile(chain, upload.key);
  if (name) return applyUpload(state, chain, upload, name);
  const reason = "unrecognised: the name does not match the chain's file-name pattern";
  return { state: withNotice(state, 'unrecognised-file', upload.key, `does not match the file-name pattern ${chain.fileNamePattern}`, upload.now), status: 'ignored', reason };
}

/** A DRS job found under the file's deterministic name (state was lost, or a create's answer was): take it over. */
export function adoptJob(state: ChainState, key: string, job: { id: string; status: string; error_log?: string | null }, now: number): ChainState {
  const record = state.files[key]!;
  const status = job.status === 'SUCCESS' ? 'succeeded' : job.status === 'TRANSFERRING' ? 'running' : 'failed';
  const { inProgressUntil: _, ...rest } = record;
  return withFile(
    state,
    { ...rest, status, jobId: job.id, drsStatus: job.status, submittedAt: now, ...(status === 'failed' ? { error: job.error_log ?? job.status, finishedAt: now } : {}) },
    now,
  );
}

export type NextStep =
  /** `resume`: an earlier submission died mid-way; its job may exist and must be looked up by name first. */
  | { submit: BackupFileRecord; isLastBackup: boolean; resume: boolean }
  | { submit?: undefined; reason: string };

/** Which file goes to DRS next, if any: strictly one at a time, the full first, then logs by order. */
export function nextSubmission(state: ChainState, chain: Chain, now: number): NextStep {
  const all = records(state).filter((r) => !isOutOfChain(r));
  const inFlight = all.find((r) => r.status === 'submitting' || r.status === 'running');
  if (inFlight?.status === 'submitting' && (inFlight.inProgressUntil ?? 0) <= now) {
    return { submit: inFlight, isLastBackup: inFlight.isLastBackup ?? (inFlight.final || chain.mode === 'full-only'), resume: true };
  }
  if (inFlight) return { reason: `waiting for ${inFlight.key} to finish restoring` };
  const failed = all.find((r) => r.status === 'failed');
  if (failed) return { reason: `chain halted: ${failed.key} failed; re-upload it to retry` };
  if (closingFile(state)) return { reason: 'chain complete' };
  const waiting = all.filter((r) => r.status === 'waiting').sort(chainOrder);
  const candidate = waiting[0];
  if (!candidate) return { reason: 'nothing waiting' };
  const fullRestored = all.some((r) => r.kind === 'full' && r.status === 'succeeded');
  if (candidate.kind === 'incremental' && !fullRestored) return { reason: 'waiting for the full backup' };
  // A retry's job may already exist under its name: state rebuilt by reconcile after a loss knows
  // only attempt 1. Looking first keeps it one job per attempt.
  return { submit: candidate, isLastBackup: candidate.final || chain.mode === 'full-only', resume: candidate.attempt > 1 };
}

export function markSubmitting(state: ChainState, key: string, isLastBackup: boolean, now: number, inProgressMs: number): ChainState {
  const record = state.files[key]!;
  return withFile(state, { ...record, status: 'submitting', isLastBackup, inProgressUntil: now + inProgressMs, error: undefined }, now);
}

export function markRunning(state: ChainState, key: string, jobId: string, now: number): ChainState {
  const { inProgressUntil: _, ...record } = state.files[key]!;
  return withFile(state, { ...record, status: 'running', jobId, submittedAt: now, drsStatus: 'TRANSFERRING' }, now);
}

export function markFailed(state: ChainState, key: string, error: string, now: number, drsStatus?: string): ChainState {
  const { inProgressUntil: _, ...record } = state.files[key]!;
  return withFile(state, { ...record, status: 'failed', error, finishedAt: now, ...(drsStatus ? { drsStatus } : {}) }, now);
}

export function markWaiting(state: ChainState, key: string, now: number): ChainState {
  const { inProgressUntil: _, ...record } = state.files[key]!;
  return withFile(state, { ...record, status: 'waiting' }, now);
}

export function markSucceeded(state: ChainState, key: string, now: number): ChainState {
  const record = state.files[key]!;
  return withFile(state, { ...record, status: 'succeeded', drsStatus: 'SUCCESS', finishedAt: now }, now);
}

/** The file whose DRS job is running, if any (a chain has at most one). */
export function runningFile(state: ChainState): BackupFileRecord | undefined {
  return records(state).find((r) => r.status === 'running');
}
