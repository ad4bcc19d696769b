import { readBackupHeader } from '../../shared/backup/read-header';
import type { BackupHeader } from '../../shared/backup/header';

/**
 * What SQL Server does when DRS restores a backup into an instance: its restore order rules
 * (../shared/reference/mssql-backup-format.md, "Restore order") and its error texts. It reads each
 * job's file from the local OBS on its own and replays the instance's successful restores; it never
 * sees restore-pilot's state. Header reading is shared with restore-pilot (shared/backup): that
 * reader is checked against real backups, not against restore-pilot.
 */

/** One restore the instance has done: the file's header and how it was restored. */
export interface AppliedRestore {
  header: BackupHeader;
  /** Restored as the last backup (is_last_backup): the database is online and takes no more logs. */
  recovered: boolean;
}

export type RestoreVerdict = { ok: true; header: BackupHeader } | { ok: false; errorLog: string };

/** Where one database of an instance stands after its successful restores, in order. */
interface DatabaseState {
  point: bigint;
  recovered: boolean;
}

function databaseState(history: AppliedRestore[], database: string): DatabaseState | undefined {
  let state: DatabaseState | undefined;
  for (const { header, recovered } of history.filter((h) => h.header.databaseName === database)) {
    // A full starts the database over (it was allowed only onto a new database or with overwrite).
    state = header.backupType === 'full' ? { point: header.lastLsn, recovered } : { point: header.lastLsn, recovered: state!.recovered || recovered };
  }
  return state;
}

const msg = (number: number, text: string) => `Msg ${number}, Level 16, State 1: ${text}\nRESTORE LOG is terminating abnormally.`;

/**
 * Whether SQL Server would restore `bytes` (the file's first bytes) as asked, given the instance's
 * earlier successful restores. DRS documents full and log backups only, and one file per database.
 */
export function judgeRestore(bytes: Uint8Array, request: { incremental: boolean; cover: boolean }, history: AppliedRestore[]): RestoreVerdict {
  const read = readBackupHeader(bytes);
  if (!read.ok) {
    if (read.reason.code === 'encrypted') return { ok: false, errorLog: 'Msg 33111, Level 16, State 3: Cannot find server certificate with thumbprint. RESTORE DATABASE is terminating abnormally.' };
    return { ok: false, errorLog: "Msg 3241, Level 16, State 0: The media family on device is incorrectly formed. SQL Server cannot process this media family. RESTORE HEADERONLY is terminating abnormally." };
  }
  const header = read.header;
  if (header.mediaFamilyCount > 1) {
    return { ok: false, errorLog: `Msg 3132, Level 16, State 1: The media set has ${header.mediaFamilyCount} media families but only 1 are provided. All members must be provided.` };
  }
  if (header.isPasswordProtected) return { ok: false, errorLog: 'Msg 3279, Level 16, State 2: Access is denied due to a password failure. RESTORE DATABASE is terminating abnormally.' };
  if (header.backupType !== 'full' && header.backupType !== 'log') return { ok: false, errorLog: `DRS.BACKUP.TYPE: only full and log backups can be restored; this is a ${header.backupType} backup.` };
  if ((header.backupType === 'log') !== request.incremental) {
    return { ok: false, errorLog: `DRS.BACKUP.TYPE: the file is a ${header.backupType} backup but was submitted as ${request.incremental ? 'incremental' : 'full'}.` };
  }
  const state = databaseState(history, header.databaseName);
  if (header.backupType === 'full') {
    if (state && !request.cover) return { ok: false, errorLog: `Database ${header.databaseName} already exists on the target instance. Restore with overwrite (is_cover) to replace it.` };
    return { ok: true, header };
  }
  if (!state || state.recovered) {
    return { ok: false, errorLog: msg(3117, 'The log or differential backup cannot be restored because no files are ready to rollforward.') };
  }
  if (header.firstLsn > state.point) {
    return { ok: false, errorLog: msg(4305, `The log in this backup set begins at LSN ${header.firstLsn}, which is too recent to apply to the database. An earlier log backup that includes LSN ${state.point} can be restored.`) };
  }
  if (header.lastLsn < state.point) {
    return { ok: false, errorLog: msg(4326, `The log in this backup set terminates at LSN ${header.lastLsn}, which is too early to apply to the database. A more recent log backup that includes LSN ${state.point} can be restored.`) };
  }
  return { ok: true, header };
}
