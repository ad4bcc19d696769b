import type { BackupFileRecord, ChainState } from './state';

/**
 * Keeps a chain's state bounded however long the migration runs (a log every 15 minutes is 3,000
 * files a month per database): finished files leave the state once they are neither the database's
 * restore point nor among its most recent finished files. Pure.
 *
 * What stays, per database: every file still in play (waiting, in DRS, failed), the full backup the
 * restored sequence started from and the file it reached (select.ts derives the restore point from
 * those two), a DRS-safe copy not yet deleted (status shows it until it is), and the last
 * RECENT_FINISHED finished files, for status and for recognising a redelivered event as a duplicate.
 * An event for a file that left is read again and found covered by its LSNs: never sent twice.
 * A finished file also stays for FINISHED_KEPT_MS: the poller's reconcile walk (every 15 minutes by
 * default) skips objects older than its last complete walk, and reads any it does not find in a
 * chain, so a file that left before a walk passed it would be read once more. A refused file stays
 * for REFUSED_KEPT_MS: its page is made from its record by the poller's next tick, and a record gone
 * before then would never be paged.
 */
export const RECENT_FINISHED = 20;
export const FINISHED_KEPT_MS = 60 * 60_000;
export const REFUSED_KEPT_MS = 24 * 60 * 60_000;

const FINISHED: ReadonlySet<string> = new Set(['succeeded', 'not-needed', 'superseded', 'skipped', 'refused']);

const lastLsn = (file: BackupFileRecord) => BigInt(file.header?.lastLsn ?? '0');

/** The succeeded files select.ts needs: the newest restored full and the restored file with the highest LastLSN. */
function restorePointFiles(files: BackupFileRecord[]): BackupFileRecord[] {
  const restored = files.filter((f) => f.status === 'succeeded' && f.header);
  const full = restored.filter((f) => f.header!.type === 'full').reduce<BackupFileRecord | undefined>((a, b) => (!a || lastLsn(b) > lastLsn(a) ? b : a), undefined);
  const point = restored.reduce<BackupFileRecord | undefined>((a, b) => (!a || lastLsn(b) > lastLsn(a) ? b : a), undefined);
  return [full, point].filter((f): f is BackupFileRecord => f !== undefined);
}

/** The keys of the files that can leave the state now. */
export function prunableFiles(state: ChainState, now: number): string[] {
  const byDatabase = new Map<string, BackupFileRecord[]>();
  for (const file of Object.values(state.files)) {
    // Files that could not be read belong to no database: they are pruned as one group.
    const database = file.header?.databaseName ?? '';
    const list = byDatabase.get(database) ?? [];
    list.push(file);
    byDatabase.set(database, list);
  }
  const prunable: string[] = [];
  for (const files of byDatabase.values()) {
    const kept = new Set(restorePointFiles(files));
    const finished = files
      .filter((f) => FINISHED.has(f.status) && !kept.has(f) && !(f.staging && !f.staging.deleted))
      .sort((a, b) => (b.finishedAt ?? b.uploadedAt) - (a.finishedAt ?? a.uploadedAt));
    const old = (f: BackupFileRecord) => (f.finishedAt ?? f.uploadedAt) + (f.status === 'refused' ? REFUSED_KEPT_MS : FINISHED_KEPT_MS) <= now;
    prunable.push(...finished.slice(RECENT_FINISHED).filter(old).map((f) => f.key));
  }
  return prunable;
}

/** The state without its prunable files (the same object when there are none). */
export function pruneFinished(state: ChainState, now: number): ChainState {
  const prunable = prunableFiles(state, now);
  if (prunable.length === 0) return state;
  const files = { ...state.files };
  for (const key of prunable) delete files[key];
  return { ...state, files };
}
