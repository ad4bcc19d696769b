/**
 * Builds MTF descriptor blocks the way SQL Server lays them out, for synthetic backups: fixed fields,
 * then the variable-length data their {size, offset} pairs point at, then streams, then a SPAD stream
 * padding the block to a multiple of its region size. Checksums are filled in last.
 */
import { lsnParts } from './header';
import { STREAM_HEADER } from './mtf';

const STRING_TYPE_UTF16 = 2;
const DBLK_STRING_TYPE = 48;
const DBLK_CHECKSUM = 50;

export class Writer {
  readonly bytes: Uint8Array;
  private readonly view: DataView;

  constructor(length: number) {
    this.bytes = new Uint8Array(length);
    this.view = new DataView(this.bytes.buffer);
  }

  u8(at: number, value: number) {
    this.view.setUint8(at, value);
  }
  u16(at: number, value: number) {
    this.view.setUint16(at, value, true);
  }
  u32(at: number, value: number) {
    this.view.setUint32(at, value, true);
  }
  u64(at: number, value: number) {
    this.view.setUint32(at, value % 0x1_0000_0000, true);
    this.view.setUint32(at + 4, Math.floor(value / 0x1_0000_0000), true);
  }
  ascii(at: number, text: string) {
    for (let i = 0; i < text.length; i++) this.bytes[at + i] = text.charCodeAt(i);
  }
  put(at: number, data: Uint8Array) {
    this.bytes.set(data, at);
  }
  /** Windows GUID order: the first three groups little-endian. */
  guid(at: number, guid: string) {
    const hex = guid.replace(/-/g, '');
    if (!/^[0-9a-f]{32}$/i.test(hex)) throw new RangeError(`not a GUID: ${guid}`);
    const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
    order.forEach((from, to) => (this.bytes[at + to] = parseInt(hex.slice(from * 2, from * 2 + 2), 16)));
  }
  lsn(at: number, lsn: bigint) {
    const { vlf, block, slot } = lsnParts(lsn);
    if (lsn < 0n || vlf >= 2n ** 32n || block >= 2n ** 32n || slot >= 2n ** 16n) throw new RangeError(`LSN ${lsn} does not fit {u32 VLF, u32 block, u16 slot}`);
    this.u32(at, Number(vlf));
    this.u32(at + 4, Number(block));
    this.u16(at + 8, Number(slot));
  }
  /** `YYYY-MM-DDTHH:MM:SS` packed MSB first: 14 bits year, 4 month, 5 day, 5 hour, 6 minute, 6 second. */
  mtfDate(at: number, local: string) {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(local);
    if (!m) throw new RangeError(`not a local time YYYY-MM-DDTHH:MM:SS: ${local}`);
    const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
    const packed = ((((year * 16 + month) * 32 + day) * 32 + hour) * 64 + minute) * 64 + second;
    for (let i = 4; i >= 0; i--) this.bytes[at + i] = Math.floor(packed / 256 ** (4 - i)) % 256;
  }
  xor(at: number, words: number) {
    let sum = 0;
    for (let i = 0; i < words; i++) sum ^= this.view.getUint16(at + 2 * i, true);
    this.u16(at + 2 * words, sum);
  }
}

export const utf16 = (text: string) => {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) new DataView(out.buffer).setUint16(i * 2, text.charCodeAt(i), true);
  return out;
};

export interface BlockSpec {
  type: string;
  /** Where the fixed fields end: variable-length data follows them. */
  fixedLength: number;
  fixed: (w: Writer) => void;
  /** Variable-length data, by the offset of the {u16 size, u16 offset} pair that points at it. */
  variable?: [pairAt: number, data: Uint8Array][];
  streams?: [id: string, data: Uint8Array][];
  /** The block, SPAD included, takes a multiple of this many bytes. */
  region: number;
  /** Blocks without streams (SFMB) point straight at the next block. */
  noStreams?: boolean;
}

const align4 = (n: number) => (n + 3) & ~3;

export function writeBlock(spec: BlockSpec): Uint8Array {
  const variableEnd = (spec.variable ?? []).reduce((end, [, data]) => end + data.length, spec.fixedLength);
  const streamsEnd = (spec.streams ?? []).reduce((end, [, data]) => align4(end + STREAM_HEADER + data.length), align4(variableEnd));
  const length = spec.noStreams ? spec.region : Math.ceil((streamsEnd + STREAM_HEADER) / spec.region) * spec.region;
  const w = new Writer(length);
  w.ascii(0, spec.type);
  w.u16(8, spec.noStreams ? spec.region : align4(variableEnd));
  w.u8(DBLK_STRING_TYPE, STRING_TYPE_UTF16);
  spec.fixed(w);
  let at = spec.fixedLength;
  for (const [pairAt, data] of spec.variable ?? []) {
    w.u16(pairAt, data.length);
    w.u16(pairAt + 2, at);
    w.put(at, data);
    at += data.length;
  }
  w.xor(0, DBLK_CHECKSUM / 2);
  if (spec.noStreams) return w.bytes;
  at = align4(at);
  const stream = (id: string, size: number) => {
    w.ascii(at, id);
    w.u64(at + 8, size);
    w.xor(at, 10);
  };
  for (const [id, data] of spec.streams ?? []) {
    stream(id, data.length);
    w.put(at + STREAM_HEADER, data);
    at = align4(at + STREAM_HEADER + data.length);
  }
  stream('SPAD', length - at - STREAM_HEADER);
  return w.bytes;
}
