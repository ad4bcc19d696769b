import { createHash } from 'node:crypto';

/**
 * DRS takes a backup file only under a name of letters, digits, `-` and `_` with the suffix `.bak`,
 * at most 200 characters (../shared/reference/mssql-backup-format.md, "What DRS accepts"). Ola
 * Hallengren's `.trn` logs, a named instance's `$`, dots and spaces in database names all break it.
 */
const DRS_SAFE = /^[A-Za-z0-9_-]{1,196}\.bak$/;

export function isDrsSafeName(name: string): boolean {
  return DRS_SAFE.test(name);
}

/**
 * The staging copy's key for one file version, when its own name is not DRS-safe: the name with every
 * other character made `_`, then 12 hex of sha256(bucket/key#eTag), so the same version always gets
 * the same copy and another version another one.
 */
export function stagingKeyFor(stagingPrefix: string, chainId: string, bucket: string, key: string, eTag: string): string | undefined {
  const name = key.slice(key.lastIndexOf('/') + 1);
  if (isDrsSafeName(name)) return undefined;
  const stem = name.replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 160) || 'backup';
  const version = createHash('sha256').update(`${bucket}/${key}#${eTag}`).digest('hex').slice(0, 12);
  return `${stagingPrefix}${chainId}/${stem}-${version}.bak`;
}
