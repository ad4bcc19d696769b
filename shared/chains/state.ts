import * as z from 'zod';

/**
 * What restore-pilot remembers about a chain. One record per backup file (by object key), plus the
 * chain's meta. Stored by a StateStore; every change happens under the chain's lock.
 */

export const FileStatus = z.enum([
  /** Known, waiting for its turn. */
  'waiting',
  /** A create call is (or was, if the invocation died) under way; see inProgressUntil. */
  'submitting',
  /** DRS job exists and is TRANSFERRING. */
  'running',
  'succeeded',
  /** FAILED or PRECHECK FAILED in DRS, or refused at create: the chain halts until it is re-uploaded. */
  'failed',
  /** A later full backup replaced this failed one. */
  'superseded',
  /** An operator took it out of the chain (`restore-pilot skip`); the chain goes on without it. */
  'skipped',
  /** Its LSNs say the chain does not need it (see `because`); never sent to DRS, never paged. */
  'not-needed',
  /** DRS cannot restore it (see `refusal`); never sent to DRS, paged once. */
  'refused',
]);
export type FileStatus = z.infer<typeof FileStatus>;

const Lsn = z.string().regex(/^\d+$/, 'an LSN as RESTORE HEADERONLY prints it');
const Guid = z.string().regex(/^[0-9a-f-]{36}$/);

/**
 * What the SQL Server backup header says, as stored with the file's record (read once per file
 * version). LSNs are exact decimal strings: every real LSN is above 2^53.
 */
export const StoredHeader = z.object({
  /** As msdb's backupset.type: D full, I diff, L log, F/G file and file-diff, P/Q partial and partial-diff. */
  type: z.enum(['full', 'diff', 'log', 'file', 'file-diff', 'partial', 'partial-diff']),
  databaseName: z.string(),
  serverName: z.string(),
  bindingId: Guid,
  familyGuid: Guid,
  backupSetGuid: Guid,
  firstLsn: Lsn,
  lastLsn: Lsn,
  checkpointLsn: Lsn,
  databaseBackupLsn: Lsn,
  differentialBaseLsn: Lsn.optional(),
  differentialBaseGuid: Guid.optional(),
  /** Server local time with its offset, e.g. 2026-11-20T14:17:00+08:00. */
  startedAt: z.string(),
  copyOnly: z.boolean(),
  passwordProtected: z.boolean(),
  compressed: z.boolean(),
  /** SQL Server major version that wrote it (10 = 2008/R2, 13 = 2016, 15 = 2019). */
  sqlServerMajor: z.number().int(),
  sqlServerVersion: z.string(),
  mediaSetGuid: Guid,
  familyCount: z.number().int().positive(),
  familySequence: z.number().int().positive(),
});
export type StoredHeader = z.infer<typeof StoredHeader>;

/** Why DRS cannot restore a file: a stable code; the words on pages and in status derive from it. */
export const RefusalCode = z.enum([
  'not-a-backup',
  'truncated',
  'encrypted',
  'damaged',
  'striped',
  'password-protected',
  'system-database',
  'partial-backup',
  'other-database',
]);
export type RefusalCode = z.infer<typeof RefusalCode>;
export const Refusal = z.object({ code: RefusalCode, detail: z.string() });
export type Refusal = z.infer<typeof Refusal>;

/** Why the chain does not need a file: a stable code, as for refusals. */
export const NotNeededCode = z.enum(['covered', 'empty-log', 'differential', 'older-full', 'later-full']);
export type NotNeededCode = z.infer<typeof NotNeededCode>;

/** Why the first job of a database may not go yet; checked again each time until it passes. */
export const PreflightCode = z.enum(['archived', 'newer-server', 'target-not-found']);
export type PreflightCode = z.infer<typeof PreflightCode>;
export const Preflight = z.object({ passed: z.boolean(), code: PreflightCode.optional(), detail: z.string().optional(), at: z.number() });
export type Preflight = z.infer<typeof Preflight>;

