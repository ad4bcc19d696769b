import type { Chain } from './config';
import type { BackupFileRecord, ChainState, NotNeededCode } from './state';

/**
 * Selection by LSN, SQL Server's way (../shared/reference/mssql-backup-format.md, "Restore order"):
 * pure functions over the stored headers. One view per database is built once per decision.
 */

/** A file the chain can restore: read, not refused, not taken out. */
export type ReadableFile = BackupFileRecord & { header: NonNullable<BackupFileRecord['header']> };

export const lsn = (value: string): bigint => BigInt(value);

/** The database a file belongs to, as SQL Server names it; DRS restores it under this name. */
export function databaseOf(file: BackupFileRecord): string | undefined {
  return file.header?.databaseName;
}

/** Files no longer part of the restore sequence. */
export function isOutOfChain(file: Pick<BackupFileRecord, 'status'>): boolean {
  return file.status === 'superseded' || file.status === 'skipped' || file.status === 'not-needed' || file.status === 'refused';
}

const IN_DRS: ReadonlySet<string> = new Set(['submitting', 'running', 'succeeded']);

/** Restored by DRS as a full (recovery_mode full) or as a log (incremental). */
export function restoreKind(file: BackupFileRecord): 'full' | 'incremental' {
  return file.header?.type === 'log' ? 'incremental' : 'full';
}

export interface RestorePoint {
  lsn: bigint;
  /** The file whose restore brought the database there. */
  file: ReadableFile;
}

export interface Hole {
  restoredTo: RestorePoint;
  /** The waiting log with the lowest FirstLSN beyond the point. */
  nextAvailable: ReadableFile;
}

export type Step =
  | { kind: 'submit'; file: ReadableFile; isLastBackup: boolean; resume: boolean }
  | { kind: 'wait'; code: 'in-flight' | 'halted' | 'complete' | 'nothing-waiting' | 'needs-full' | 'hole' | 'cutover-held'; detail: string; hole?: Hole; final?: ReadableFile };

/** Everything a decision about one database needs, computed once. */
export interface DatabaseView {
  database: string;
  files: ReadableFile[];
  /** The backup to restore as the last one, once known (by name, or the newest log uploaded after the cutover marker). */
  final?: ReadableFile;
  /** Where the database stands after its restored files; undefined before its full is restored. */
  restoredTo?: RestorePoint;
  /** Files to take out of the chain now, and why. */
  notNeeded: { file: ReadableFile; because: NotNeededCode }[];
  next: Step;
}

const byFirstLsn = (a: ReadableFile, b: ReadableFile) => cmp(lsn(a.header.firstLsn), lsn(b.header.firstLsn)) || cmp(lsn(a.header.lastLsn), lsn(b.header.lastLsn));
const cmp = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
const isLog = (f: ReadableFile) => f.header.type === 'log';
const isFull = (f: ReadableFile) => f.header.type === 'full';
const isEmptyLog = (f: ReadableFile) => isLog(f) && f.header.firstLsn === f.header.lastLsn;

/** The readable files of the chain, by database. */
export function databasesOf(state: ChainState): Map<string, ReadableFile[]> {
  const byDatabase = new Map<string, ReadableFile[]>();
  for (const file of Object.values(state.files)) {
    if (!file.header || file.status === 'refused') continue;
    const list = byDatabase.get(file.header.databaseName) ?? [];
    list.push(file as ReadableFile);
    byDatabase.set(file.header.databaseName, list);
  }
  return byDatabase;
}

/** The file sent as the last backup of its database, once in DRS: the database takes nothing after it. */
export function closingFileOf(files: BackupFileRecord[]): BackupFileRecord | undefined {
  return files.find((f) => (f.final || f.isLastBackup === true) && IN_DRS.has(f.status));
}

/**
 * Where a database stands: the LastLSN of the file most recently restored. Restores are strictly
 * sequential per database, so that is the restored file with the highest LastLSN.
 */
function restorePoint(files: ReadableFile[]): RestorePoint | undefined {
  const restored = files.filter((f) => f.status === 'succeeded');
  if (!restored.some(isFull)) return undefined;
  const last = restored.reduce((a, b) => (lsn(b.header.lastLsn) > lsn(a.header.lastLsn) ? b : a));
  return { lsn: lsn(last.header.lastLsn), file: last };
}

/**
 * A database's final backup: the one already sent as last; else one named final; else, after the
 * cutover marker, the newest log (highest LastLSN, then latest upload) if OBS created it after the
 * marker. Upload time and LSN decide, never the order events were delivered in: a log uploaded
 * before the marker, or re-uploaded after it but older than a log already known, is never the final.
 */
export function finalOf(files: BackupFileRecord[], cutoverAt: number | undefined): BackupFileRecord | undefined {
  const sent = files.find((f) => f.isLastBackup === true && IN_DRS.has(f.status));
  if (sent) return sent;
  const named = files.find((f) => f.final && !isOutOfChain(f));
  if (named || cutoverAt === undefined) return named;
  const createdAt = (f: BackupFileRecord) => f.objectCreatedAt ?? f.uploadedAt;
  const newest = files
    .filter((f) => f.header?.type === 'log' && (!isOutOfChain(f) || f.status === 'not-needed'))
    .reduce<BackupFileRecord | undefined>((best, f) => {
      if (!best) return f;
      const [a, b] = [lsn(f.header!.lastLsn), lsn(best.header!.lastLsn)];
      return a > b || (a === b && createdAt(f) > createdAt(best)) ? f : best;
    }, undefined);
  return newest && !isOutOfChain(newest) && createdAt(newest) > cutoverAt ? newest : undefined;
}

