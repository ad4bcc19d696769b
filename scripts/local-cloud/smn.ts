import { randomUUID } from 'node:crypto';
import { error, ok, type Route } from './route';

/** SMN publish limits from the documentation (its own copy: the client keeps another). */
const SUBJECT_MAX_BYTES = 512;
const MESSAGE_MAX_BYTES = 256 * 1024;
/** SMS subscribers: text with square or CJK brackets is refused, and anything past 490 characters is cut. */
const SMS_MAX_CHARS = 490;
const SMS_FORBIDDEN = /[[\]【】]/;

/** The protocols the local topic has one confirmed subscriber each for. */
export const SUBSCRIBER_PROTOCOLS = ['email', 'sms', 'https'] as const;
export type Protocol = (typeof SUBSCRIBER_PROTOCOLS)[number];

/** What one subscriber got: the text (an email also its subject), or why SMN could not deliver it. */
export type Delivery = { delivered: true; subject?: string; text: string } | { delivered: false; reason: string };

export interface PublishedMessage {
  topicUrn: string;
  subject: string | undefined;
  /** What an email subscriber received (the whole page); see `deliveries` for every protocol. */
  message: string;
  deliveries: Record<Protocol, Delivery>;
  messageId: string;
  publishedAt: Date;
}

const TOPIC = /^urn:smn:[a-z0-9-]+:(?<project>[A-Za-z0-9-]+):[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/;

/**
 * Each protocol's text: message_structure's own key, else its `default`; a plain message for all.
 * "When no protocol matches, the content of default is sent"; `default` is mandatory.
 */
function textsOf(request: Record<string, unknown>): { texts: Record<Protocol, string> } | { problem: string } {
  if (typeof request.message_structure === 'string') {
    let structure: unknown;
    try {
      structure = JSON.parse(request.message_structure);
    } catch {
      return { problem: 'message_structure is not valid JSON.' };
    }
    if (typeof structure !== 'object' || structure === null || Array.isArray(structure)) return { problem: 'message_structure must be a JSON object.' };
    const byProtocol = structure as Record<string, unknown>;
    if (typeof byProtocol.default !== 'string' || !byProtocol.default) return { problem: 'message_structure must contain a default message.' };
    const pick = (protocol: Protocol) => (typeof byProtocol[protocol] === 'string' ? (byProtocol[protocol] as string) : (byProtocol.default as string));
    return { texts: { email: pick('email'), sms: pick('sms'), https: pick('https') } };
  }
  const message = [request.message, request.message_template_name].find((m) => typeof m === 'string' && m) as string | undefined;
  if (!message) return { problem: 'The message is empty.' };
  return { texts: { email: message, sms: message, https: message } };
}

/** What an SMS subscriber gets of `text`: refused with brackets, otherwise its first 490 characters. */
function smsDelivery(text: string): Delivery {
  if (SMS_FORBIDDEN.test(text)) return { delivered: false, reason: 'SMS text must not contain [ ] or 【 】' };
  return { delivered: true, text: Array.from(text).slice(0, SMS_MAX_CHARS).join('') };
}

/** SMN publish: every accepted message is kept, in order, with what each subscriber received. */
export class SmnService {
  readonly messages: PublishedMessage[] = [];

  constructor(private readonly projectId: string) {}

  routes(): Route[] {
    return [
      {
        method: 'POST',
        pattern: /^\/v2\/(?<project>[^/]+)\/notifications\/topics\/(?<topicUrn>[^/]+)\/publish$/,
        operation: 'smn.publishMessage',
        handle: ({ params, body }) => {
          const topicUrn = params.topicUrn ?? '';
          const topic = TOPIC.exec(topicUrn);
          if (!topic || topic.groups?.project !== this.projectId) return error(404, 'SMN.00010008', 'The topic does not exist.');
          const request = (body ?? {}) as Record<string, unknown>;
          const subject = typeof request.subject === 'string' ? request.subject : undefined;
          if (subject !== undefined && Buffer.byteLength(subject) > SUBJECT_MAX_BYTES) return error(400, 'SMN.00010001', 'The subject exceeds 512 bytes.');
          const raw = [request.message_structure, request.message_template_name, request.message].find((m) => typeof m === 'string') as string | undefined;
          if (raw !== undefined && Buffer.byteLength(raw) > MESSAGE_MAX_BYTES) return error(400, 'SMN.00010001', 'The message exceeds 256 KB.');
          const parsed = textsOf(request);
          if ('problem' in parsed) return error(400, 'SMN.00010001', parsed.problem);
          const { texts } = parsed;
          const deliveries: Record<Protocol, Delivery> = {
            email: { delivered: true, ...(subject !== undefined ? { subject } : {}), text: texts.email },
            sms: smsDelivery(texts.sms),
            https: { delivered: true, text: texts.https },
          };
          const published = { topicUrn, subject, message: texts.email, deliveries, messageId: randomUUID().replace(/-/g, ''), publishedAt: new Date() };
          this.messages.push(published);
          return ok({ request_id: randomUUID().replace(/-/g, ''), message_id: published.messageId });
        },
      },
    ];
  }
}
