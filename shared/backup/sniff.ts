/** Tells what a file is from its first bytes, to say what was uploaded instead of a backup. */
import type { LooksLike } from './reasons';

export const MTF_MAGIC = 'TAPE';
export const COMPRESSED_MAGIC = 'MSSQLBAK';

const SIGNATURES: [LooksLike, number[]][] = [
  ['zip', [0x50, 0x4b, 0x03, 0x04]],
  ['zip', [0x50, 0x4b, 0x05, 0x06]],
  ['gzip', [0x1f, 0x8b]],
  ['7z', [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]],
  ['rar', [0x52, 0x61, 0x72, 0x21]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['pdf', [0x25, 0x50, 0x44, 0x46]],
];

const startsWith = (bytes: ArrayLike<number>, prefix: ArrayLike<number>) => {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
};

const ascii = (text: string) => Array.from(text, (c) => c.charCodeAt(0));
const MTF = ascii(MTF_MAGIC);
const COMPRESSED = ascii(COMPRESSED_MAGIC);

export type Container = 'mtf' | 'compressed';

/** The container, or the length a prefix of one needs before it can be told, or what it looks like. */
export function sniff(bytes: Uint8Array): Container | { bytesNeeded: number } | LooksLike {
  if (bytes.length === 0) return 'empty';
  if (startsWith(bytes, MTF)) return 'mtf';
  if (startsWith(bytes, COMPRESSED)) return 'compressed';
  for (const magic of [MTF, COMPRESSED]) {
    if (bytes.length < magic.length && startsWith(magic, bytes)) return { bytesNeeded: magic.length };
  }
  for (const [kind, signature] of SIGNATURES) if (startsWith(bytes, signature)) return kind;
  return looksLikeText(bytes.subarray(0, 512)) ? 'text' : 'unknown';
}

/** Printable ASCII, whitespace and UTF-8 lead/continuation bytes only: no control bytes a binary has. */
function looksLikeText(head: Uint8Array): boolean {
  for (const byte of head) if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return false;
  return true;
}
