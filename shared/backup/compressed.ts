/**
 * The container of a backup taken `WITH COMPRESSION`: `MSSQLBAK`, then records from 0x1E0 on, whose
 * payloads decompress and join into the same MTF stream an uncompressed backup holds. Records are
 * decoded only until the header can be read: the first SCIN is complete after about 2.6 KB of file.
 */
import { Bytes, ShortRead } from './bytes';
import type { HeaderReason } from './reasons';
import { decompressXcaHuffman } from './xca-huffman';

export const FIRST_RECORD = 0x1e0;
export const RECORD_HEADER = 28;
export const RECORD = { compressed: 0x21, filler: 0x24, index: 0x2c, encrypted: 0x71 } as const;
/** Decompressed sizes are counted in 512-byte units; the raw soft-filemark block sits on such a boundary. */
export const UNIT = 512;

/** The record header's first u32: type in bits 0–7, decompressed size in 512-byte units in 8–15, payload bytes in 16–31. */
export const packRecordWord = (type: number, units: number, payload: number) => (type | (units << 8) | (payload << 16)) >>> 0;

type Unreadable = Extract<HeaderReason, { code: 'damaged' | 'encrypted' }>;

/**
 * Decodes records one at a time and hands the joined stream to `parse`, which throws ShortRead while
 * the stream is too short. Throws ShortRead in file offsets when the records needed are not all there.
 */
export function readCompressed<T>(file: Bytes, parse: (stream: Bytes) => T): T | Unreadable {
  const damaged = (check: 'structure' | 'compression', offset: number): Unreadable => ({ code: 'damaged', check, block: 'MSSQLBAK record', offset });
  let stream = new Uint8Array(0);
  let at = FIRST_RECORD;
  for (;;) {
    const word = file.u32(at);
    const type = word & 0xff;
    const payload = word >>> 16;
    let piece: Uint8Array | undefined;
    if (type === RECORD.encrypted) return { code: 'encrypted' };
    if (type === RECORD.compressed) {
      file.need(at, RECORD_HEADER + payload);
      const start = at + RECORD_HEADER;
      piece = decompressXcaHuffman(file.data.subarray(start, start + payload), ((word >>> 8) & 0xff) * UNIT);
      if (!piece) return damaged('compression', at);
      at = start + payload;
    } else if (type === RECORD.filler) {
      // The filler runs up to an uncompressed soft-filemark block, stored raw on a 512-byte boundary;
      // its own header says how long it is.
      const raw = Math.floor((at + RECORD_HEADER + payload) / UNIT) * UNIT;
      if (raw < at + RECORD_HEADER || file.tag(raw) !== 'SFMB') return damaged('structure', at);
      const length = file.u16(raw + 8);
      file.need(raw, length);
      piece = file.data.subarray(raw, raw + length);
      at = raw + length;
    } else {
      // The index (0x2c) closes the records: a stream that still lacks the header is not a backup's.
      return damaged('structure', at);
    }
    const joined = new Uint8Array(stream.length + piece.length);
    joined.set(stream);
    joined.set(piece, stream.length);
    stream = joined;
    try {
      return parse(new Bytes(stream));
    } catch (error) {
      if (!(error instanceof ShortRead)) throw error;
    }
  }
}
