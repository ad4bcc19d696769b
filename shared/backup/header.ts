/**
 * What a SQL Server backup says about itself, as `RESTORE HEADERONLY` would show it. Field names follow
 * HEADERONLY's columns so a DBA recognises them. LSNs are bigint: every real LSN is above 2^53.
 */

/** msdb `backupset.type`: D, I, L, F, G, P, Q. */
export type BackupType = 'full' | 'diff' | 'log' | 'file' | 'file-diff' | 'partial' | 'partial-diff';

export interface SqlServerVersion {
  major: number;
  minor: number;
  build: number;
}

export interface BackupHeader {
  backupType: BackupType;
  databaseName: string;
  /** `MACHINE\INSTANCE`, or the machine name for a default instance. */
  serverName: string;
  /** The database's GUID; a database restored elsewhere gets a new one. */
  bindingId: string;
  /** Kept across restores; with bindingId it tells two databases of the same name apart. */
  familyGuid: string;
  /** Shared by every stripe of one backup; a differential names its base by it. */
  backupSetGuid: string;
  firstLsn: bigint;
  lastLsn: bigint;
  checkpointLsn: bigint;
  databaseBackupLsn: bigint;
  /** Differentials only: the FirstLSN of the full they apply on. */
  differentialBaseLsn: bigint | null;
  differentialBaseGuid: string | null;
  /** Server local time, `YYYY-MM-DDTHH:MM:SS`, as HEADERONLY prints BackupStartDate. */
  backupStartDate: string;
  /** Local time minus UTC, in minutes (SQL Server stores 15-minute steps). */
  timeZoneOffsetMinutes: number;
  isCopyOnly: boolean;
  hasChecksum: boolean;
  /** A media password (`WITH MEDIAPASSWORD`/`PASSWORD`): the header is readable, a restore needs it. */
  isPasswordProtected: boolean;
  /** `WITH COMPRESSION`: only the container says so, nothing inside the MTF stream. */
  isCompressed: boolean;
  softwareVersion: SqlServerVersion;
  /** Internal database version (661 = 2008 R2, 852 = 2016): decides which servers can restore it. */
  databaseVersion: number;
  /** Stripes: every member of one media set shares the GUID and count, sequence runs 1..count. */
  mediaSetGuid: string;
  mediaFamilyCount: number;
  mediaFamilySequenceNumber: number;
  /** Whether the database used the simple recovery model; FULL and BULK_LOGGED are not told apart. */
  simpleRecovery: boolean;
}

const VLF = 10n ** 15n;
const BLOCK = 10n ** 5n;

/** An LSN as `RESTORE HEADERONLY` and SQL Server's error messages print it. */
export function formatLsn(lsn: bigint): string {
  return lsn.toString();
}

/** The three parts SQL Server stores: virtual log file, log block, slot. */
export function lsnParts(lsn: bigint): { vlf: bigint; block: bigint; slot: bigint } {
  return { vlf: lsn / VLF, block: (lsn % VLF) / BLOCK, slot: lsn % BLOCK };
}

export function lsnFromParts(vlf: number, block: number, slot: number): bigint {
  return BigInt(vlf) * VLF + BigInt(block) * BLOCK + BigInt(slot);
}

/** The instant the backup started, from the local time and its offset. */
export function backupStartUtc(header: Pick<BackupHeader, 'backupStartDate' | 'timeZoneOffsetMinutes'>): Date {
  return new Date(Date.parse(`${header.backupStartDate}Z`) - header.timeZoneOffsetMinutes * 60_000);
}
