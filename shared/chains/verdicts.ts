import type { ChainState, NotNeededCode, Preflight, Refusal, RefusalCode, StoredHeader } from './state';

/**
 * The chain tests that need no DRS: a backup DRS documents it cannot restore is refused before any
 * job, with a stable code. Pure; the words for people derive from the code (describeRefusal).
 * Source of every rule: ../shared/reference/mssql-backup-format.md, "What DRS accepts".
 */

/** DRS refuses these database names. */
const SYSTEM_DATABASES = new Set(['master', 'msdb', 'model', 'tempdb', 'rdsadmin', 'resource']);

/**
 * Why DRS cannot restore this backup, if it cannot. `known` is the chain's state: a backup of another
 * database that has the same name (another BindingID) never enters that database's chain.
 */
export function refusalFor(header: StoredHeader, known: ChainState): Refusal | undefined {
  if (header.familyCount > 1) {
    return { code: 'striped', detail: `member ${header.familySequence} of ${header.familyCount} of media set ${header.mediaSetGuid}` };
  }
  if (header.passwordProtected) return { code: 'password-protected', detail: 'written WITH MEDIAPASSWORD' };
  if (SYSTEM_DATABASES.has(header.databaseName.toLowerCase())) return { code: 'system-database', detail: `database ${header.databaseName}` };
  if (header.type !== 'full' && header.type !== 'diff' && header.type !== 'log') return { code: 'partial-backup', detail: `a ${header.type} backup` };
  const established = Object.values(known.files).find((f) => f.header?.databaseName === header.databaseName && f.status !== 'refused');
  if (established?.header && established.header.bindingId !== header.bindingId) {
    return {
      code: 'other-database',
      detail: `database ${header.databaseName} with BindingID ${header.bindingId} (server ${header.serverName}), but this chain restores the ${header.databaseName} with BindingID ${established.header.bindingId} (first seen in ${established.key})`,
    };
  }
  return undefined;
}

const REFUSALS: Record<RefusalCode, { what: string; nextStep: string }> = {
  'not-a-backup': {
    what: 'could not be read as a SQL Server backup',
    nextStep: 'Move it out of the backup folder. If it should be a backup, take it again with BACKUP DATABASE/LOG … TO DISK and upload that file.',
  },
  truncated: {
    what: 'is cut short',
    nextStep: 'The upload was probably interrupted. Upload the whole file again under the same name.',
  },
  encrypted: {
    what: 'is encrypted, and DRS documents no way to pass the certificate',
    nextStep: 'Take the backup again without WITH ENCRYPTION (protect it in OBS with server-side encryption instead) and upload that file.',
  },
  damaged: {
    what: 'has a damaged header',
    nextStep: 'Upload the file again; if it stays damaged, take a new backup (WITH CHECKSUM) and upload that one.',
  },
  striped: {
    what: 'is one stripe of a backup written to several files; DRS cannot restore a database split over several files',
    nextStep: 'Take the backup again to a single file (one TO DISK clause) and upload that file.',
  },
  'password-protected': {
    what: 'is protected by a media password, which DRS has no way to pass',
    nextStep: 'Take the backup again without MEDIAPASSWORD/PASSWORD and upload that file.',
  },
  'system-database': {
    what: 'is a backup of a system database, which DRS refuses',
    nextStep: 'Move it out of the backup folder: RDS for SQL Server manages its own system databases. Recreate logins and jobs on the instance instead.',
  },
  'partial-backup': {
    what: 'is a file, filegroup or partial backup; DRS restores full and log backups only',
    nextStep: 'Take a full database backup (BACKUP DATABASE … TO DISK) and upload it.',
  },
  'other-database': {
    what: 'is a backup of another database with the same name',
    nextStep: 'Check which server this file came from. Keep one source per database name under this folder; move the other server\'s backups to a folder of their own chain.',
  },
};

export function describeRefusal(refusal: Refusal): { what: string; nextStep: string } {
  const { what, nextStep } = REFUSALS[refusal.code];
  return { what: `${what} (${refusal.detail})`, nextStep };
}

const NOT_NEEDED: Record<NotNeededCode, string> = {
  covered: 'covered: its log records are already in the database',
  'empty-log': 'an empty log backup at the restored point: nothing to apply',
  differential: 'a differential backup: the log chain covers it, and DRS restores full and log backups only',
  'older-full': 'an older full backup: the chain started from a newer one',
  'later-full': 'a later full backup: the log chain continues without it',
};

export function describeNotNeeded(code: NotNeededCode): string {
  return NOT_NEEDED[code];
}

/** What the preflight found out in the cloud about a full backup's object and its target instance. */
export interface PreflightFacts {
  /** OBS storage class of the object; undefined when OBS has no such object. */
  storageClass: string | undefined;
  /** The target's SQL Server major version; undefined when unknown; null when the instance does not exist. */
  targetMajor: number | undefined | null;
  /** The target's version as RDS names it, e.g. 2017_EE. */
  targetVersion?: string;
}

/** Release names of SQL Server major versions (Microsoft KB 321185). */
const RELEASES: Record<number, string> = { 10: '2008 R2', 11: '2012', 12: '2014', 13: '2016', 14: '2017', 15: '2019', 16: '2022' };
const release = (major: number) => `SQL Server ${RELEASES[major] ?? `version ${major}`}`;

/**
 * DRS documents that files in the Archive storage class fail, and that a backup from a newer SQL
 * Server cannot be restored to an older one (../shared/reference/mssql-backup-format.md). Pure.
 */
export function preflightVerdict(header: StoredHeader, facts: PreflightFacts, now: number): Preflight {
  if (facts.targetMajor === null) return { passed: false, code: 'target-not-found', detail: 'the target RDS instance does not exist (check targetInstanceId)', at: now };
  if (facts.storageClass === 'COLD' || facts.storageClass === 'DEEP_ARCHIVE') {
    return { passed: false, code: 'archived', detail: `the object is in the ${facts.storageClass === 'COLD' ? 'Archive' : 'Deep Archive'} storage class, which DRS cannot read; restore the object from Archive first (OBS console: Restore), the chain goes on by itself`, at: now };
  }
  if (facts.targetMajor !== undefined && header.sqlServerMajor > facts.targetMajor) {
    return {
      passed: false,
      code: 'newer-server',
      detail: `this backup comes from ${release(header.sqlServerMajor)} (${header.sqlServerVersion}), the target runs ${release(facts.targetMajor)}${facts.targetVersion ? ` (${facts.targetVersion})` : ''}: SQL Server cannot restore a backup into an older version. Restore into an instance of ${RELEASES[header.sqlServerMajor] ?? 'that version'} or newer`,
      at: now,
    };
  }
  return { passed: true, at: now };
}