export const BackupFileRecord = z.object({
  key: z.string(),
  eTag: z.string(),
  /** The header, for every file that could be read. */
  header: StoredHeader.optional(),
  /** Set with status `not-needed`. */
  because: NotNeededCode.optional(),
  /** Set with status `refused`. */
  refusal: Refusal.optional(),
  /** The last preflight of a full that starts a database (storage class, server version). */
  preflight: Preflight.optional(),
  /** An operator sent it despite a failed preflight (`restore-pilot retry`). */
  preflightOverride: z.boolean().optional(),
  /**
   * The DRS-safe server-side copy DRS restores instead, when the file's own name breaks DRS's rules:
   * its key, the multipart upload under way (resumed across invocations), its eTag once complete,
   * and whether it was deleted after the restore.
   */
  staging: z
    .object({
      key: z.string(),
      uploadId: z.string().optional(),
      eTag: z.string().optional(),
      deleted: z.boolean().optional(),
      /** Until then one invocation is copying: no other starts the same copy. */
      copyingUntil: z.number().optional(),
    })
    .optional(),
  /** Marked final by its name (`…_FINAL.<ext>`); after a cutover marker, select.ts finds the final by upload time and LSN. */
  final: z.boolean(),
  status: FileStatus,
  /** Which upload this is (the event's sequencer or time): tells a redelivery from an identical re-upload. */
  uploadId: z.string().optional(),
  /** 1, plus one for each identical re-upload that retried this file after it failed. */
  attempt: z.number().int().positive().default(1),
  /** Deterministic from (bucket, key, eTag, attempt): the handle for adopting a job whose create answer was lost. */
  jobName: z.string(),
  jobId: z.string().optional(),
  isLastBackup: z.boolean().optional(),
  /** Restore over the existing database (an operator restart from this full). */
  cover: z.boolean().optional(),
  /** When restore-pilot recorded it. */
  uploadedAt: z.number(),
  /** When OBS created the object (event time or listing), if known: decides what came after the cutover marker. */
  objectCreatedAt: z.number().optional(),
  submittedAt: z.number().optional(),
  finishedAt: z.number().optional(),
  /** While submitting: after this time an unfinished submission is presumed dead and may be resumed. */
  inProgressUntil: z.number().optional(),
  drsStatus: z.string().optional(),
  error: z.string().optional(),
});
export type BackupFileRecord = z.infer<typeof BackupFileRecord>;

export const NoticeKind = z.enum([
  'unrecognised-file',
  'upload-to-closed-chain',
  'unexpected-file',
  'late-file',
  'reupload-ignored',
  'cutover-awaiting-tail-log',
]);
export type NoticeKind = z.infer<typeof NoticeKind>;

/** Something on-call should hear about; the poller turns notices into pages. */
export const Notice = z.object({ kind: NoticeKind, key: z.string(), at: z.number(), detail: z.string() });
export type Notice = z.infer<typeof Notice>;

export const ChainMeta = z.object({
  /** When the cutover was asked for: the marker's creation time in OBS, or the operator's command. */
  cutoverRequestedAt: z.number().optional(),
  /** When the poller last finished comparing the source's OBS prefix with the state (source chain only). */
  reconciledAt: z.number().optional(),
  /**
   * Objects OBS created before this time were all seen by a complete reconcile walk (or their
   * events): the next walk lists them but reads none of them. Unset after a state loss: every object is read.
   */
  reconciledThrough: z.number().optional(),
  /**
   * A walk under way: where the listing goes on, when it started, whether it passed the cutover
   * marker, and how many objects it could not admit (a read failed, their database was busy).
   */
  reconcileWalk: z.object({ marker: z.string(), startedAt: z.number(), cutoverMarkerAt: z.number().optional(), skipped: z.number().optional() }).optional(),
  /** The source's filters (prefix, fileNamePattern, databases lists) the watermark was set under. */
  reconcileFilters: z.string().optional(),
  notices: z.array(Notice).default([]),
  updatedAt: z.number().default(0),
});
export type ChainMeta = z.infer<typeof ChainMeta>;

export interface ChainState {
  meta: ChainMeta;
  files: Record<string, BackupFileRecord>;
}

export const MAX_NOTICES = 50;

export function emptyChainState(): ChainState {
  return { meta: { notices: [], updatedAt: 0 }, files: {} };
}
