/**
 * MS-XCA LZ77+Huffman decompression, written from Microsoft's open specification [MS-XCA] §2.2.4.
 * SQL Server compresses each backup record (at most 64 KiB of output) as one Huffman block: a 256-byte
 * table of 4-bit code lengths for 512 symbols, then a bit stream read as 16-bit little-endian words,
 * most significant bit first, with the long-match length bytes interleaved in the byte stream.
 */

const TABLE_BYTES = 256;
const MAX_CODE_BITS = 15;
const BLOCK_OUTPUT = 65_536;

// Rebuilt for every block and never escaping a call: one allocation instead of 64 KiB per record.
const table = new Uint16Array(1 << MAX_CODE_BITS);
const lengths = new Uint8Array(512);

/** Fills the 2^15-entry lookup from the next 15 bits to the symbol; false when the lengths are no prefix code. */
function buildDecodingTable(input: Uint8Array): boolean {
  for (let i = 0; i < TABLE_BYTES; i++) {
    lengths[2 * i] = input[i]! & 0x0f;
    lengths[2 * i + 1] = input[i]! >> 4;
  }
  // Canonical codes: shorter codes first, equal lengths in symbol order, so the entries fill in sequence.
  let next = 0;
  for (let bits = 1; bits <= MAX_CODE_BITS; bits++) {
    const span = 1 << (MAX_CODE_BITS - bits);
    for (let symbol = 0; symbol < 512; symbol++) {
      if (lengths[symbol] !== bits) continue;
      if (next + span > table.length) return false;
      table.fill(symbol, next, next + span);
      next += span;
    }
  }
  // An incomplete code leaves entries no code reaches; clear them so no earlier block shows through.
  table.fill(0, next);
  return next > 0;
}

/**
 * Decompresses one block to exactly `outputSize` bytes. Returns undefined for data that does not
 * decode: a bad table, a match reaching before the start, or input that ends inside a match length.
 */
export function decompressXcaHuffman(input: Uint8Array, outputSize: number): Uint8Array | undefined {
  if (input.length < TABLE_BYTES + 4 || outputSize > BLOCK_OUTPUT) return undefined;
  if (!buildDecodingTable(input)) return undefined;

  const out = new Uint8Array(outputSize);
  // Past the end the stream reads as zeros: the compressor pads it, and the caller checks what it decoded.
  const word = (at: number) => (at + 1 < input.length ? input[at]! | (input[at + 1]! << 8) : 0);
  let position = TABLE_BYTES;
  let bits = ((word(position) << 16) | word(position + 2)) >>> 0;
  position += 4;
  let extraBits = 16;
  const consume = (count: number) => {
    bits = (bits << count) >>> 0;
    extraBits -= count;
    if (extraBits < 0) {
      bits = (bits | (word(position) << -extraBits)) >>> 0;
      position += 2;
      extraBits += 16;
    }
  };

  let written = 0;
  while (written < outputSize) {
    const symbol = table[bits >>> (32 - MAX_CODE_BITS)]!;
    consume(lengths[symbol]!);
    if (symbol < 256) {
      out[written++] = symbol;
      continue;
    }
    let length = (symbol - 256) & 0x0f;
    const offsetBits = (symbol - 256) >> 4;
    if (length === 15) {
      if (position >= input.length) return undefined;
      length = input[position++]!;
      if (length === 255) {
        if (position + 2 > input.length) return undefined;
        length = input[position]! | (input[position + 1]! << 8);
        position += 2;
        if (length < 15) return undefined;
        length -= 15;
      }
      length += 15;
    }
    length += 3;
    // A shift by 32 is a no-op in JavaScript, so a zero-bit offset is handled apart.
    const distance = (offsetBits === 0 ? 0 : bits >>> (32 - offsetBits)) + (1 << offsetBits);
    if (offsetBits > 0) consume(offsetBits);
    if (distance > written) return undefined;
    const end = Math.min(written + length, outputSize);
    // Byte by byte: a match may overlap the bytes it is copying (a run).
    while (written < end) {
      out[written] = out[written - distance]!;
      written++;
    }
  }
  return out;
}
