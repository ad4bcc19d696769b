import { titleOf } from '../../shared/alerts/problems';
import type { Chain } from '../../shared/chains/config';
import { byUrgency, clock, countStandings, type DatabaseProblem, type DatabaseStanding } from './attention';

/**
 * `restore-pilot status` for people: one screen whatever the estate's size. A summary line per
 * source, then only the databases that need attention (attention.ts says which), then the open
 * problems, grouped by kind when there are many. Pure; `status --db NAME` shows one database in full.
 */

export interface SourceStandings {
  chain: Chain;
  databases: DatabaseStanding[];
  problems: DatabaseProblem[];
  /** Set when a cutover was requested for the source. */
  cutoverRequested: boolean;
}

/** Attention lines shown at most; the rest are counted, and --json or --db has them. */
export const ATTENTION_SHOWN = 15;
/** Up to this many open problems get a line each; more are grouped, one line per kind. */
export const PROBLEMS_LISTED = 10;

function summaryLine({ chain, databases, cutoverRequested }: SourceStandings): string {
  const c = countStandings(databases);
  const unread = databases.find((d) => d.database === '')?.attention ? '; files in no database refused' : '';
  const counts = c.databases === 0 ? 'no database yet' : `${c.databases} databases: ${c.restored} restored, ${c['in-flight']} in flight, ${c.queued} queued, ${c.waiting} waiting, ${c.broken} broken, ${c.done} done`;
  return `  ${chain.id}  ${counts}${unread}${cutoverRequested ? '; cutover requested' : ''}  (${chain.bucket}/${chain.prefix} → ${chain.targetInstanceId})`;
}

/** "(paged)", "(2 of 3 paged)" or "(not paged yet)": whether on-call already knows. */
function pagedNote(problems: DatabaseProblem[]): string {
  const paged = problems.filter((p) => p.paged).length;
  if (paged === problems.length) return '(paged)';
  return paged === 0 ? '(not paged yet)' : `(${paged} of ${problems.length} paged)`;
}

/** A problem's title, with its database where the title names only the chain. */
const labelOf = (p: DatabaseProblem) => (p.database && !p.title.endsWith(` ${p.database}`) ? `${p.title} ${p.database}` : p.title);

function problemLines(problems: DatabaseProblem[], now: number): string[] {
  const sorted = [...problems].sort((a, b) => a.since - b.since);
  if (problems.length <= PROBLEMS_LISTED) return sorted.map((p) => `  ! ${labelOf(p)} ${pagedNote([p])}, since ${clock(p.since, now)}`);
  const kinds = new Map<string, DatabaseProblem[]>();
  for (const problem of sorted) kinds.set(problem.kind, [...(kinds.get(problem.kind) ?? []), problem]);
  return [...kinds.values()].map((group) => {
    const first = group[0]!;
    if (group.length === 1) return `  ! ${labelOf(first)} ${pagedNote(group)}, since ${clock(first.since, now)}`;
    // The scope of a title is what follows the kind's words: the chain, and the database where it has one.
    const kind = titleOf(first.kind, '').slice(0, -2);
    const scopes = [...new Set(group.map((p) => labelOf(p).slice(kind.length + 2)))];
    const named = scopes.length > 3 ? `${scopes.slice(0, 3).join(', ')}, …` : scopes.join(', ');
    return `  ! ${group.length} × ${kind}: ${named} ${pagedNote(group)}, since ${clock(first.since, now)}`;
  });
}

export function estateText(sources: SourceStandings[], now: number): string {
  const databases = sources.reduce((sum, s) => sum + countStandings(s.databases).databases, 0);
  const lines = [`${sources.length} source(s), ${databases} database(s), at ${clock(now, now)}:`, ...sources.map(summaryLine), ''];

  const attention = sources
    .flatMap(({ chain, databases: list }) => list.flatMap((d) => (d.attention ? [{ where: `${chain.id} ${d.database || '(files in no database)'}`, attention: d.attention }] : [])))
    .sort((a, b) => byUrgency(a.attention, b.attention));
  if (attention.length === 0) lines.push('nothing needs attention');
  else {
    lines.push(`needs attention (${attention.length}):`);
    for (const { where, attention: a } of attention.slice(0, ATTENTION_SHOWN)) lines.push(`  ${where}: ${a.reason}`);
    if (attention.length > ATTENTION_SHOWN) lines.push(`  and ${attention.length - ATTENTION_SHOWN} more; see --json or --db NAME`);
  }

  const problems = sources.flatMap((s) => s.problems);
  lines.push('', problems.length === 0 ? 'no open problems' : `open problems (${problems.length}):`, ...problemLines(problems, now));
  return lines.join('\n');
}
