import { MESSAGE_MAX_BYTES, SUBJECT_MAX_BYTES, type PublishMessageRequest } from '../huawei/smn';
import type { PageRecord } from './ledger';
import type { Problem } from './problems';
import { smsText, type SmsParts } from './sms-text';

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Cuts text to a byte budget without splitting a UTF-8 character. */
export function truncateBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  if (maxBytes < 3) return '';
  let out = Buffer.from(text).subarray(0, maxBytes - 3).toString('utf8');
  while (Buffer.byteLength(`${out}...`) > maxBytes || out.endsWith('\uFFFD')) out = out.slice(0, -1);
  return `${out}...`;
}

/** One page: the email subject and full text, and the phone's short text. */
export interface PageText {
  subject: string;
  /** The full page: email subscribers, and every protocol without its own text (`default`). */
  message: string;
  sms: string;
}

/**
 * SMN's `message_structure`: a JSON string giving each protocol its text. Email and `default` carry
 * the whole page, SMS its short bracket-free text. The full text is cut until the JSON (where escaping
 * can grow it) fits SMN's 256 KB.
 */
export function publishRequest(page: PageText): PublishMessageRequest {
  let message = page.message;
  for (;;) {
    const structure = JSON.stringify({ default: message, email: message, sms: page.sms });
    const size = Buffer.byteLength(structure);
    if (size <= MESSAGE_MAX_BYTES) return { subject: truncateBytes(page.subject, SUBJECT_MAX_BYTES), message_structure: structure };
    // Shrink in proportion: escaping may have grown the text by any factor up to six.
    message = truncateBytes(message, Math.floor((Buffer.byteLength(message) * MESSAGE_MAX_BYTES) / size) - 64);
  }
}

const WHAT_HAPPENED = /^What happened: /;

/** What a phone needs of a problem: the title, what happened and any error text, and the next step. */
export function problemSmsParts(problem: Problem, reminder: boolean): SmsParts {
  const what = problem.details.find((d) => WHAT_HAPPENED.test(d))?.replace(WHAT_HAPPENED, '');
  const errors = problem.details.filter((d) => /^(DRS error log|Error): /.test(d));
  return { title: `restore-pilot ${reminder ? 'still open' : 'alert'}: ${problem.title}`, facts: [...(what ? [what] : []), ...errors], nextStep: problem.nextStep };
}

export function pageMessage(problem: Problem, reminder: boolean): PageText {
  const subject = `[restore-pilot] ${reminder ? 'Still open: ' : ''}${problem.title}`;
  const message = [...problem.details, `Since: ${iso(problem.since)}`, '', `Next step: ${problem.nextStep}`, '', `Problem id: ${problem.id}`].join('\n');
  return { subject: truncateBytes(subject, SUBJECT_MAX_BYTES), message: truncateBytes(message, MESSAGE_MAX_BYTES), sms: smsText(problemSmsParts(problem, reminder)) };
}

export function resolvedMessage(record: PageRecord, now: number): PageText {
  const subject = `[restore-pilot] RESOLVED: ${record.title}`;
  const message = [
    `Resolved: ${record.title}`,
    `The problem paged at ${iso(record.sentAt ?? record.since)} (open since ${iso(record.since)}) cleared at ${iso(now)}.`,
    '',
    'Next step: none; this is for the record.',
    '',
    `Problem id: ${record.id}`,
  ].join('\n');
  const sms = smsText({ title: `restore-pilot resolved: ${record.title}`, facts: [`Cleared at ${iso(now)}.`], nextStep: 'none.' });
  return { subject: truncateBytes(subject, SUBJECT_MAX_BYTES), message: truncateBytes(message, MESSAGE_MAX_BYTES), sms };
}
