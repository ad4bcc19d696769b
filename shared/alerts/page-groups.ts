import { SUBJECT_MAX_BYTES } from '../huawei/smn';
import { truncateBytes, type PageText } from './page-text';
import type { Problem } from './problems';
import { smsText } from './sms-text';

/**
 * A flood of one-off problems of one kind in one chain (55 files that are not backups) is one page
 * listing them, not 55 pages; a few stay pages of their own, each readable on a phone.
 */
export const GROUP_FROM = 5;
/** Members named in a grouped page; the rest are counted and left to `restore-pilot status`. */
export const GROUP_LISTED = 20;

export interface Due {
  problems: Problem[];
  reminder: boolean;
}

/** Pages due this tick, grouped: one-off first pages of one kind, chain and topic together once there are GROUP_FROM or more. Pure. */
export function groupDue(sends: { problem: Problem; reminder: boolean }[]): Due[] {
  const groups = new Map<string, Problem[]>();
  const due: Due[] = [];
  for (const { problem, reminder } of sends) {
    if (!problem.oneShot || reminder) {
      due.push({ problems: [problem], reminder });
      continue;
    }
    const key = JSON.stringify([problem.kind, problem.scope, problem.topicUrn]);
    groups.set(key, [...(groups.get(key) ?? []), problem]);
  }
  for (const members of groups.values()) {
    if (members.length >= GROUP_FROM) due.push({ problems: members, reminder: false });
    else due.push(...members.map((problem) => ({ problems: [problem], reminder: false })));
  }
  return due;
}

const WHAT = /^What happened: /;

/** One page for a group: what happened to each (the first GROUP_LISTED), how many more, every distinct next step. */
export function groupMessage(problems: Problem[]): PageText {
  const [first] = problems as [Problem, ...Problem[]];
  const listed = problems.slice(0, GROUP_LISTED).map((p) => `- ${(p.details.find((d) => WHAT.test(d)) ?? p.title).replace(WHAT, '')}`);
  const more = problems.length - listed.length;
  const steps = [...new Set(problems.map((p) => p.nextStep))];
  const message = [
    `What happened: ${problems.length} problems of one kind in ${first.scope}:`,
    ...listed,
    ...(more > 0 ? [`- and ${more} more; see npx restore-pilot status`] : []),
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
