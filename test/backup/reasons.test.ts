import { describe, expect, it } from 'vitest';
import { readBackupHeader, type HeaderResult } from '../../shared/backup/read-header';
import { describeReason, type HeaderReason } from '../../shared/backup/reasons';
import { writeSyntheticBackup } from '../../shared/backup/write-backup';
import { COMPRESSED, fixture, OLA_FULL, PASSWORD } from './fixtures';

const reasonOf = (result: HeaderResult): HeaderReason => {
  if (result.ok) throw new Error('expected a reason, got a header');
  return result.reason;
};

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const bytesOf = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const withTail = (head: Uint8Array, length = 4096) => {
  const out = new Uint8Array(length);
  out.set(head);
  return out;
};

describe('not a backup', () => {
  it.each([
    ['empty', new Uint8Array(0)],
    ['zip', withTail(bytesOf('PK\x03\x04\x14\x00\x00\x00\x08\x00'))],
    ['gzip', withTail(Uint8Array.of(0x1f, 0x8b, 0x08, 0x00))],
    ['7z', withTail(Uint8Array.of(0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0x00, 0x04))],
    ['pdf', bytesOf('%PDF-1.7\n%âãÏÓ\n')],
    ['text', bytesOf('BACKUP DATABASE [Sales] TO DISK = N\'Sales.bak\'\r\n')],
    ['unknown', withTail(Uint8Array.of(0x00, 0x01, 0x02, 0x03))],
  ])('says the bytes look like %s', (looksLike, bytes) => {
    expect(reasonOf(readBackupHeader(bytes))).toEqual({ code: 'not-a-backup', looksLike });
  });

  it('tells a zip renamed .bak, even one holding a real backup', () => {
    const zip = withTail(bytesOf('PK\x03\x04'), 65_536);
    zip.set(fixture(OLA_FULL).subarray(0, 60_000), 40);
    expect(reasonOf(readBackupHeader(zip))).toEqual({ code: 'not-a-backup', looksLike: 'zip' });
  });

  it('tells another program\'s tape format from SQL Server\'s', () => {
    const bytes = fixture(OLA_FULL);
    bytes[86] = 0x00; // vendor id; the checksum is fixed up so only the vendor differs
    bytes[87] = 0x13;
    let sum = 0;
    for (let i = 0; i < 50; i += 2) sum ^= bytes[i]! | (bytes[i + 1]! << 8);
    bytes[50] = sum & 0xff;
    bytes[51] = sum >> 8;
    expect(reasonOf(readBackupHeader(bytes))).toEqual({ code: 'not-a-backup', looksLike: 'other-tape-format' });
  });

  it('never reads a header from random bytes', () => {
    const next = random(11);
    for (let i = 0; i < 500; i++) {
      const bytes = Uint8Array.from({ length: Math.floor(next() * 8192) + 1 }, () => Math.floor(next() * 256));
      expect(reasonOf(readBackupHeader(bytes)).code).toBe('not-a-backup');
    }
  });
});

