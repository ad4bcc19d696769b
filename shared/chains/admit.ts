import type { Chain } from './config';
import { restoreJobName } from './job-name';
import { closingFileOf, finalOf } from './select';
import type { BackupFileRecord, ChainState, NoticeKind, Refusal, StoredHeader } from './state';
import { withFile, withNotice } from './transitions';
import { refusalFor } from './verdicts';

/**
 * Admission: what an object appearing under a chain's prefix does to the chain's state, decided from
 * its header (read once per file version, before this runs). Pure.
 */

export type UploadStatus = 'queued' | 'duplicate' | 'ignored' | 'cutover' | 'refused';
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
  /** When OBS created the object, if known (event time, listing's LastModified). */
  createdAt?: number;
  now: number;
}

/** What reading the object's first bytes gave: its header, or why DRS could not restore it. */
export type HeaderRead = { header: StoredHeader } | { refusal: Refusal };

/** The DBA marked a backup as the final one by its name: `…_FINAL.bak`, `…_FINAL.trn`. */
const FINAL_NAME = /_FINAL\.[A-Za-z0-9]+$/i;

const ACTIVE: ReadonlySet<string> = new Set(['submitting', 'running', 'succeeded']);

/** Same content again, unless the file failed and this is a new upload of it, which retries it. */
export function isRedelivery(existing: BackupFileRecord | undefined, upload: Upload): boolean {
  if (existing?.eTag !== upload.eTag) return false;
  if (existing.status !== 'failed') return true;
  // A file recorded from a listing has no upload id: only an object OBS created later is a new upload,
  // never the late original event of the same upload.
  if (existing.uploadId === undefined) return !(upload.createdAt !== undefined && existing.objectCreatedAt !== undefined && upload.createdAt > existing.objectCreatedAt);
  return upload.uploadId === undefined || upload.uploadId === existing.uploadId;
}

/** Records a backup file's upload: queued for its turn, refused, a duplicate, or ignored with a notice for on-call. */
/** The chain already holds this version: the upload is a duplicate (undefined when it is not). */
export function duplicateOf(state: ChainState, upload: Upload): UploadDecision | undefined {
  const existing = state.files[upload.key];
  return isRedelivery(existing, upload) ? { state, status: 'duplicate', reason: `already seen this version (${existing!.status})` } : undefined;
}

export function admitBackup(state: ChainState, chain: Chain, upload: Upload, read: HeaderRead): UploadDecision {
  const { key, eTag, now } = upload;
  const existing = state.files[key];
  const duplicate = duplicateOf(state, upload);
  if (duplicate) return duplicate;
  const ignore = (kind: NoticeKind, reason: string): UploadDecision => ({ state: withNotice(state, kind, key, reason, now), status: 'ignored', reason });

  if (existing && !['failed', 'waiting', 'refused'].includes(existing.status)) {
    const was = { succeeded: 'restored', skipped: 'skipped by an operator', superseded: 'replaced by a newer full backup', 'not-needed': 'not needed' }[existing.status as string] ?? 'being restored';
    return ignore('reupload-ignored', `a new version of a file already ${was}; the upload was not restored`);
  }
  const attempt = existing?.eTag === eTag ? existing.attempt + 1 : 1;
  const base = {
    key,
    eTag,
    ...(upload.uploadId !== undefined ? { uploadId: upload.uploadId } : {}),
    attempt,
    jobName: restoreJobName(chain.id, chain.bucket, key, eTag, attempt),
    uploadedAt: now,
    ...(upload.createdAt !== undefined ? { objectCreatedAt: upload.createdAt } : {}),
  };

  const refusal = 'refusal' in read ? read.refusal : refusalFor(read.header, state);
  if (refusal) {
    const record: BackupFileRecord = { ...base, ...('header' in read ? { header: read.header } : {}), final: false, status: 'refused', refusal, finishedAt: now };
    return { state: withFile(state, record, now), status: 'refused', reason: `refused (${refusal.code}): ${refusal.detail}` };
  }
  const { header } = read as { header: StoredHeader };
  if (chain.mode === 'full-only' && header.type === 'log') return ignore('unexpected-file', 'a log backup in a full-only chain; only the full backup is restored');

  const sameDatabase = Object.values(state.files).filter((r) => r.key !== key && r.header?.databaseName === header.databaseName && r.status !== 'refused');
  const closing = closingFileOf(sameDatabase);
  if (closing) return ignore('upload-to-closed-chain', `the chain is closed for ${header.databaseName}: its final backup ${closing.key} was already sent to DRS`);

  let next = state;
  // A new full replaces a full that failed before any log of it went to DRS.
  if (header.type === 'full') {
    const failedFull = sameDatabase.find((r) => r.header?.type === 'full' && r.status === 'failed');
    if (failedFull && !sameDatabase.some((r) => r.header?.type === 'log' && ACTIVE.has(r.status))) next = withFile(next, { ...failedFull, status: 'superseded' }, now);
  }
  // A re-upload keeps what an operator decided for the file (a restart restores it over the database).
  const record: BackupFileRecord = { ...base, header, final: FINAL_NAME.test(key) || existing?.final === true, ...(existing?.cover ? { cover: true } : {}), status: 'waiting' };
  next = withFile(next, record, now);
  // The tail-log backups have come: every database now has a log uploaded after the marker.
  if (state.meta.cutoverRequestedAt !== undefined && openForCutover(next).length === 0) {
    next = { ...next, meta: { ...next.meta, notices: next.meta.notices.filter((n) => n.kind !== 'cutover-awaiting-tail-log') } };
  }
  const what = `${header.type} backup of ${header.databaseName}, LSN ${header.firstLsn}–${header.lastLsn}`;
  const reason = attempt > 1 ? `re-upload of the failed file recorded (attempt ${attempt}): ${what}` : `recorded: ${what}`;
  return { state: next, status: 'queued', reason: record.final ? `${reason}, as the final backup` : reason };
}

/** Databases that still lack a final backup: none named final, and no log uploaded after the cutover marker. */
export function openForCutover(state: ChainState): string[] {
  const files = Object.values(state.files);
  const databases = new Set(files.flatMap((f) => (f.header && f.status !== 'refused' ? [f.header.databaseName] : [])));
  return [...databases].filter((db) => finalOf(files.filter((f) => f.header?.databaseName === db && f.status !== 'refused'), state.meta.cutoverRequestedAt) === undefined);
}

/**
 * The cutover marker: for every database of the chain, the newest log uploaded after it is its final
 * backup. `at` is when OBS created the marker (else now): upload time, never event delivery order,
 * decides what came after it.
 */
export function applyCutoverMarker(state: ChainState, chain: Chain, key: string, now: number, at = now): UploadDecision {
  if (chain.mode === 'full-only') return { state, status: 'ignored', reason: 'a cutover marker in a full-only chain has no effect' };
  if (state.meta.cutoverRequestedAt !== undefined) return { state, status: 'duplicate', reason: 'cutover already requested' };
  const marked = { ...state, meta: { ...state.meta, cutoverRequestedAt: at, updatedAt: now } };
  const open = openForCutover(marked);
  if (Object.keys(state.files).length > 0 && open.length === 0) return { state: marked, status: 'cutover', reason: 'cutover requested; every database already has its final backup' };
  const detail = `cutover marker uploaded; waiting for the tail-log backup of ${open.length ? open.join(', ') : 'each database'}, which will be restored as the last`;
  return { state: withNotice(marked, 'cutover-awaiting-tail-log', key, detail, now), status: 'cutover', reason: detail };
}
