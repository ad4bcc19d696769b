import { createHash } from 'node:crypto';
import { lsnFromParts, type BackupHeader } from '../../shared/backup/header';
import { writeSyntheticBackup } from '../../shared/backup/write-backup';

/**
 * Synthetic SQL Server backups shaped like real ones, for tests, the demo and the benchmarks. Only the
 * header is real (shared/backup/write-backup.ts); the LSNs follow SQL Server's rules, so the local
 * cloud's DRS restores them or refuses them as SQL Server would.
 */

/** A GUID derived from text: the same name always gives the same database, the same file the same bytes. */
export function guidOf(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface DatabaseOptions {
  server?: string;
  /** Another value makes another database with the same name. */
  bindingId?: string;
  /** Where its log starts (VLF number); distinct databases get distinct LSN ranges. */
  firstVlf?: number;
  startTime?: Date;
  /** Minutes between backups. */
  everyMinutes?: number;
}

const localTime = (date: Date) => date.toISOString().slice(0, 19);

/**
 * One database's backup history in the order it is taken: each call returns the next file. Logs are
 * contiguous (each starts where the previous ended), as SQL Server writes them.
 */
export class SyntheticDatabase {
  private vlf: number;
  private block = 100;
  private logStart: bigint;
  private lastFull: { firstLsn: bigint; backupSetGuid: string } | undefined;
  private time: Date;
  private taken = 0;

  constructor(
    readonly name: string,
    private readonly options: DatabaseOptions = {},
  ) {
    this.vlf = options.firstVlf ?? 21;
    this.logStart = this.lsn();
    this.time = options.startTime ?? new Date('2026-11-20T02:00:00Z');
  }

  /** When the last backup was taken, server local time: what a backup job puts in the file name. */
  get lastTakenAt(): string {
    return localTime(this.time);
  }

  private lsn(): bigint {
    return lsnFromParts(this.vlf, this.block, 1);
  }

  /** Activity in the database: the log grows. */
  private work(blocks = 150): void {
    this.block += blocks;
    if (this.block > 9_000_000) {
      this.vlf += 1;
      this.block = 100;
    }
  }

  private header(type: BackupHeader['backupType'], fields: Partial<BackupHeader>): Partial<BackupHeader> {
    this.taken += 1;
    this.time = new Date(this.time.getTime() + (this.options.everyMinutes ?? 15) * 60_000);
    const setGuid = guidOf(`${this.name}/${this.options.bindingId ?? ''}/${this.taken}`);
    return {
      backupType: type,
      databaseName: this.name,
      serverName: this.options.server ?? 'SQLPROD01\\ERP',
      bindingId: this.options.bindingId ?? guidOf(`binding:${this.name}`),
      familyGuid: guidOf(`family:${this.name}`),
      backupSetGuid: setGuid,
      mediaSetGuid: guidOf(`media:${setGuid}`),
      backupStartDate: localTime(this.time),
      timeZoneOffsetMinutes: 480,
      ...fields,
    };
  }

  /** A full backup: the database as of now; the log chain runs on across it. */
  full(extra: Partial<BackupHeader> = {}): Uint8Array {
    this.work();
    const checkpoint = this.lsn();
    this.work(20);
    const fields = this.header('full', { firstLsn: checkpoint, checkpointLsn: checkpoint, lastLsn: this.lsn(), databaseBackupLsn: this.lastFull?.firstLsn ?? 0n, ...extra });
    this.lastFull = { firstLsn: checkpoint, backupSetGuid: fields.backupSetGuid! };
    return writeSyntheticBackup(fields);
  }

  /** A log backup from where the last one ended to now; `empty` when nothing happened in between. */
  log(options: { empty?: boolean } & Partial<BackupHeader> = {}): Uint8Array {
    const { empty, ...extra } = options;
    if (!empty) this.work();
    const first = this.logStart;
    this.logStart = this.lsn();
    return writeSyntheticBackup(this.header('log', { firstLsn: first, lastLsn: this.logStart, checkpointLsn: this.lastFull?.firstLsn ?? first, databaseBackupLsn: this.lastFull?.firstLsn ?? 0n, ...extra }));
  }

  /** A differential on the last full. */
  diff(): Uint8Array {
    this.work();
    const checkpoint = this.lsn();
    this.work(20);
    const base = this.lastFull ?? { firstLsn: 0n, backupSetGuid: guidOf('no full') };
    return writeSyntheticBackup(
      this.header('diff', { firstLsn: checkpoint, checkpointLsn: checkpoint, lastLsn: this.lsn(), databaseBackupLsn: base.firstLsn, differentialBaseLsn: base.firstLsn, differentialBaseGuid: base.backupSetGuid }),
    );
  }
}

const NAMED = /(?:^|\/)(?<db>[^/]*?)_(?<type>FULL|LOG)_(?<stamp>\d{8}_?\d{6})(?:_FINAL)?\.[A-Za-z0-9]+$/;

/**
 * A backup for a name in the maintenance-plan style (`ERP_FULL_20261120_020000.bak`,
 * `ERP_LOG_20261120094500.trn`): its database is the part before _FULL_/_LOG_ and its LSNs follow the
 * timestamp, so name order is LSN order. Each log starts at the database's first LSN, so logs apply
 * in any order after the full and a log older than the restored point is covered. For tests written
 * in file names; `variant` changes the content (a new version of the file).
 */
export function backupForName(key: string, variant = 0): Uint8Array {
  const match = NAMED.exec(key);
  if (!match?.groups) throw new Error(`${key}: not a DB_FULL_/DB_LOG_ timestamped name`);
  const { db, type, stamp } = match.groups as { db: string; type: string; stamp: string };
  const digits = stamp.replace('_', '');
  const time = new Date(`${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}T${digits.slice(8, 10)}:${digits.slice(10, 12)}:${digits.slice(12, 14)}Z`);
  const minute = Math.floor((time.getTime() - Date.UTC(2000, 0, 1)) / 60_000);
  const setGuid = guidOf(`${key}#${variant}`);
  const common = {
    databaseName: db,
    serverName: 'SQLPROD01',
    bindingId: guidOf(`binding:${db}`),
    familyGuid: guidOf(`family:${db}`),
    backupSetGuid: setGuid,
    mediaSetGuid: guidOf(`media:${setGuid}`),
    backupStartDate: localTime(time),
    timeZoneOffsetMinutes: 0,
  };
  const at = (block: number) => lsnFromParts(minute, block, 1);
  if (type === 'FULL') return writeSyntheticBackup({ ...common, backupType: 'full', firstLsn: at(100), checkpointLsn: at(100), lastLsn: at(200), databaseBackupLsn: 0n });
  return writeSyntheticBackup({ ...common, backupType: 'log', firstLsn: lsnFromParts(1, 0, 1), checkpointLsn: lsnFromParts(1, 0, 1), lastLsn: at(300), databaseBackupLsn: 0n });
}
