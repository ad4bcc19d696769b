/**
 * Writes synthetic SQL Server backups with chosen header fields, for tests, the local cloud, the demo
 * and the benchmarks: TAPE (with its RAID stream), SFMB, SSET, VOLB and MSCI (MQCI stream with a SCIN
 * record), valid checksums and SPAD padding, laid out as SQL Server does. readBackupHeader reads back
 * exactly the fields written. Only the header is real: there are no data pages after it.
 */
import { FIRST_RECORD, packRecordWord, RECORD, RECORD_HEADER, UNIT } from './compressed';
import type { BackupHeader, BackupType } from './header';
import { RAID, SQL_SERVER_VENDOR, SSET, SSET_COPY_ONLY, TAPE } from './mtf';
import { FLAG_CHECKSUMS, RECOVERY_SIMPLE, SCIN } from './scin';
import { COMPRESSED_MAGIC, MTF_MAGIC } from './sniff';
import { compressLiteralsOnly } from './xca-literals';
import { utf16, writeBlock, Writer } from './write-mtf';

export interface SyntheticBackup extends Partial<BackupHeader> {
  /**
   * 1024 (the default) is the common layout: TAPE 1 KiB, SFMB 512 bytes, then 1 KiB blocks. 4096 is
   * the 4 KiB-sector layout (TAPE and SFMB 4 KiB each, SCIN at 10318). 512 packs every block in 512 bytes.
   */
  blockSize?: 512 | 1024 | 4096;
  /** Pads the file with zeros to this many bytes, to look like a backup of that size. */
  totalSize?: number;
}

const TYPE_LETTER: Record<BackupType, string> = { full: 'D', diff: 'I', log: 'L', file: 'F', 'file-diff': 'G', partial: 'P', 'partial-diff': 'Q' };
const DIFFERENTIAL_TYPES: BackupType[] = ['diff', 'file-diff', 'partial-diff'];
const SSET_DIFFERENTIAL = 0x8;
const PASSWORD_HASH_BYTES = 16;
const MQCI_FIRST_EVENT = 56;

export function syntheticHeader(fields: Partial<BackupHeader> = {}): BackupHeader {
  return {
    backupType: 'full',
    databaseName: 'Sales',
    serverName: 'SQLPROD01\\MSSQL2019',
    bindingId: '5f1c2b9e-3a44-4c1d-9e0b-7d2a6c8e1f01',
    familyGuid: '8a7d3c21-6b5e-4f10-a2c3-d4e5f6a7b8c9',
    // Each backup is its own set and media set unless told otherwise, as SQL Server does.
    backupSetGuid: crypto.randomUUID(),
    firstLsn: 21000000015900037n,
    lastLsn: 21000000019700001n,
    checkpointLsn: 21000000015900037n,
    databaseBackupLsn: 0n,
    differentialBaseLsn: null,
    differentialBaseGuid: null,
    backupStartDate: '2024-03-01T02:00:00',
    timeZoneOffsetMinutes: 0,
    isCopyOnly: false,
    hasChecksum: true,
    isPasswordProtected: false,
    isCompressed: false,
    softwareVersion: { major: 15, minor: 0, build: 2000 },
    databaseVersion: 904,
    mediaSetGuid: crypto.randomUUID(),
    mediaFamilyCount: 1,
    mediaFamilySequenceNumber: 1,
    simpleRecovery: false,
    ...fields,
  };
}

export function writeSyntheticBackup(fields: SyntheticBackup = {}): Uint8Array {
  const { blockSize = 1024, totalSize = 0, ...headerFields } = fields;
  const header = syntheticHeader(headerFields);
  const sector = blockSize === 4096 ? 4096 : 512;
  const setRegion = Math.min(blockSize, 1024);
  const tape = tapeBlock(header, blockSize, sector);
  const sfmb = writeBlock({ type: 'SFMB', fixedLength: 60, fixed: () => {}, region: sector, noStreams: true });
  const rest = concat([ssetBlock(header, setRegion), volbBlock(header, setRegion), msciBlock(header, setRegion)]);
  const file = header.isCompressed ? compressedContainer(tape, sfmb, rest, sector) : concat([tape, sfmb, rest]);
  return totalSize > file.length ? concat([file, new Uint8Array(totalSize - file.length)]) : file;
}

function tapeBlock(h: BackupHeader, region: number, sector: number): Uint8Array {
  const raid = new Writer(32);
  raid.guid(RAID.mediaSetGuid, h.mediaSetGuid);
  raid.u16(RAID.familyCount, h.mediaFamilyCount);
  raid.u16(RAID.familySequence, h.mediaFamilySequenceNumber);
  return writeBlock({
    type: MTF_MAGIC,
    fixedLength: 94,
    fixed: (w) => {
      w.u16(60, 1); // media sequence number
      w.u16(64, sector / 512); // soft filemark block size, in 512-byte units
      w.u16(84, region); // format logical block size
      w.u16(TAPE.vendorId, SQL_SERVER_VENDOR);
      w.mtfDate(88, h.backupStartDate);
      w.u8(93, 1); // MTF major version
    },
    variable: [
      // The password's hash; its 16 bytes are what move everything after it in a real protected backup.
      ...(h.isPasswordProtected ? [[TAPE.mediaPassword, new Uint8Array(PASSWORD_HASH_BYTES).fill(0xa5)] as [number, Uint8Array]] : []),
      [80, utf16('Microsoft SQL Server')],
    ],
    streams: [['RAID', raid.bytes]],
    region,
  });
}

