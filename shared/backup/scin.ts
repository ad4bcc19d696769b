/**
 * The SCIN record: SQL Server's own backup set information, first in the MSCI block's MQCI stream.
 * Microsoft does not document it; the evidence for each offset is in the format reference
 * (mssql-backup-format.md, "The SCIN record"), checked against 29 real backups.
 */
import type { Bytes } from './bytes';
import { lsnFromParts, type BackupHeader, type BackupType } from './header';
import type { HeaderReason } from './reasons';

export type ScinFields = Pick<
  BackupHeader,
  | 'backupType'
  | 'databaseName'
  | 'serverName'
  | 'bindingId'
  | 'familyGuid'
  | 'firstLsn'
  | 'lastLsn'
  | 'checkpointLsn'
  | 'databaseBackupLsn'
  | 'differentialBaseLsn'
  | 'differentialBaseGuid'
  | 'backupStartDate'
  | 'hasChecksum'
  | 'softwareVersion'
  | 'databaseVersion'
  | 'simpleRecovery'
>;

/** msdb backupset.type letters. */
const TYPES: Record<string, BackupType> = { D: 'full', I: 'diff', L: 'log', F: 'file', G: 'file-diff', P: 'partial', Q: 'partial-diff' };

export const SCIN = {
  length: 4,
  flags: 8,
  build: 24,
  minor: 26,
  major: 27,
  firstLsn: 32,
  lastLsn: 42,
  checkpointLsn: 52,
  databaseBackupLsn: 62,
  startDate: 77,
  type: 87,
  databaseVersion: 94,
  databaseName: 104,
  serverName: 108,
  bindingId: 124,
  familyGuid: 224,
  recovery: 244,
  differentialBaseLsn: 260,
  differentialBaseGuid: 272,
  /** The fixed part on SQL Server 2016; 2008 R2 writes 364 bytes, the fields above sit alike in both. */
  fixedLength: 400,
} as const;

// The reference's "bit 16" and "bit 8" are mask values (as HEADERONLY's Flags column counts them),
// not bit positions: 0x10 is set exactly on the backups taken WITH CHECKSUM, 0x8 on the simple-recovery one.
export const FLAG_CHECKSUMS = 0x10;
export const RECOVERY_SIMPLE = 0x8;

const lsn = (b: Bytes, at: number) => lsnFromParts(b.u32(at), b.u32(at + 4), b.u16(at + 8));

/** An MTF date: 40 bits, most significant first: 14 year, 4 month, 5 day, 5 hour, 6 minute, 6 second. */
export function mtfDate(b: Bytes, at: number): string {
  const high = b.u8(at);
  const low = (b.u8(at + 1) * 2 ** 24 + b.u8(at + 2) * 2 ** 16 + b.u8(at + 3) * 2 ** 8 + b.u8(at + 4)) >>> 0;
  const field = (shift: number, width: number) => Math.floor((high * 2 ** 32 + low) / 2 ** shift) % 2 ** width;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${String(field(26, 14)).padStart(4, '0')}-${two(field(22, 4))}-${two(field(17, 5))}T${two(field(12, 5))}:${two(field(6, 6))}:${two(field(0, 6))}`;
}

export function readScin(b: Bytes, at: number, streamLength: number): ScinFields | Extract<HeaderReason, { code: 'damaged' }> {
  const structure = { code: 'damaged', check: 'structure', block: 'MSCI/SCIN', offset: at } as const;
  if (b.tag(at) !== 'SCIN') return structure;
  const recordLength = b.u32(at + SCIN.length);
  const backupType = TYPES[String.fromCharCode(b.u8(at + SCIN.type))];
  if (!backupType || recordLength > streamLength) return structure;
  const name = (pair: number) => {
    const size = b.u16(at + pair);
    const offset = b.u16(at + pair + 2);
    return offset + size > recordLength ? undefined : b.utf16(at + offset, size);
  };
  const databaseName = name(SCIN.databaseName);
  const serverName = name(SCIN.serverName);
  if (databaseName === undefined || serverName === undefined) return structure;
  const differentialBaseLsn = lsn(b, at + SCIN.differentialBaseLsn);
  return {
    backupType,
    databaseName,
    serverName,
    bindingId: b.guid(at + SCIN.bindingId),
    familyGuid: b.guid(at + SCIN.familyGuid),
    firstLsn: lsn(b, at + SCIN.firstLsn),
    lastLsn: lsn(b, at + SCIN.lastLsn),
    checkpointLsn: lsn(b, at + SCIN.checkpointLsn),
    databaseBackupLsn: lsn(b, at + SCIN.databaseBackupLsn),
    differentialBaseLsn: differentialBaseLsn === 0n ? null : differentialBaseLsn,
    differentialBaseGuid: b.isZero(at + SCIN.differentialBaseGuid, 16) ? null : b.guid(at + SCIN.differentialBaseGuid),
    backupStartDate: mtfDate(b, at + SCIN.startDate),
    hasChecksum: (b.u32(at + SCIN.flags) & FLAG_CHECKSUMS) !== 0,
    softwareVersion: { major: b.u8(at + SCIN.major), minor: b.u8(at + SCIN.minor), build: b.u16(at + SCIN.build) },
    databaseVersion: b.u16(at + SCIN.databaseVersion),
    simpleRecovery: (b.u32(at + SCIN.recovery) & RECOVERY_SIMPLE) !== 0,
  };
}
