import { chainProblems } from '../../shared/alerts/problems';
import type { Chain } from '../../shared/chains/config';
import { viewChain } from '../../shared/chains/select';
import type { BackupFileRecord, ChainState } from '../../shared/chains/state';
import { renderChain } from '../../shared/chains/view';
import type { HuaweiClient } from '../../shared/huawei/client';
import { forEachBounded } from '../../shared/poller/bounded';
import { loadSource, mergeChains } from '../../shared/state/source';
import { describeQueued, holderOf, queuedFromBook } from '../../shared/restore/pacing';
import type { SlotBook } from '../../shared/restore/slot-book';
import type { StateStore } from '../../shared/state/store';
import { byUrgency, countStandings, sourceStandings, type Attention, type DatabaseProblem } from './attention';
import { estateText, type SourceStandings } from './estate-text';

/** One chain as status sees it: its state (running jobs' DRS status read live where possible) and open problems. */
export interface ChainStatus {
  chain: Chain;
  state: ChainState;
  problems: DatabaseProblem[];
  /** Keys of the files whose drsStatus was read live from DRS just now. */
  live: Set<string>;
  /** The chain's target instance's restore slots: who holds them, who waits, DRS's pace. */
  slots: SlotBook;
  /** MAX_JOBS_PER_INSTANCE. */
  limit: number;
}

/** Chains read at once: an operator's call waits on Redis and DRS round trips, not on CPU. */
const CONCURRENCY = 16;

export async function chainStatuses(chains: Chain[], store: StateStore, drs: HuaweiClient['drs'] | undefined, now: number, topicUrn: string, limit: number): Promise<ChainStatus[]> {
  // A problem within its grace period has a ledger record too, held and not sent: it was not paged.
  const paged = new Set((await store.loadPages()).filter((page) => page.sentAt !== undefined).map((page) => page.id));
  const books = new Map<string, SlotBook>();
  for (const instance of new Set(chains.map((c) => c.targetInstanceId))) books.set(instance, await store.slots.inspect(instance, now));
  const statuses = new Map<Chain, ChainStatus>();
  await forEachBounded(chains, CONCURRENCY, async (chain) => {
    const databases = await loadSource(store, chain);
    const state = mergeChains(databases);
    const live = new Set<string>();
    const running = Object.values(state.files).filter((f) => f.status === 'running' && f.jobId && drs);
    await Promise.all(
      running.map(async (file) => {
        try {
          file.drsStatus = (await drs!.getBackupMigrationJob(file.jobId!)).status;
          live.add(file.key);
        } catch (error) {
          file.error = `live DRS status failed: ${(error as Error).message}`;
        }
      }),
    );
    const problems = databases.flatMap(({ database, state: own }) => chainProblems(chain, own, now, topicUrn, database).map((problem) => ({ ...problem, database, paged: paged.has(problem.id) })));
    statuses.set(chain, { chain, state, problems, live, slots: books.get(chain.targetInstanceId)!, limit });
  });
  return chains.map((chain) => statuses.get(chain)!);
}

/** Why the database waits for a slot on its instance, if it does: the words status and uploads use. */
function queuedOf({ chain, slots, limit }: ChainStatus, database: string, now: number) {
  const queued = queuedFromBook(slots, holderOf(chain.id, database), limit, now);
  return queued && { text: describeQueued(queued, chain.targetInstanceId, now), ...queued };
}

/** Where each database of a source stands and what needs attention (attention.ts). */
function standingsOf(status: ChainStatus, now: number): SourceStandings {
  const { chain, state, problems } = status;
  const databases = sourceStandings(chain, state, problems, (database) => queuedOf(status, database, now) !== undefined, now);
  return { chain, databases, problems, cutoverRequested: state.meta.cutoverRequestedAt !== undefined };
}

/** For people, on one screen however large the estate: per source a summary, then what needs attention, then the open problems. */
export function statusText(statuses: ChainStatus[], now = Date.now()): string {
  return estateText(
    statuses.map((status) => standingsOf(status, now)),
    now,
  );
}

/**
 * The sources as status shows them when asked about one database (`--db NAME`): only the sources
 * that know it, each with only its files and problems. Empty when no source knows the name.
 */
export function narrowToDatabase(statuses: ChainStatus[], name: string): ChainStatus[] {
  return statuses.flatMap((status) => {
    const files = Object.values(status.state.files).filter((f) => f.header?.databaseName === name);
    const problems = status.problems.filter((p) => p.database === name);
    if (files.length === 0 && problems.length === 0) return [];
    const state = { ...status.state, files: Object.fromEntries(files.map((f) => [f.key, f])) };
    return [{ ...status, state, problems }];
  });
}