describe('truncated', () => {
  const sources: [string, Uint8Array][] = [
    ['an uncompressed real backup', fixture(OLA_FULL)],
    ['a password-protected real backup', fixture(PASSWORD)],
    ['a compressed real backup', fixture(COMPRESSED)],
    ['a 4 KiB-sector backup', writeSyntheticBackup({ blockSize: 4096, totalSize: 65_536 })],
    ['a compressed 4 KiB-sector backup', writeSyntheticBackup({ blockSize: 4096, isCompressed: true, totalSize: 65_536 })],
  ];

  it.each(sources)('%s cut at any length is truncated, asks for more, and is never misread', (_, whole) => {
    const complete = readBackupHeader(whole);
    if (!complete.ok) throw new Error(complete.reason.code);
    // Following bytesNeeded from nothing reaches the header: it is exact, not a guess.
    let length = 1;
    let asks = 0;
    for (;;) {
      const result = readBackupHeader(whole.subarray(0, length));
      if (result.ok) break;
      const reason = reasonOf(result);
      if (reason.code !== 'truncated') throw new Error(`at ${length}: ${reason.code}`);
      expect(reason.bytesGiven).toBe(length);
      expect(reason.bytesNeeded).toBeGreaterThan(length);
      length = reason.bytesNeeded;
      asks++;
    }
    expect(asks).toBeLessThan(60);
    const minimum = length;
    for (let cut = 1; cut < whole.length; cut += cut < 4700 ? 1 : cut < minimum + 64 ? 61 : 997) {
      const result = readBackupHeader(whole.subarray(0, cut));
      if (cut < minimum) {
        const reason = reasonOf(result);
        expect(reason.code, `cut at ${cut}`).toBe('truncated');
        if (reason.code === 'truncated') expect(reason.bytesNeeded).toBeGreaterThan(cut);
      } else {
        expect(result, `cut at ${cut}`).toEqual(complete);
      }
    }
  });

  it('an upload cut at 2 KiB is truncated', () => {
    for (const whole of [fixture(OLA_FULL), writeSyntheticBackup({ blockSize: 4096 })]) {
      const reason = reasonOf(readBackupHeader(whole.subarray(0, 2048)));
      expect(reason).toMatchObject({ code: 'truncated', bytesGiven: 2048 });
    }
  });
});

describe('damaged', () => {
  it.each([
    ['TAPE', 0],
    ['SFMB', 1024],
    ['SSET', 1536],
    ['VOLB', 2560],
    ['MSCI', 3584],
  ])('a flipped byte in the %s block checksum names that block', (block, offset) => {
    const bytes = fixture(OLA_FULL);
    bytes[offset + 50]! ^= 0x01;
    expect(reasonOf(readBackupHeader(bytes))).toEqual({ code: 'damaged', check: 'block-checksum', block, offset });
  });

  it('a flipped byte in a stream header names the stream', () => {
    const bytes = fixture(OLA_FULL);
    bytes[0x8c + 8]! ^= 0x01; // the RAID stream's length
    expect(reasonOf(readBackupHeader(bytes))).toMatchObject({ code: 'damaged', check: 'stream-checksum', block: 'TAPE/RAID' });
  });

  it('a damaged compressed record is caught, not decoded into wrong values', () => {
    const next = random(5);
    for (let i = 0; i < 200; i++) {
      const bytes = fixture(COMPRESSED);
      const at = 0x1fc + Math.floor(next() * 256); // inside the first record's Huffman table
      bytes[at]! ^= 1 + Math.floor(next() * 255);
      const result = readBackupHeader(bytes);
      if (result.ok) continue; // a change to a code length that the block never uses
      expect(result.reason.code).toBe('damaged');
    }
  });

  it('never throws on a corrupted header, whatever byte is hit', () => {
    const next = random(7);
    for (const source of [fixture(OLA_FULL), fixture(COMPRESSED)]) {
      for (let i = 0; i < 1000; i++) {
        const bytes = source.slice(0, 12_288);
        bytes[Math.floor(next() * 4200)] = Math.floor(next() * 256);
        expect(() => readBackupHeader(bytes)).not.toThrow();
      }
    }
  });
});

describe('encrypted', () => {
  it('a 0x71 record is an encrypted backup', () => {
    const bytes = new Uint8Array(8192);
    bytes.set(bytesOf('MSSQLBAK'));
    bytes[8] = 2;
    new DataView(bytes.buffer).setUint32(0x1e0, 0x71 | (8 << 8) | (1024 << 16), true);
    expect(reasonOf(readBackupHeader(bytes))).toEqual({ code: 'encrypted' });
  });
});

describe('describeReason', () => {
  it.each<HeaderReason>([
    { code: 'not-a-backup', looksLike: 'zip' },
    { code: 'truncated', bytesGiven: 2048, bytesNeeded: 2612 },
    { code: 'encrypted' },
    { code: 'damaged', check: 'block-checksum', block: 'SSET', offset: 1536 },
  ])('words $code for a DBA', (reason) => {
    expect(describeReason(reason).length).toBeGreaterThan(20);
  });
});
