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
]);
export type FileStatus = z.infer<typeof FileStatus>;

export const BackupFileRecord = z.object({
  key: z.string(),
  eTag: z.string(),
  kind: z.enum(['full', 'incremental']),
  order: z.string(),
  /** Final backup of the chain: by its name, or the first log uploaded after the cutover marker. */
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
  uploadedAt: z.number(),
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
  cutoverRequestedAt: z.number().optional(),
  /** Last time the poller compared the chain's OBS prefix with this state. */
  reconciledAt: z.number().optional(),
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
