import type { Chain } from './config';
import type { BackupFileRecord } from './state';

/**
 * A configured chain is a source (bucket, prefix, target instance); every database whose backups
 * appear under it is restored as its own chain, with its own state and its own lock, so a source of
 * hundreds of databases never makes one database wait on another's upload, job or copy.
 *
 * A database's chain id is `<source id>/<database name>`. The source's own chain (database
 * SOURCE_RECORDS) holds what belongs to no database: files that are not readable backups, and the
 * reconcile walk's cursor.
 */
export const SOURCE_RECORDS = '';

export function chainIdOf(source: Pick<Chain, 'id'>, database: string): string {
  return `${source.id}/${database}`;
}

/** The source and database of a chain id (source ids have no '/'; database names may). */
export function parseChainId(chainId: string): { sourceId: string; database: string } {
  const slash = chainId.indexOf('/');
  return slash < 0 ? { sourceId: chainId, database: SOURCE_RECORDS } : { sourceId: chainId.slice(0, slash), database: chainId.slice(slash + 1) };
}

/** The database whose chain holds a file: the one its header names, else the source's own. */
export function databaseOfFile(file: Pick<BackupFileRecord, 'header'>): string {
  return file.header?.databaseName ?? SOURCE_RECORDS;
}