function ssetBlock(h: BackupHeader, region: number): Uint8Array {
  const setGuid = new Writer(21);
  setGuid.guid(0, h.backupSetGuid);
  const steps = h.timeZoneOffsetMinutes / 15;
  if (!Number.isInteger(steps) || steps < -128 || steps > 127) throw new RangeError(`time zone offset ${h.timeZoneOffsetMinutes} is not in 15-minute steps`);
  return writeBlock({
    type: 'SSET',
    fixedLength: 98,
    fixed: (w) => {
      w.u32(SSET.attributes, (h.isCopyOnly ? SSET_COPY_ONLY : 0) | (DIFFERENTIAL_TYPES.includes(h.backupType) ? SSET_DIFFERENTIAL : 0));
      w.u16(60, SQL_SERVER_VENDOR);
      w.u16(62, 1); // data set number
      w.mtfDate(88, h.backupStartDate);
      w.u8(93, h.softwareVersion.major);
      w.u8(94, h.softwareVersion.minor);
      w.u8(SSET.timeZone, steps & 0xff);
    },
    variable: [
      [SSET.osData, setGuid.bytes],
      [76, utf16('NT SERVICE\\MSSQLSERVER')],
    ],
    region,
  });
}

function volbBlock(h: BackupHeader, region: number): Uint8Array {
  return writeBlock({
    type: 'VOLB',
    fixedLength: 73,
    fixed: (w) => w.mtfDate(68, h.backupStartDate),
    variable: [[64, utf16(h.serverName.split('\\')[0]!)]],
    region,
  });
}

function msciBlock(h: BackupHeader, region: number): Uint8Array {
  const database = utf16(h.databaseName);
  const server = utf16(h.serverName);
  const scin = new Writer(SCIN.fixedLength + database.length + server.length);
  scin.ascii(0, 'SCIN');
  scin.u32(SCIN.length, scin.bytes.length);
  scin.u32(SCIN.flags, h.hasChecksum ? FLAG_CHECKSUMS : 0);
  scin.u16(SCIN.build, h.softwareVersion.build);
  scin.u8(SCIN.minor, h.softwareVersion.minor);
  scin.u8(SCIN.major, h.softwareVersion.major);
  scin.lsn(SCIN.firstLsn, h.firstLsn);
  scin.lsn(SCIN.lastLsn, h.lastLsn);
  scin.lsn(SCIN.checkpointLsn, h.checkpointLsn);
  scin.lsn(SCIN.databaseBackupLsn, h.databaseBackupLsn);
  scin.mtfDate(SCIN.startDate, h.backupStartDate);
  scin.ascii(SCIN.type, TYPE_LETTER[h.backupType]);
  scin.u16(SCIN.databaseVersion, h.databaseVersion);
  scin.u16(SCIN.databaseName, database.length);
  scin.u16(SCIN.databaseName + 2, SCIN.fixedLength);
  scin.put(SCIN.fixedLength, database);
  scin.u16(SCIN.serverName, server.length);
  scin.u16(SCIN.serverName + 2, SCIN.fixedLength + database.length);
  scin.put(SCIN.fixedLength + database.length, server);
  scin.guid(SCIN.bindingId, h.bindingId);
  scin.guid(SCIN.familyGuid, h.familyGuid);
  scin.u32(SCIN.recovery, h.simpleRecovery ? RECOVERY_SIMPLE : 0);
  if (h.differentialBaseLsn !== null) scin.lsn(SCIN.differentialBaseLsn, h.differentialBaseLsn);
  if (h.differentialBaseGuid !== null) scin.guid(SCIN.differentialBaseGuid, h.differentialBaseGuid);
  return writeBlock({ type: 'MSCI', fixedLength: MQCI_FIRST_EVENT, fixed: () => {}, streams: [['MQCI', scin.bytes]], region });
}

/**
 * The `WITH COMPRESSION` container: TAPE in a first compressed record, a filler up to the raw SFMB on a
 * sector boundary, the rest of the stream in a second compressed record.
 */
function compressedContainer(tape: Uint8Array, sfmb: Uint8Array, rest: Uint8Array, sector: number): Uint8Array {
  const head = new Writer(FIRST_RECORD);
  head.ascii(0, COMPRESSED_MAGIC);
  head.u32(8, 2); // container version, as SQL Server 2016–2022 write it
  const record = (data: Uint8Array) => {
    const payload = compressLiteralsOnly(data);
    const w = new Writer(RECORD_HEADER + payload.length);
    w.u32(0, packRecordWord(RECORD.compressed, data.length / UNIT, payload.length));
    w.put(RECORD_HEADER, payload);
    return w.bytes;
  };
  const first = record(tape);
  const fillerAt = FIRST_RECORD + first.length;
  const sfmbAt = Math.ceil((fillerAt + RECORD_HEADER) / sector) * sector;
  const filler = new Writer(sfmbAt - fillerAt);
  filler.u32(0, packRecordWord(RECORD.filler, 0, sfmbAt - fillerAt - RECORD_HEADER));
  return concat([head.bytes, first, filler.bytes, sfmb, record(rest)]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
