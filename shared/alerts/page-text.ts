import { MESSAGE_MAX_BYTES, SUBJECT_MAX_BYTES } from '../huawei/smn';
import type { PageRecord } from './ledger';
import type { Problem } from './problems';

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Cuts text to a byte budget without splitting a UTF-8 character. */
export function truncateBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let out = Buffer.from(text).subarray(0, maxBytes - 3).toString('utf8');
  while (Buffer.byteLength(`${out}...`) > maxBytes || out.endsWith('\uFFFD')) out = out.slice(0, -1);
  return `${out}...`;
}

export function pageMessage(problem: Problem, reminder: boolean): { subject: string; message: string } {
  const subject = `[restore-pilot] ${reminder ? 'Still open: ' : ''}${problem.title}`;
  const message = [...problem.details, `Since: ${iso(problem.since)}`, '', `Next step: ${problem.nextStep}`, '', `Problem id: ${problem.id}`].join('\n');
  return { subject: truncateBytes(subject, SUBJECT_MAX_BYTES), message: truncateBytes(message, MESSAGE_MAX_BYTES) };
}

export function resolvedMessage(record: PageRecord, now: number): { subject: string; message: string } {
  const subject = `[restore-pilot] RESOLVED: ${record.title}`;
  const message = [
    `Resolved: ${record.title}`,
    `The problem paged at ${iso(record.sentAt ?? record.since)} (open since ${iso(record.since)}) cleared at ${iso(now)}.`,
    '',
    'Next step: none; this is for the record.',
    '',
    `Problem id: ${record.id}`,
  ].join('\n');
  return { subject: truncateBytes(subject, SUBJECT_MAX_BYTES), message: truncateBytes(message, MESSAGE_MAX_BYTES) };
}
