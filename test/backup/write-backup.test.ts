import { describe, expect, it } from 'vitest';
import { backupStartUtc, formatLsn, lsnFromParts, lsnParts, type BackupHeader } from '../../shared/backup/header';
import { readBackupHeader } from '../../shared/backup/read-header';
import { syntheticHeader, writeSyntheticBackup, type SyntheticBackup } from '../../shared/backup/write-backup';
import { decompressXcaHuffman } from '../../shared/backup/xca-huffman';
import { compressLiteralsOnly } from '../../shared/backup/xca-literals';

function roundTrip(fields: Partial<BackupHeader>, layout: Pick<SyntheticBackup, 'blockSize' | 'totalSize'> = {}): BackupHeader {
  const header = syntheticHeader(fields);
  const result = readBackupHeader(writeSyntheticBackup({ ...header, ...layout }));
  if (!result.ok) throw new Error(result.reason.code);
  expect(result.header).toEqual(header);
  return result.header;
}

const FULL_SET = 'c0ffee00-1111-4222-8333-444455556666';

describe('writeSyntheticBackup reads back to the fields written', () => {
  it.each<Partial<BackupHeader>>([
    { backupType: 'full' },
    { backupType: 'diff', differentialBaseLsn: 21000000015900037n, differentialBaseGuid: FULL_SET, firstLsn: 21000000018200034n },
    { backupType: 'log', firstLsn: 21000000019700001n, lastLsn: 21000000019900001n },
    { backupType: 'log', firstLsn: 21000000019900001n, lastLsn: 21000000019900001n },
    { backupType: 'full', isCopyOnly: true },
    { backupType: 'file' },
    { backupType: 'file-diff' },
    { backupType: 'partial' },
    { backupType: 'partial-diff' },
    { isPasswordProtected: true },
    { hasChecksum: false, simpleRecovery: true },
    { timeZoneOffsetMinutes: -360, backupStartDate: '2021-10-14T08:10:22' },
    { timeZoneOffsetMinutes: 330, softwareVersion: { major: 16, minor: 0, build: 4135 }, databaseVersion: 957 },
    { databaseName: 'Ventes_Été', serverName: 'SQL-01\\INST' },
  ])('%o', (fields) => {
    roundTrip(fields);
  });

  it('huge LSNs, near 2^80 and the largest there is', () => {
    const nearTwoTo80 = lsnFromParts(1_208_925_820, 4_000_000_000, 65_535);
    const largest = lsnFromParts(2 ** 32 - 1, 2 ** 32 - 1, 2 ** 16 - 1);
    expect(nearTwoTo80 > 2n ** 80n).toBe(true);
    const header = roundTrip({ firstLsn: nearTwoTo80, lastLsn: largest, checkpointLsn: nearTwoTo80 - 2n, databaseBackupLsn: nearTwoTo80 - 1n });
    expect(formatLsn(header.lastLsn)).toBe('4294967295429496729565535');
  });

  it('refuses an LSN that SQL Server could not store', () => {
    expect(() => writeSyntheticBackup({ firstLsn: 2n ** 80n })).toThrow(RangeError);
  });

  it('a stripe set of width 3 shares media set and backup set, sequence 1..3', () => {
    const shared = { mediaSetGuid: '0badf00d-0000-4000-8000-000000000003', backupSetGuid: FULL_SET, mediaFamilyCount: 3 };
    const stripes = [1, 2, 3].map((n) => roundTrip({ ...shared, mediaFamilySequenceNumber: n }));
    expect(stripes.map((s) => s.mediaFamilySequenceNumber)).toEqual([1, 2, 3]);
  });

  it('4 KiB-sector layout puts SCIN where SQL Server does', () => {
    const bytes = writeSyntheticBackup({ blockSize: 4096 });
    expect(Buffer.from(bytes).indexOf('SCIN')).toBe(10_318);
    roundTrip({ backupType: 'log' }, { blockSize: 4096 });
  });

  it('512-byte blocks', () => {
    roundTrip({ backupType: 'diff', differentialBaseLsn: 5n, differentialBaseGuid: FULL_SET }, { blockSize: 512 });
  });

  it('the common layout matches the real backups\' offsets', () => {
    const bytes = Buffer.from(writeSyntheticBackup({}));
    expect(['TAPE', 'SFMB', 'SSET', 'VOLB', 'MSCI'].map((block) => bytes.indexOf(block))).toEqual([0, 1024, 1536, 2560, 3584]);
    expect(bytes.indexOf('SCIN')).toBe(3662);
  });

  it('compressed, in both layouts', () => {
    for (const blockSize of [1024, 4096] as const) {
      const bytes = writeSyntheticBackup({ isCompressed: true, blockSize });
      expect(Buffer.from(bytes.subarray(0, 8)).toString('latin1')).toBe('MSSQLBAK');
      roundTrip({ isCompressed: true, backupType: 'log', isPasswordProtected: true }, { blockSize });
    }
  });

  it('pads to a chosen total size', () => {
    for (const isCompressed of [false, true]) {
      const bytes = writeSyntheticBackup({ isCompressed, totalSize: 1_000_000 });
      expect(bytes.length).toBe(1_000_000);
      expect(readBackupHeader(bytes).ok).toBe(true);
    }
  });
});

describe('LSN and time helpers', () => {
  it('splits an LSN into VLF, block and slot as HEADERONLY prints it', () => {
    expect(lsnParts(21000000018200034n)).toEqual({ vlf: 21n, block: 182n, slot: 34n });
    expect(lsnFromParts(21, 182, 34)).toBe(21000000018200034n);
  });

  it('turns the local start time and its offset into an instant', () => {
    expect(backupStartUtc({ backupStartDate: '2021-10-14T08:10:22', timeZoneOffsetMinutes: -360 }).toISOString()).toBe('2021-10-14T14:10:22.000Z');
  });
});

describe('MS-XCA', () => {
  it('decodes the literal-only encoding of any bytes', () => {
    const data = Uint8Array.from({ length: 7001 }, (_, i) => (i * 7919) % 251);
    expect(decompressXcaHuffman(compressLiteralsOnly(data), data.length)).toEqual(data);
  });

  it('refuses a table that is no prefix code', () => {
    const payload = compressLiteralsOnly(new Uint8Array(512));
    payload[0] = 0x11; // two 1-bit codes plus 254 of 8 bits: more codes than fit
    expect(decompressXcaHuffman(payload, 512)).toBeUndefined();
  });
});
