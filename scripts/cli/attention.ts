import type { Problem } from '../../shared/alerts/problems';
import type { Chain } from '../../shared/chains/config';
import { isOutOfChain, lsn, viewChain, type DatabaseView } from '../../shared/chains/select';
import type { BackupFileRecord, ChainState } from '../../shared/chains/state';
import { describeRefusal } from '../../shared/chains/verdicts';

/**
 * Which databases of an estate an operator must look at, and where each of the others stands: pure,
 * from the state status already read. On 500 databases the answer has to fit one screen, so every
 * database gets exactly one standing (the summary counts) and at most one reason (the most urgent).
 *
 * A database needs attention when nothing restore-pilot does by itself will move it on, or when
 * on-call has been (or will be) paged about it: a failed file (the database is halted), a full held
 * by its preflight, a hole in its log chain, a held cutover, a job running past stuckAfterMinutes,
 * a refused file, or any other open problem of it (logs waiting for a full, or no new log, for
 * gapAlertMinutes; an upload after its final backup; the tail-log backup awaited). Waiting for a
 * restore slot, a job in flight, or a database restored up to its newest log does not.
 */

/** Where a database stands; each database counts under exactly one. */
export type Standing = 'restored' | 'in-flight' | 'queued' | 'waiting' | 'broken' | 'done';
export const STANDINGS: readonly Standing[] = ['restored', 'in-flight', 'queued', 'waiting', 'broken', 'done'];

/** Why a database needs attention: a stable code, the one line that says it, since when. */
export interface Attention {
  /** halted, preflight-held, hole, cutover-held, stuck, refused, or the kind of its open problem. */
  code: string;
  reason: string;
  since: number;
}

export interface DatabaseStanding {
  /** '' for the files of a source that belong to no database (unreadable ones). */
  database: string;
  /** Undefined for a name known only from refused files or problems: it has no restore sequence. */
  standing?: Standing;
  attention?: Attention;
}

/** The problems status found, each with the database whose chain it came from. */
export type DatabaseProblem = Problem & { database: string; paged: boolean };

/** Most urgent first: a halted database loses time every minute; a refused file only needs a decision. */
const URGENCY = ['halted', 'preflight-held', 'hole', 'cutover-held', 'stuck', 'refused'];
const urgency = (code: string) => (URGENCY.includes(code) ? URGENCY.indexOf(code) : URGENCY.length);
const BROKEN: ReadonlySet<string> = new Set(['halted', 'preflight-held', 'hole', 'cutover-held']);

/** One line stays one line: DRS error logs run to pages. */
export function oneLine(text: string, max = 100): string {
  const first = text.split('\n')[0]!.trim();
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}

export const clock = (ms: number, now: number): string => {
  const iso = new Date(ms).toISOString();
  return iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10) ? `${iso.slice(11, 16)}Z` : `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`;
};

