/**
 * Why a header could not be read. The `code` is the stable machine interface; the wording for a DBA is
 * derived from it by describeReason, never parsed back.
 */

/** What the bytes look like when they are not a SQL Server backup. */
export type LooksLike =
  | 'empty'
  | 'zip'
  | 'gzip'
  | '7z'
  | 'rar'
  | 'bzip2'
  | 'xz'
  | 'zstd'
  | 'pdf'
  | 'text'
  /** A Microsoft Tape Format file written by other software (NTBackup, a tape tool). */
  | 'other-tape-format'
  | 'unknown';

export type DamagedCheck =
  | 'block-checksum'
  | 'stream-checksum'
  /** The blocks are intact but not where the format puts them, or a record is missing. */
  | 'structure'
  /** A compressed record does not decode. */
  | 'compression';

export type HeaderReason =
  | { code: 'not-a-backup'; looksLike: LooksLike }
  /** bytesNeeded: the shortest prefix that gets the reader further; it may ask again after that. */
  | { code: 'truncated'; bytesGiven: number; bytesNeeded: number }
  | { code: 'encrypted' }
  /** block: the MTF descriptor block (TAPE, SSET, …) or container record; offset: where in the stream it is. */
  | { code: 'damaged'; check: DamagedCheck; block: string; offset: number };

export type HeaderReasonCode = HeaderReason['code'];

const LOOKS_LIKE: Record<LooksLike, string> = {
  empty: 'the file is empty',
  zip: 'it is a ZIP archive; unzip it and upload the .bak inside',
  gzip: 'it is a gzip archive; decompress it and upload the .bak inside',
  '7z': 'it is a 7-Zip archive; extract it and upload the .bak inside',
  rar: 'it is a RAR archive; extract it and upload the .bak inside',
  bzip2: 'it is a bzip2 archive; decompress it and upload the .bak inside',
  xz: 'it is an xz archive; decompress it and upload the .bak inside',
  zstd: 'it is a Zstandard archive; decompress it and upload the .bak inside',
  pdf: 'it is a PDF document',
  text: 'it is a text file',
  'other-tape-format': 'it is a Microsoft Tape Format file written by other software, not by SQL Server',
  unknown: 'it does not start like a native SQL Server backup (TAPE or MSSQLBAK)',
};

const CHECK: Record<DamagedCheck, string> = {
  'block-checksum': 'the checksum of its header block does not match',
  'stream-checksum': 'the checksum of a stream header does not match',
  structure: 'its blocks are not laid out as SQL Server writes them',
  compression: 'a compressed record does not decompress',
};

export function describeReason(reason: HeaderReason): string {
  switch (reason.code) {
    case 'not-a-backup':
      return `Not a SQL Server backup: ${LOOKS_LIKE[reason.looksLike]}.`;
    case 'truncated':
      return `The backup header is cut short: ${reason.bytesGiven} bytes were read but at least ${reason.bytesNeeded} are needed. The upload may be incomplete; upload the file again.`;
    case 'encrypted':
      return 'Encrypted backup (BACKUP … WITH ENCRYPTION): its header cannot be read without the certificate that encrypted it.';
    case 'damaged':
      return `The backup header is damaged at ${reason.block} (byte ${reason.offset}): ${CHECK[reason.check]}. Upload an undamaged copy or take the backup again.`;
  }
}
