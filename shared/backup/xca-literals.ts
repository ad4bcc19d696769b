/**
 * The simplest valid MS-XCA LZ77+Huffman encoding, for synthetic backups only: every byte is a literal
 * with an 8-bit code, so the code of a byte is the byte itself and no match is ever emitted. It is
 * larger than its input, which does not matter for test files; decompressXcaHuffman reads it like
 * SQL Server's own output.
 */

const TABLE_BYTES = 256;
/** Symbols 2k and 2k+1 share table byte k (low nibble, high nibble): 0x88 gives both length 8. */
const BOTH_LITERALS_8_BITS = 0x88;

export function compressLiteralsOnly(data: Uint8Array): Uint8Array {
  const even = data.length + (data.length % 2);
  // Four zero bytes at the end: the decoder reads 32 bits ahead of what it decodes.
  const out = new Uint8Array(TABLE_BYTES + even + 4);
  out.fill(BOTH_LITERALS_8_BITS, 0, TABLE_BYTES / 2);
  // The bit stream is 16-bit little-endian words, most significant bit first: each byte pair swaps.
  for (let i = 0; i < data.length; i += 2) {
    out[TABLE_BYTES + i] = data[i + 1] ?? 0;
    out[TABLE_BYTES + i + 1] = data[i]!;
  }
  return out;
}