/**
 * Builds the view of one database and decides its next step:
 * - it starts from the newest full backup present when it starts; older fulls are not needed;
 * - then a log is next when FirstLSN ≤ restored point < LastLSN, every such log in LSN order; a log
 *   ending at or before the point is covered (an empty one at the point adds nothing), unless it is
 *   the final one;
 * - later fulls are not needed while the log chain continues; differentials are never sent
 *   (DRS documents full and log backups only);
 * - a log starting beyond the point is a hole: the database waits for the missing log.
 */
export function viewDatabase(database: string, files: ReadableFile[], chain: Pick<Chain, 'mode'>, now: number, cutoverAt?: number): DatabaseView {
  const inChain = files.filter((f) => !isOutOfChain(f));
  const notNeeded: DatabaseView['notNeeded'] = [];
  const restoredTo = restorePoint(inChain);
  const final = finalOf(files, cutoverAt) as ReadableFile | undefined;
  const isLastBackup = (file: ReadableFile) => file.key === final?.key || chain.mode === 'full-only';
  const view = (next: Step): DatabaseView => ({ database, files, ...(final ? { final } : {}), ...(restoredTo ? { restoredTo } : {}), notNeeded, next });

  for (const diff of inChain.filter((f) => f.status === 'waiting' && f.header.type === 'diff')) notNeeded.push({ file: diff, because: 'differential' });

  const inFlight = inChain.find((f) => f.status === 'submitting' || f.status === 'running');
  if (inFlight?.status === 'submitting' && (inFlight.inProgressUntil ?? 0) <= now) {
    return view({ kind: 'submit', file: inFlight, isLastBackup: inFlight.isLastBackup ?? isLastBackup(inFlight), resume: true });
  }
  if (inFlight) return view({ kind: 'wait', code: 'in-flight', detail: `waiting for ${inFlight.key} to finish restoring` });
  const failed = inChain.find((f) => f.status === 'failed');
  if (failed) return view({ kind: 'wait', code: 'halted', detail: `halted: ${failed.key} failed; retry it (re-upload, or restore-pilot retry)` });
  if (closingFileOf(inChain)) return view({ kind: 'wait', code: 'complete', detail: 'complete: the last backup was restored' });

  const waiting = inChain.filter((f) => f.status === 'waiting' && (isFull(f) || isLog(f)));
  const submit = (file: ReadableFile): DatabaseView =>
    // A retry's job may already exist under its name (state rebuilt after a loss knows only attempt 1): look first.
    view({ kind: 'submit', file, isLastBackup: isLastBackup(file), resume: file.attempt > 1 });

  if (!restoredTo) {
    const fulls = waiting.filter(isFull).sort(byFirstLsn);
    const start = fulls.at(-1);
    if (!start) return view({ kind: 'wait', code: 'needs-full', detail: 'waiting for the full backup' });
    for (const older of fulls.slice(0, -1)) notNeeded.push({ file: older, because: 'older-full' });
    return submit(start);
  }
  if (chain.mode === 'full-only') return view({ kind: 'wait', code: 'complete', detail: 'complete: the full backup was restored' });

  const point = restoredTo.lsn;
  // A full the database is already past (an old event delivered again after its record left, prune.ts) is covered.
  for (const full of waiting.filter(isFull)) notNeeded.push({ file: full, because: lsn(full.header.lastLsn) <= point ? 'covered' : 'later-full' });
  const logs = waiting.filter(isLog).sort(byFirstLsn);
  const candidates: ReadableFile[] = [];
  for (const log of logs) {
    const first = lsn(log.header.firstLsn);
    const last = lsn(log.header.lastLsn);
    if (last < point || (last === point && log.key !== final?.key)) notNeeded.push({ file: log, because: isEmptyLog(log) && last === point ? 'empty-log' : 'covered' });
    else if (first <= point) candidates.push(log);
  }
  // Every log in LSN order: of the logs that fit, the one ending first (copy-only logs overlap others).
  const next = candidates.sort((a, b) => cmp(lsn(a.header.lastLsn), lsn(b.header.lastLsn)))[0];
  if (next && next.key === final?.key) {
    // is_last_backup cannot be undone: the last restore goes only when nothing known comes after it.
    const newer = inChain.filter((f) => f !== next && isLog(f) && f.status !== 'succeeded' && lsn(f.header.lastLsn) > lsn(next.header.lastLsn)).sort(byFirstLsn)[0];
    if (newer) {
      return view({
        kind: 'wait',
        code: 'cutover-held',
        final: next,
        detail: `cutover held: ${next.key} would be restored as the last backup, but ${newer.key} (LSN ${newer.header.firstLsn}–${newer.header.lastLsn}) comes after it`,
      });
    }
  }
  if (next) return submit(next);
  const beyond = logs.find((l) => lsn(l.header.firstLsn) > point);
  if (beyond) {
    const hole = { restoredTo, nextAvailable: beyond };
    return view({ kind: 'wait', code: 'hole', detail: `log chain broken: restored to LSN ${point}, the next log starts at LSN ${beyond.header.firstLsn}`, hole });
  }
  return view({ kind: 'wait', code: 'nothing-waiting', detail: `restored to LSN ${point}; waiting for the next log backup` });
}

/** Every database of the chain, each with its view. */
export function viewChain(state: ChainState, chain: Pick<Chain, 'mode'>, now: number): DatabaseView[] {
  return [...databasesOf(state)].map(([database, files]) => viewDatabase(database, files, chain, now, state.meta.cutoverRequestedAt));
}
