/**
 * Little-endian reads that never run past the end of what was fetched: a read beyond it throws
 * ShortRead with the length that would have been needed, which the reader turns into `truncated`.
 */

/** Not an Error: it is caught inside the reader, and capturing a stack on every short parse costs more than the parse. */
export class ShortRead {
  constructor(readonly bytesNeeded: number) {}
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export class Bytes {
  private readonly view: DataView;

  constructor(readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  get length(): number {
    return this.data.length;
  }

  need(offset: number, length: number): void {
    if (offset + length > this.data.length) throw new ShortRead(offset + length);
  }

  u8(offset: number): number {
    this.need(offset, 1);
    return this.data[offset]!;
  }

  i8(offset: number): number {
    return (this.u8(offset) << 24) >> 24;
  }

  u16(offset: number): number {
    this.need(offset, 2);
    return this.view.getUint16(offset, true);
  }

  u32(offset: number): number {
    this.need(offset, 4);
    return this.view.getUint32(offset, true);
  }

  /** A u64 length; lengths beyond 2^53 cannot occur in a header and read as Infinity, which fails later. */
  u64(offset: number): number {
    this.need(offset, 8);
    const high = this.view.getUint32(offset + 4, true);
    return high >= 0x200000 ? Infinity : high * 0x1_0000_0000 + this.view.getUint32(offset, true);
  }

  /** A 4-character ASCII tag: block types (TAPE, SSET…), stream ids (RAID, SPAD…), record tags (SCIN). */
  tag(offset: number): string {
    this.need(offset, 4);
    const d = this.data;
    return String.fromCharCode(d[offset]!, d[offset + 1]!, d[offset + 2]!, d[offset + 3]!);
  }

  utf16(offset: number, byteLength: number): string {
    this.need(offset, byteLength);
    const units: number[] = [];
    for (let i = 0; i + 1 < byteLength; i += 2) units.push(this.view.getUint16(offset + i, true));
    return String.fromCharCode(...units);
  }

  /** A Windows GUID: the first three groups little-endian, as SQL Server prints it. */
  guid(offset: number): string {
    this.need(offset, 16);
    const h = (i: number) => HEX[this.data[offset + i]!]!;
    return `${h(3)}${h(2)}${h(1)}${h(0)}-${h(5)}${h(4)}-${h(7)}${h(6)}-${h(8)}${h(9)}-${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}`;
  }

  isZero(offset: number, length: number): boolean {
    this.need(offset, length);
    for (let i = 0; i < length; i++) if (this.data[offset + i] !== 0) return false;
    return true;
  }

  /** XOR of `words` 16-bit words: the MTF header checksum, stored as the word after them. */
  xorWords(offset: number, words: number): number {
    this.need(offset, words * 2 + 2);
    let sum = 0;
    for (let i = 0; i < words; i++) sum ^= this.view.getUint16(offset + i * 2, true);
    return sum;
  }
}
