import { chainProblems, type Problem } from '../../shared/alerts/problems';
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

/** One chain as status sees it: its state (running jobs' DRS status read live where possible) and open problems. */
export interface ChainStatus {
  chain: Chain;
  state: ChainState;
  problems: (Problem & { paged: boolean })[];
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
    const problems = databases.flatMap(({ database, state: own }) => chainProblems(chain, own, now, topicUrn, database)).map((problem) => ({ ...problem, paged: paged.has(problem.id) }));
    statuses.set(chain, { chain, state, problems, live, slots: books.get(chain.targetInstanceId)!, limit });
  });
  return chains.map((chain) => statuses.get(chain)!);
}

/** Why the database waits for a slot on its instance, if it does: the words status and uploads use. */
function queuedOf({ chain, slots, limit }: ChainStatus, database: string, now: number) {
  const queued = queuedFromBook(slots, holderOf(chain.id, database), limit, now);
  return queued && { text: describeQueued(queued, chain.targetInstanceId, now), ...queued };
}

/** For people: each chain as renderChain draws it, then its open problems. */
export function statusText(statuses: ChainStatus[], now = Date.now()): string {
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
  return {
    version: 1,
    at: new Date(now).toISOString(),
    liveDrs,
    openProblems: statuses.reduce((sum, s) => sum + s.problems.length, 0),
    chains: statuses.map((status) => {
      const { chain, state, problems, live } = status;
      const views = viewChain(state, chain, now);
      const placed = new Set(views.flatMap((v) => v.files.map((f) => f.key)));
      return {
        id: chain.id,
        bucket: chain.bucket,
        prefix: chain.prefix,
        targetInstanceId: chain.targetInstanceId,
        cutoverRequested: state.meta.cutoverRequestedAt !== undefined,
        databases: views.map((view) => ({
          name: view.database,
          restoredTo: view.restoredTo ? { lsn: String(view.restoredTo.lsn), file: view.restoredTo.file.key } : null,
          next: view.next.kind === 'submit' ? { kind: 'submit', file: view.next.file.key } : { kind: 'wait', code: view.next.code, detail: view.next.detail },
          queued: queuedSummary(view.next.kind === 'submit' ? queuedOf(status, view.database, now) : undefined),
          files: [...view.files].sort((a, b) => (BigInt(a.header.firstLsn) < BigInt(b.header.firstLsn) ? -1 : 1)).map((f) => file(f, live)),
        })),
        // Files in no database: refused ones, and ones whose header could not be read.
        otherFiles: Object.values(state.files)
          .filter((f) => !placed.has(f.key))
          .map((f) => file(f, live)),
        problems: problems.map((p) => ({ id: p.id, kind: p.kind, title: p.title, since: new Date(p.since).toISOString(), paged: p.paged, nextStep: p.nextStep })),
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
