import type { BackupHeader } from '../backup/header';
import { readBackupHeader } from '../backup/read-header';
import { describeReason } from '../backup/reasons';
import type { HeaderRead } from './admit';
import type { StoredHeader } from './state';

const offset = (minutes: number) => {
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
};

/** The header as kept with the file's record: JSON-safe, LSNs as exact decimal strings. */
export function storedHeader(header: BackupHeader): StoredHeader {
  const { major, minor, build } = header.softwareVersion;
  return {
    type: header.backupType,
    databaseName: header.databaseName,
    serverName: header.serverName,
    bindingId: header.bindingId,
    familyGuid: header.familyGuid,
    backupSetGuid: header.backupSetGuid,
    firstLsn: header.firstLsn.toString(),
    lastLsn: header.lastLsn.toString(),
    checkpointLsn: header.checkpointLsn.toString(),
    databaseBackupLsn: header.databaseBackupLsn.toString(),
    ...(header.differentialBaseLsn !== null ? { differentialBaseLsn: header.differentialBaseLsn.toString() } : {}),
    ...(header.differentialBaseGuid !== null ? { differentialBaseGuid: header.differentialBaseGuid } : {}),
    startedAt: `${header.backupStartDate}${offset(header.timeZoneOffsetMinutes)}`,
    copyOnly: header.isCopyOnly,
    passwordProtected: header.isPasswordProtected,
    compressed: header.isCompressed,
    sqlServerMajor: major,
    sqlServerVersion: `${major}.${minor}.${build}`,
    mediaSetGuid: header.mediaSetGuid,
    familyCount: header.mediaFamilyCount,
    familySequence: header.mediaFamilySequenceNumber,
  };
}

/** From a backup's first bytes to what admission needs: its header, or why DRS could not restore it. */
export function headerRead(bytes: Uint8Array): HeaderRead {
  const result = readBackupHeader(bytes);
  if (!result.ok) return { refusal: { code: result.reason.code, detail: describeReason(result.reason) } };
  return { header: storedHeader(result.header) };
}
