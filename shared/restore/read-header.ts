import { headerRead } from '../chains/header-read';
import type { ObsClient } from '../huawei/obs';
import type { ReadHeader } from './upload';

/**
 * The header of every SQL Server backup sits in its first ~11 KB (4 KiB-sector backups; 8 KiB for
 * 512-byte sectors, see ../shared/reference/mssql-backup-format.md); 64 KiB leaves room.
 */
export const HEADER_BYTES = 64 * 1024;

/** One ranged GetObject per file version, pinned to the event's eTag (If-Match). */
export function headerReaderFor(obs: ObsClient): ReadHeader {
  return async ({ bucket, key, eTag }) => {
    const read = await obs.readObjectStart(bucket, key, { bytes: HEADER_BYTES, ifMatch: eTag });
    return 'changed' in read ? read : headerRead(read.bytes);
  };
}