/** For people, in full: each source as renderChain draws it (files in LSN order), then each open problem with its facts and next step. */
export function detailText(statuses: ChainStatus[], now = Date.now()): string {
  return statuses
    .map((status) => {
      const { chain, state, problems, live } = status;
      for (const key of live) state.files[key]!.drsStatus += ' (live)';
      const lines = [renderChain(chain, state, now, undefined, (database) => queuedOf(status, database, now)?.text)];
      for (const problem of problems) lines.push(`  ! ${problem.title}${problem.paged ? ' (paged)' : ''}\n    ${problem.details[0]}\n    Next step: ${problem.nextStep}`);
      if (problems.length === 0) lines.push('  no open problems');
      return `${lines.join('\n')}\n`;
    })
    .join('\n');
}

/**
 * For scripts: the document `status --json` prints (shape in the README, "Operating"). Version 1 only
 * ever gains fields; a rename or removal would be version 2. LSNs are decimal strings (they exceed 2^53).
 */
export function statusJson(statuses: ChainStatus[], now: number, liveDrs: boolean) {
  const file = (f: BackupFileRecord, live: Set<string>) => ({
    key: f.key,
    status: f.status,
    type: f.header?.type ?? null,
    database: f.header?.databaseName ?? null,
    firstLsn: f.header?.firstLsn ?? null,
    lastLsn: f.header?.lastLsn ?? null,
    attempt: f.attempt,
    jobId: f.jobId ?? null,
    drsStatus: f.drsStatus ?? null,
    drsStatusLive: live.has(f.key),
    last: Boolean(f.isLastBackup || f.final),
    refusal: f.refusal?.code ?? null,
    notNeeded: f.because ?? null,
    error: f.error ?? null,
  });
  const attentionOf = (a: Attention | undefined) => (a ? { code: a.code, reason: a.reason, since: new Date(a.since).toISOString() } : null);
  const sources = statuses.map((status) => ({ status, standings: standingsOf(status, now) }));
  return {
    version: 1,
    at: new Date(now).toISOString(),
    liveDrs,
    openProblems: statuses.reduce((sum, s) => sum + s.problems.length, 0),
    needAttention: sources.reduce((sum, s) => sum + countStandings(s.standings.databases).needAttention, 0),
    chains: sources.map(({ status, standings }) => {
      const { chain, state, problems, live } = status;
      const views = viewChain(state, chain, now);
      const placed = new Set(views.flatMap((v) => v.files.map((f) => f.key)));
      const standing = new Map(standings.databases.map((d) => [d.database, d]));
      return {
        id: chain.id,
        bucket: chain.bucket,
        prefix: chain.prefix,
        targetInstanceId: chain.targetInstanceId,
        cutoverRequested: state.meta.cutoverRequestedAt !== undefined,
        summary: countStandings(standings.databases),
        // Every database that needs attention, most urgent first: also those known only from refused files ('' for files in no database).
        attention: standings.databases
          .filter((d) => d.attention)
          .sort((a, b) => byUrgency(a.attention!, b.attention!))
          .map((d) => ({ database: d.database, ...attentionOf(d.attention)! })),
        databases: views.map((view) => ({
          name: view.database,
          standing: standing.get(view.database)!.standing!,
          attention: attentionOf(standing.get(view.database)!.attention),
          restoredTo: view.restoredTo ? { lsn: String(view.restoredTo.lsn), file: view.restoredTo.file.key } : null,
          next: view.next.kind === 'submit' ? { kind: 'submit', file: view.next.file.key } : { kind: 'wait', code: view.next.code, detail: view.next.detail },
          queued: queuedSummary(view.next.kind === 'submit' ? queuedOf(status, view.database, now) : undefined),
          files: [...view.files].sort((a, b) => (BigInt(a.header.firstLsn) < BigInt(b.header.firstLsn) ? -1 : 1)).map((f) => file(f, live)),
        })),
        // Files in no database: refused ones, and ones whose header could not be read.
        otherFiles: Object.values(state.files)
          .filter((f) => !placed.has(f.key))
          .map((f) => file(f, live)),
        problems: problems.map((p) => ({ id: p.id, kind: p.kind, database: p.database || null, title: p.title, since: new Date(p.since).toISOString(), paged: p.paged, nextStep: p.nextStep })),
      };
    }),
  };
}

/** A database waiting for a restore slot on its instance, for scripts; null when it does not. */
function queuedSummary(queued: ReturnType<typeof queuedOf>) {
  if (!queued) return null;
  const { text, reason, busy, limit, ahead, since, pausedUntil } = queued;
  return { detail: text, why: reason, busySlots: busy, slots: limit, ahead, waitingSince: new Date(since).toISOString(), pausedUntil: pausedUntil === undefined ? null : new Date(pausedUntil).toISOString() };
}
