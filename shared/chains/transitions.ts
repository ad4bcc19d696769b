import { MAX_NOTICES, type BackupFileRecord, type ChainState, type NoticeKind, type NotNeededCode } from './state';

/**
 * State transitions of a chain's files: each returns a new state and touches one thing. The
 * decisions that call them live in admit.ts (uploads), select.ts (what next) and operator.ts.
 */

export function withFile(state: ChainState, record: BackupFileRecord, now: number): ChainState {
  return { meta: { ...state.meta, updatedAt: now }, files: { ...state.files, [record.key]: record } };
}

/** Adds a notice once per kind and file: the same file seen again (redelivery, reconcile) adds nothing. */
export function withNotice(state: ChainState, kind: NoticeKind, key: string, detail: string, now: number): ChainState {
  if (state.meta.notices.some((n) => n.kind === kind && n.key === key)) return state;
  const notices = [...state.meta.notices, { kind, key, at: now, detail }].slice(-MAX_NOTICES);
  return { ...state, meta: { ...state.meta, notices, updatedAt: now } };
}

/** The records `after` changed or added relative to `before`: what a save has to write. */
export function changedFiles(before: ChainState, after: ChainState): BackupFileRecord[] {
  return Object.values(after.files).filter((record) => record !== before.files[record.key]);
}

/** The keys `after` no longer holds: what a save has to delete. */
export function removedFiles(before: ChainState, after: ChainState): string[] {
  return Object.keys(before.files).filter((key) => !(key in after.files));
}

const update = (state: ChainState, key: string, now: number, change: (record: BackupFileRecord) => BackupFileRecord) => withFile(state, change(state.files[key]!), now);
const settled = ({ inProgressUntil: _, ...record }: BackupFileRecord) => record;

export const markSubmitting = (state: ChainState, key: string, isLastBackup: boolean, now: number, inProgressMs: number) =>
  update(state, key, now, (r) => ({ ...r, status: 'submitting', isLastBackup, inProgressUntil: now + inProgressMs, error: undefined }));

export const markRunning = (state: ChainState, key: string, jobId: string, now: number) =>
  update(state, key, now, (r) => ({ ...settled(r), status: 'running', jobId, submittedAt: now, drsStatus: 'TRANSFERRING' }));

export const markFailed = (state: ChainState, key: string, error: string, now: number, drsStatus?: string) =>
  update(state, key, now, (r) => ({ ...settled(r), status: 'failed', error, finishedAt: now, ...(drsStatus ? { drsStatus } : {}) }));

export const markWaiting = (state: ChainState, key: string, now: number) => update(state, key, now, (r) => ({ ...settled(r), status: 'waiting' }));

export const markSucceeded = (state: ChainState, key: string, now: number) =>
  update(state, key, now, (r) => ({ ...r, status: 'succeeded', drsStatus: 'SUCCESS', finishedAt: now }));

export const markNotNeeded = (state: ChainState, key: string, because: NotNeededCode, now: number) =>
  update(state, key, now, (r) => ({ ...r, status: 'not-needed', because, finishedAt: now }));

/**
 * A new version of the object turned out to be another database's backup (or a backup at all): the
 * version this chain holds is no longer in OBS, so it must never be sent. What is already in DRS stays.
 */
export function retireReplaced(state: ChainState, key: string, eTag: string, now: number): ChainState {
  const record = state.files[key];
  if (!record || record.eTag === eTag || !['waiting', 'failed', 'refused'].includes(record.status)) return state;
  return update(state, key, now, (r) => ({ ...settled(r), status: 'superseded', finishedAt: now, error: 'replaced in OBS by a new version of another database' }));
}

/** What a DRS job status means for its file: the one mapping, for tracking and adoption alike. */
export function fileStatusOfJob(drsStatus: string): 'running' | 'succeeded' | 'failed' {
  if (drsStatus === 'SUCCESS') return 'succeeded';
  return drsStatus === 'FAILED' || drsStatus === 'PRECHECK FAILED' ? 'failed' : 'running';
}

/** A DRS job found under the file's deterministic name (state was lost, or a create's answer was): take it over. */
export function adoptJob(state: ChainState, key: string, job: { id: string; status: string; error_log?: string | null }, now: number): ChainState {
  const status = fileStatusOfJob(job.status);
  return update(state, key, now, (r) => ({
    ...settled(r),
    status,
    jobId: job.id,
    drsStatus: job.status,
    submittedAt: now,
    ...(status === 'failed' ? { error: job.error_log ?? job.status, finishedAt: now } : {}),
  }));
}
