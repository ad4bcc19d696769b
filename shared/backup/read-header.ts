/**
 * Reads a SQL Server backup's header from the leading bytes of the file (64 KiB is ample; 8 KiB is
 * enough for most). Pure: bytes in, a header or a typed reason out. A buffer that ends too early is
 * always `truncated`, never a header read from the wrong bytes.
 */
import { Bytes, ShortRead } from './bytes';
import { readCompressed } from './compressed';
import type { BackupHeader } from './header';
import { blockChecksumOk, RAID, SQL_SERVER_VENDOR, SSET, SSET_COPY_ONLY, TAPE, walkMtf } from './mtf';
import type { HeaderReason } from './reasons';
import { readScin } from './scin';
import { MTF_MAGIC, sniff } from './sniff';

export type HeaderResult = { ok: true; header: BackupHeader } | { ok: false; reason: HeaderReason };

export function readBackupHeader(bytes: Uint8Array): HeaderResult {
  const container = sniff(bytes);
  if (typeof container === 'object') return truncated(bytes.length, container.bytesNeeded);
  if (container !== 'mtf' && container !== 'compressed') return { ok: false, reason: { code: 'not-a-backup', looksLike: container } };
  const file = new Bytes(bytes);
  try {
    const result = container === 'mtf' ? readMtf(file, false) : readCompressed(file, (stream) => readMtf(stream, true));
    return 'code' in result ? { ok: false, reason: result } : { ok: true, header: result };
  } catch (error) {
    if (error instanceof ShortRead) return truncated(bytes.length, error.bytesNeeded);
    throw error;
  }
}

const truncated = (bytesGiven: number, bytesNeeded: number): HeaderResult => ({ ok: false, reason: { code: 'truncated', bytesGiven, bytesNeeded } });

function readMtf(b: Bytes, isCompressed: boolean): BackupHeader | HeaderReason {
  if (b.tag(0) !== MTF_MAGIC) return { code: 'damaged', check: 'structure', block: 'TAPE', offset: 0 };
  if (b.u16(TAPE.vendorId) !== SQL_SERVER_VENDOR) {
    // The vendor id lies outside the checksummed words: only an intact TAPE block outside SQL Server's
    // own compressed container can be another program's tape.
    if (isCompressed || !blockChecksumOk(b, 0)) return { code: 'damaged', check: isCompressed ? 'compression' : 'block-checksum', block: 'TAPE', offset: 0 };
    return { code: 'not-a-backup', looksLike: 'other-tape-format' };
  }
  const layout = walkMtf(b);
  if ('code' in layout) return layout;
  if (layout.mediaSetLength < RAID.length) return { code: 'damaged', check: 'structure', block: 'TAPE/RAID', offset: layout.mediaSet };
  const scin = readScin(b, layout.sqlInfo, layout.sqlInfoLength);
  if ('code' in scin) return scin;
  const osData = b.u16(layout.sset + SSET.osData + 2);
  const attributes = b.u32(layout.sset + SSET.attributes);
  return {
    ...scin,
    backupSetGuid: b.guid(layout.sset + osData),
    timeZoneOffsetMinutes: b.i8(layout.sset + SSET.timeZone) * 15,
    isCopyOnly: (attributes & SSET_COPY_ONLY) !== 0,
    isPasswordProtected: b.u16(TAPE.mediaPassword) > 0,
    isCompressed: isCompressed || b.u16(layout.sset + SSET.compression) !== 0,
    mediaSetGuid: b.guid(layout.mediaSet + RAID.mediaSetGuid),
    mediaFamilyCount: b.u16(layout.mediaSet + RAID.familyCount),
    mediaFamilySequenceNumber: b.u16(layout.mediaSet + RAID.familySequence),
  };
}