function reasonOf(chain: Chain, view: DatabaseView | undefined, refused: BackupFileRecord[], problems: DatabaseProblem[], now: number): Attention | undefined {
  const found: Attention[] = [];
  const at = (ms: number) => clock(ms, now);
  const files = view?.files.filter((f) => !isOutOfChain(f)) ?? [];
  for (const file of files.filter((f) => f.status === 'failed')) {
    const since = file.finishedAt ?? file.submittedAt ?? file.uploadedAt;
    const why = oneLine(file.error ?? file.drsStatus ?? 'DRS job failed');
    found.push({ code: 'halted', since, reason: `halted since ${at(since)}: ${file.key} failed (${why}); retry it: npx restore-pilot retry ${file.key}` });
  }
  for (const file of files.filter((f) => f.status === 'waiting' && f.preflight?.passed === false && !f.preflightOverride)) {
    const since = file.preflight!.at;
    found.push({ code: 'preflight-held', since, reason: `held by the preflight since ${at(since)}: ${file.key}: ${oneLine(file.preflight!.detail ?? file.preflight!.code ?? '', 160)}; checked again every tick, or send it anyway: npx restore-pilot retry ${file.key}` });
  }
  if (view?.next.kind === 'wait' && view.next.code === 'hole') {
    const { restoredTo, nextAvailable } = view.next.hole!;
    const since = Math.max(restoredTo.file.finishedAt ?? 0, nextAvailable.uploadedAt);
    found.push({ code: 'hole', since, reason: `log chain broken since ${at(since)}: restored to LSN ${restoredTo.lsn}, the next log (${nextAvailable.key}) starts at LSN ${nextAvailable.header.firstLsn}; upload the missing logs, or restart: npx restore-pilot restart ${chain.id} --from FULL` });
  }
  if (view?.next.kind === 'wait' && view.next.code === 'cutover-held') {
    const final = view.next.final!;
    // Held since the later of the final backup and the newest log in its way arrived.
    const since = Math.max(...files.filter((f) => f.header.type === 'log' && lsn(f.header.lastLsn) >= lsn(final.header.lastLsn)).map((f) => f.uploadedAt));
    found.push({ code: 'cutover-held', since, reason: `${oneLine(view.next.detail, 220)} (since ${at(since)}); see: npx restore-pilot cutover ${chain.id} --dry-run` });
  }
  for (const file of files.filter((f) => f.status === 'running' && f.submittedAt !== undefined && now - f.submittedAt >= chain.stuckAfterMinutes * 60_000)) {
    const minutes = Math.round((now - file.submittedAt!) / 60_000);
    found.push({ code: 'stuck', since: file.submittedAt!, reason: `restoring since ${at(file.submittedAt!)} (${minutes} min, limit ${chain.stuckAfterMinutes}): ${file.key}, job ${file.jobId}; check the job and the instance in the DRS console` });
  }
  if (refused.length > 0) {
    const first = [...refused].sort((a, b) => a.uploadedAt - b.uploadedAt)[0]!;
    const more = refused.length > 1 ? ` (and ${refused.length - 1} more)` : '';
    found.push({ code: 'refused', since: first.uploadedAt, reason: `refused since ${at(first.uploadedAt)}: ${first.key}${more} ${oneLine(describeRefusal(first.refusal!).what)}` });
  }
  // Whatever else on-call hears about: the problem's own words.
  if (found.length === 0 && problems.length > 0) {
    const problem = [...problems].sort((a, b) => a.since - b.since)[0]!;
    const what = oneLine(problem.details[0]!.replace(/^What happened: /, ''), 160);
    found.push({ code: problem.kind, since: problem.since, reason: `${problem.title.slice(0, problem.title.indexOf(':'))} since ${at(problem.since)}: ${what}` });
  }
  return found.sort((a, b) => urgency(a.code) - urgency(b.code) || a.since - b.since)[0];
}

function standingOf(view: DatabaseView, attention: Attention | undefined, queued: boolean): Standing {
  if (attention && BROKEN.has(attention.code)) return 'broken';
  const { next } = view;
  if (next.kind === 'submit') return next.resume ? 'in-flight' : queued ? 'queued' : 'waiting';
  if (next.code === 'complete') return 'done';
  if (next.code === 'in-flight') return 'in-flight';
  return next.code === 'nothing-waiting' ? 'restored' : 'waiting';
}

/**
 * Every database of one source with its standing and, if it needs attention, why; plus the names
 * known only from refused files or problems, and '' for the source's files in no database.
 */
export function sourceStandings(chain: Chain, state: ChainState, problems: DatabaseProblem[], isQueued: (database: string) => boolean, now: number): DatabaseStanding[] {
  const views = new Map(viewChain(state, chain, now).map((v) => [v.database, v]));
  // Grouped once: a source may hold hundreds of databases.
  const refused = new Map<string, BackupFileRecord[]>();
  for (const file of Object.values(state.files).filter((f) => f.status === 'refused')) {
    const database = file.header?.databaseName ?? '';
    refused.set(database, [...(refused.get(database) ?? []), file]);
  }
  const names = new Set([...views.keys(), ...refused.keys(), ...problems.map((p) => p.database)]);
  return [...names].sort().map((database) => {
    const view = views.get(database);
    const attention = reasonOf(
      chain,
      view,
      refused.get(database) ?? [],
      problems.filter((p) => p.database === database),
      now,
    );
    return { database, ...(view ? { standing: standingOf(view, attention, isQueued(database)) } : {}), ...(attention ? { attention } : {}) };
  });
}

/** The counts of a source's summary line, and of `summary` in --json. */
export function countStandings(databases: DatabaseStanding[]): Record<Standing, number> & { databases: number; needAttention: number } {
  const counts = Object.fromEntries(STANDINGS.map((s) => [s, 0])) as Record<Standing, number>;
  for (const { standing } of databases) if (standing) counts[standing]++;
  return { databases: databases.filter((d) => d.standing).length, ...counts, needAttention: databases.filter((d) => d.attention).length };
}

/** Most urgent first, then the oldest. */
export const byUrgency = (a: Attention, b: Attention) => urgency(a.code) - urgency(b.code) || a.since - b.since;
