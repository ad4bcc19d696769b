import { randomUUID } from 'node:crypto';
import { error, ok, type Route } from './route';

/** SMN publish limits from the documentation (its own copy: the client keeps another). */
const SUBJECT_MAX_BYTES = 512;
const MESSAGE_MAX_BYTES = 256 * 1024;

export interface PublishedMessage {
  topicUrn: string;
  subject: string | undefined;
  message: string;
  messageId: string;
  publishedAt: Date;
}

const TOPIC = /^urn:smn:[a-z0-9-]+:(?<project>[A-Za-z0-9-]+):[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/;

/** SMN publish: every accepted message is kept, in order, for tests and the local run to read. */
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
          const message = [request.message, request.message_structure, request.message_template_name].find((m) => typeof m === 'string') as string | undefined;
          if (subject !== undefined && Buffer.byteLength(subject) > SUBJECT_MAX_BYTES) return error(400, 'SMN.00010001', 'The subject exceeds 512 bytes.');
          if (!message) return error(400, 'SMN.00010001', 'The message is empty.');
          if (Buffer.byteLength(message) > MESSAGE_MAX_BYTES) return error(400, 'SMN.00010001', 'The message exceeds 256 KB.');
          const published = { topicUrn, subject, message, messageId: randomUUID().replace(/-/g, ''), publishedAt: new Date() };
          this.messages.push(published);
          return ok({ request_id: randomUUID().replace(/-/g, ''), message_id: published.messageId });
        },
      },
    ];
  }
}
