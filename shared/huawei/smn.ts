import * as z from 'zod';
import type { Transport } from './transport';
import { parseRequest, parseResponse, segment } from './validate';

/** SMN publish, as restated in ../shared/reference/README.md. */

export const SUBJECT_MAX_BYTES = 512;
export const MESSAGE_MAX_BYTES = 256 * 1024;

const byteLength = (text: string) => Buffer.byteLength(text, 'utf8');

function isMessageStructure(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return false;
    const texts = Object.values(parsed);
    return typeof (parsed as { default?: unknown }).default === 'string' && texts.every((t) => typeof t === 'string');
  } catch {
    return false;
  }
}

export const TopicUrn = z
  .string()
  .regex(/^urn:smn:[a-z0-9-]+:[A-Za-z0-9-]+:[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/, 'must look like urn:smn:{region}:{project_id}:{topic_name}');

export const PublishMessageRequest = z
  .object({
    subject: z
      .string()
      .refine((s) => byteLength(s) <= SUBJECT_MAX_BYTES, `must be at most ${SUBJECT_MAX_BYTES} bytes`)
      .optional(),
    message: z
      .string()
      .min(1, 'must not be empty')
      .refine((s) => byteLength(s) <= MESSAGE_MAX_BYTES, `must be at most ${MESSAGE_MAX_BYTES} bytes (256 KB)`)
      .optional(),
    /** A JSON string: `default` (required) and a text per protocol (`email`, `sms`, `http`, `https`, …). */
    message_structure: z
      .string()
      .min(1, 'must not be empty')
      .refine((s) => byteLength(s) <= MESSAGE_MAX_BYTES, `must be at most ${MESSAGE_MAX_BYTES} bytes (256 KB)`)
      .refine(isMessageStructure, 'must be a JSON object of strings with a "default" text')
      .optional(),
    message_template_name: z.string().min(1, 'must not be empty').optional(),
    tags: z.record(z.string(), z.string()).optional(),
    time_to_live: z.string().optional(),
  })
  .superRefine((request, ctx) => {
    const bodies = [request.message, request.message_structure, request.message_template_name].filter((v) => v !== undefined);
    if (bodies.length !== 1) {
      ctx.addIssue({ code: 'custom', path: ['message'], message: 'exactly one of message, message_structure or message_template_name is required' });
    }
  });
export type PublishMessageRequest = z.input<typeof PublishMessageRequest>;

export const PublishMessageResponse = z.looseObject({ request_id: z.string().nullish(), message_id: z.string() });

export class SmnClient {
  constructor(
    private readonly transport: Transport,
    private readonly projectId: string,
  ) {}

  /** Sent once: a resend could page on-call twice. The caller decides whether to try again later. */
  async publishMessage(topicUrn: string, request: PublishMessageRequest) {
    const operation = 'smn.publishMessage';
    const urn = parseRequest(operation, z.object({ topic_urn: TopicUrn }), { topic_urn: topicUrn }).topic_urn;
    const body = parseRequest(operation, PublishMessageRequest, request);
    const response = await this.transport.send({
      operation,
      service: 'smn',
      method: 'POST',
      path: `/v2/${segment(this.projectId)}/notifications/topics/${segment(urn)}/publish`,
      body,
      retry: false,
    });
    return parseResponse(operation, PublishMessageResponse, response.body, response.requestId);
  }
}
