/**
 * Walks the Microsoft Tape Format blocks at the start of a backup, the way the format chains them:
 * each descriptor block (DBLK) names the offset of its first stream, each stream its length, and a
 * SPAD stream pads to the next block. No block offset is assumed, so media passwords, 4 KiB sectors
 * and other block sizes move nothing. Every header visited has its checksum checked.
 */
import { Bytes } from './bytes';
import type { HeaderReason } from './reasons';

export const DBLK_HEADER = 52;
export const STREAM_HEADER = 22;
const DBLK_TYPES = new Set(['TAPE', 'SFMB', 'SSET', 'VOLB', 'DIRB', 'FILE', 'CFIL', 'ESPB', 'ESET', 'EOTM', 'MSCI', 'MSDA', 'MSTL']);
// Generous bounds so a damaged length cannot send the walk through the whole buffer or loop.
const MAX_BLOCKS = 16;
const MAX_STREAMS_PER_BLOCK = 32;
const MAX_HEADER_STREAM = 1 << 24;

/** Field offsets from the start of a block (the RAID ones from its stream data). */
export const TAPE = { mediaPassword: 76, vendorId: 86 } as const;
export const RAID = { mediaSetGuid: 0, familyCount: 20, familySequence: 24, length: 26 } as const;
export const SSET = { osData: 44, attributes: 52, compression: 58, timeZone: 95 } as const;
export const SQL_SERVER_VENDOR = 0x1200;
export const SSET_COPY_ONLY = 0x2;

/** Where the blocks the header is read from start, as offsets into the MTF stream. */
export interface MtfLayout {
  /** The data of the TAPE block's RAID stream: media set GUID, family count and sequence. */
  mediaSet: number;
  mediaSetLength: number;
  sset: number;
  /** The data of the MSCI block's MQCI stream, which opens with the SCIN record. */
  sqlInfo: number;
  sqlInfoLength: number;
}

type Damaged = Extract<HeaderReason, { code: 'damaged' }>;
const damaged = (check: Damaged['check'], block: string, offset: number): Damaged => ({ code: 'damaged', check, block, offset });

export const blockChecksumOk = (b: Bytes, at: number) => b.xorWords(at, 25) === b.u16(at + 50);

/** Checks a stream header and returns where the next one starts. */
function stream(b: Bytes, at: number, block: string): { id: string; length: number; next: number } | Damaged {
  const id = b.tag(at);
  if (b.xorWords(at, 10) !== b.u16(at + 20)) return damaged('stream-checksum', `${block}/${id}`, at);
  const length = b.u64(at + 8);
  if (length > MAX_HEADER_STREAM) return damaged('structure', `${block}/${id}`, at);
  return { id, length, next: (at + STREAM_HEADER + length + 3) & ~3 };
}

/** Throws ShortRead when the bytes end before the SQL Server information block. */
export function walkMtf(b: Bytes): MtfLayout | Damaged {
  let pos = 0;
  let mediaSet: { at: number; length: number } | undefined;
  let sset: number | undefined;
  for (let blocks = 0; blocks < MAX_BLOCKS; blocks++) {
    const type = b.tag(pos);
    if (!DBLK_TYPES.has(type)) return damaged('structure', type.replace(/[^ -~]/g, '?'), pos);
    if (!blockChecksumOk(b, pos)) return damaged('block-checksum', type, pos);
    const firstEvent = b.u16(pos + 8);
    if (firstEvent < DBLK_HEADER) return damaged('structure', type, pos);
    if (type === 'SSET') sset = pos;

    let at = pos + firstEvent;
    if (type === 'MSCI') {
      const info = stream(b, at, type);
      if ('code' in info) return info;
      if (info.id !== 'MQCI' || !mediaSet || sset === undefined) return damaged('structure', type, pos);
      return { mediaSet: mediaSet.at, mediaSetLength: mediaSet.length, sset, sqlInfo: at + STREAM_HEADER, sqlInfoLength: info.length };
    }
    for (let streams = 0; ; streams++) {
      if (streams === MAX_STREAMS_PER_BLOCK) return damaged('structure', type, pos);
      // A block without streams (SFMB) points straight at the next block.
      if (DBLK_TYPES.has(b.tag(at))) break;
      const s = stream(b, at, type);
      if ('code' in s) return s;
      if (type === 'TAPE' && s.id === 'RAID') mediaSet = { at: at + STREAM_HEADER, length: s.length };
      at = s.next;
      if (s.id === 'SPAD') break;
    }
    pos = at;
  }
  return damaged('structure', 'MSCI', pos);
}
