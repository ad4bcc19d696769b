import { MESSAGE_MAX_BYTES, SUBJECT_MAX_BYTES } from '../huawei/smn';
import type { PageRecord } from './ledger';
import type { Message } from './page-groups';
import { truncateBytes, type PageText } from './page-text';
import { kindTitle, titleOf, type PageKind, type Problem } from './problems';
import { smsText } from './sms-text';

/** Members named in a grouped page; the rest are counted and left to `restore-pilot status`. */
export const GROUP_LISTED = 20;

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const WHAT = /^What happened: /;
/** The facts on-call acts on per member; the rest of a member's page is the same for all. */
const MEMBER_FACTS = /^(Job|DRS error log|Error): /;
const MORE = 'see npx restore-pilot status';
const databases = (n: number) => `${n} database${n === 1 ? '' : 's'}`;

function whatHappened(problem: Problem): string {
  return (problem.details.find((d) => WHAT.test(d)) ?? problem.title).replace(WHAT, '');
}

/** Members in name order, so on-call finds a database at a glance whatever order the tick saw them in. */
function byDatabase<T extends { id: string; group?: { database: string } }>(items: T[]): T[] {
  return [...items].sort((a, b) => (a.group?.database ?? a.id).localeCompare(b.group?.database ?? b.id) || a.id.localeCompare(b.id));
}

/** "A, B, C and 37 more": the first GROUP_LISTED names. */
function names(all: string[]): string {
  const listed = all.slice(0, GROUP_LISTED).join(', ');
  return all.length > GROUP_LISTED ? `${listed} and ${all.length - GROUP_LISTED} more` : listed;
}

/** "Migration chain waiting: erp-prod (40 databases, logs stopped arriving)". */
function headline(item: { kind: string; scope: string; group?: { cause?: string } }, count: string, after = ''): string {
  // A ledger record's kind is a problem's, written by the pager: titleOf knows it.
  return `${titleOf(item.kind as PageKind, item.scope)} (${count}${item.group?.cause ? `, ${item.group.cause}` : ''}${after})`;
}

/** One line per member (the first GROUP_LISTED), with its job and error; then how many more. */
function memberLines(problems: Problem[]): string[] {
  const lines = problems.slice(0, GROUP_LISTED).flatMap((p) => [
    `- ${p.group?.database ?? p.scope}: ${whatHappened(p)}`,
    ...p.details.filter((d) => MEMBER_FACTS.test(d)).map((d) => `    ${truncateBytes(d, 600)}`),
  ]);
  const more = problems.length - GROUP_LISTED;
  return more > 0 ? [...lines, `- and ${more} more; ${MORE}`] : lines;
}

/** A page for databases of one cause: the first, those that joined, or a reminder of the open ones. */
export function causePageText(message: Extract<Message, { type: 'group' }>): PageText {
  const { stage, openBefore } = message;
  const problems = byDatabase(message.problems);
  const cleared = byDatabase(message.cleared);
  const [first] = problems as [Problem, ...Problem[]];
  const count = stage === 'more' ? `${problems.length} more ${problems.length === 1 ? 'database' : 'databases'}` : databases(problems.length);
  const title = headline(first, count, stage === 'more' ? `; ${openBefore + problems.length} open` : '');
  const where = first.details.filter((d) => d.startsWith('Chain: '));
  const since = Math.min(...problems.map((p) => p.since));
  const cause = `${kindTitle(first.kind)}${first.group?.cause ? ` (${first.group.cause})` : ''}`;
  const lead: Record<typeof stage, string> = {
    first: `What happened: ${databases(problems.length)} of ${first.scope}, one cause: ${cause}.`,
    more: `What happened: ${count} of ${first.scope} joined a problem already paged: ${cause}. The ${databases(openBefore)} paged before are still open.`,
    reminder: `What happened: still open for ${databases(problems.length)} of ${first.scope}: ${cause}.`,
  };
  const clearedLine = cleared.length > 0 ? [`Cleared since paged (they resolve with the rest): ${names(cleared.map((r) => r.group?.database ?? r.id))}`] : [];
  const nextStep = first.group?.nextStep ?? first.nextStep;
  const text = [lead[stage], ...memberLines(problems), ...clearedLine, ...where, `Since: ${iso(since)}`, '', `Next step: ${nextStep}`, '', `Problem ids: ${problems.map((p) => p.id).join(', ')}`].join('\n');
  const subject = `[restore-pilot] ${stage === 'reminder' ? 'Still open: ' : ''}${title}`;
  const sms = smsText({
    title: `restore-pilot ${stage === 'reminder' ? 'still open' : 'alert'}: ${title}`,
    facts: [`${names(problems.map((p) => p.group?.database ?? p.scope))}${problems.length > GROUP_LISTED ? ` (${MORE})` : ''}.`],
    nextStep,
  });
  return { subject: truncateBytes(subject, SUBJECT_MAX_BYTES), message: truncateBytes(text, MESSAGE_MAX_BYTES), sms };
}

/** The RESOLVED of a whole group: it cleared, and every member paged is named (the first GROUP_LISTED). */
export function causeResolvedText(cleared: PageRecord[], now: number): PageText {
  const records = byDatabase(cleared);
  const [first] = records as [PageRecord, ...PageRecord[]];
  const title = headline(first, databases(records.length));
  const paged = Math.min(...records.map((r) => r.sentAt ?? r.since));
  const message = [
    `Resolved: ${title}`,
    `Every database paged for this cause has cleared: ${names(records.map((r) => r.group?.database ?? r.id))}.`,
    `First paged at ${iso(paged)}; the last cleared by ${iso(now)}.`,
    '',
    'Next step: none; this is for the record.',
    '',
    `Problem ids: ${records.map((r) => r.id).join(', ')}`,
  ].join('\n');
  const sms = smsText({ title: `restore-pilot resolved: ${title}`, facts: [`All cleared by ${iso(now)}.`], nextStep: 'none.' });
  return { subject: truncateBytes(`[restore-pilot] RESOLVED: ${title}`, SUBJECT_MAX_BYTES), message: truncateBytes(message, MESSAGE_MAX_BYTES), sms };
}

/** One page for a flood of one-off events: what happened to each (the first GROUP_LISTED), how many more, every distinct next step. */
export function floodText(problems: Problem[]): PageText {
  const [first] = problems as [Problem, ...Problem[]];
  const listed = problems.slice(0, GROUP_LISTED).map((p) => `- ${whatHappened(p)}`);
  const more = problems.length - listed.length;
  const steps = [...new Set(problems.map((p) => p.nextStep))];
  const message = [
    `What happened: ${problems.length} problems of one kind in ${first.scope}:`,
    ...listed,
    ...(more > 0 ? [`- and ${more} more; ${MORE}`] : []),
    ...first.details.filter((d) => !WHAT.test(d)).slice(0, 1),
    '',
    ...steps.map((step) => `Next step: ${step}`),
    '',
    `Problem ids: ${problems.map((p) => p.id).join(', ')}`,
  ].join('\n');
  const subject = `[restore-pilot] ${first.title} (${problems.length})`;
  const sms = smsText({ title: `restore-pilot alert: ${first.title} (${problems.length})`, facts: [listed[0]!.slice(2), `${problems.length} in all; see restore-pilot status`], nextStep: steps[0]! });
  return { subject: truncateBytes(subject, SUBJECT_MAX_BYTES), message, sms };
}
