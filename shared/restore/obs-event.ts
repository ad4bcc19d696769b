import * as z from 'zod';

/**
 * OBS trigger events are S3-shaped: `{ Records: [ { eventName, s3: { bucket, object } } ] }`, some
 * carrying `obs` where others carry `s3`. Keys arrive URL-encoded with '+' for space.
 */

export interface UploadedObject {
  eventName: string;
  bucket: string;
  key: string;
  eTag: string;
  /** The event's sequencer, else its time: the same for a redelivery, new for each upload. */
  uploadId?: string;
  /** When OBS says the object was created (the event's time, ms): upload order, which delivery order is not. */
  uploadedAt?: number;
  size?: number;
}

export type ParsedRecord =
  | { kind: 'created'; object: UploadedObject }
  | { kind: 'removed'; bucket: string; key: string }
  | { kind: 'malformed'; reason: string; bucket?: string; key?: string };

const MAX_KEY_BYTES = 1024;

const Entity = z.looseObject({
  bucket: z.looseObject({ name: z.string().min(1) }),
  object: z.looseObject({
    key: z.string().min(1),
    eTag: z.string().optional(),
    etag: z.string().optional(),
    size: z.number().nonnegative().optional(),
    sequencer: z.string().optional(),
  }),
});

const EventRecord = z.looseObject({
  eventName: z.string().min(1),
  eventTime: z.string().optional(),
  s3: Entity.optional(),
  obs: Entity.optional(),
});

function decodeKey(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

export function parseRecord(raw: unknown): ParsedRecord {
  const parsed = EventRecord.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { kind: 'malformed', reason: `record field ${issue.path.join('.') || '(record)'}: ${issue.message}` };
  }
  const entity = parsed.data.s3 ?? parsed.data.obs;
  if (!entity) return { kind: 'malformed', reason: 'record has neither s3 nor obs' };
  const bucket = entity.bucket.name;
  const rawKey = entity.object.key;
  if (Buffer.byteLength(rawKey) > MAX_KEY_BYTES * 3) return { kind: 'malformed', bucket, reason: `object key is longer than ${MAX_KEY_BYTES} bytes` };
  const key = decodeKey(rawKey);
  if (key === undefined) return { kind: 'malformed', bucket, reason: 'object key is not valid URL encoding' };
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) return { kind: 'malformed', bucket, reason: `object key is longer than ${MAX_KEY_BYTES} bytes` };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) return { kind: 'malformed', bucket, reason: 'object key contains control characters' };

  const eventName = parsed.data.eventName.replace(/^(s3|obs):/, '');
  if (eventName.startsWith('ObjectRemoved:')) return { kind: 'removed', bucket, key };
  if (!eventName.startsWith('ObjectCreated:')) return { kind: 'malformed', bucket, key, reason: `unknown event ${eventName}` };
  const eTag = (entity.object.eTag ?? entity.object.etag ?? '').replace(/"/g, '');
  if (!eTag || eTag.length > 128) return { kind: 'malformed', bucket, key, reason: 'record has no usable object eTag' };
  const uploadId = entity.object.sequencer ?? parsed.data.eventTime;
  const uploadedAt = parsed.data.eventTime ? Date.parse(parsed.data.eventTime) : NaN;
  return {
    kind: 'created',
    object: {
      eventName,
      bucket,
      key,
      eTag,
      ...(uploadId ? { uploadId } : {}),
      ...(Number.isFinite(uploadedAt) ? { uploadedAt } : {}),
      ...(entity.object.size !== undefined ? { size: entity.object.size } : {}),
    },
  };
}

/** The records of an event; an event that is not `{Records: [...]}` yields none and a reason. */
export function eventRecords(event: unknown): { records: unknown[]; problem?: string } {
  const records = (event as { Records?: unknown } | null | undefined)?.Records;
  if (!Array.isArray(records)) return { records: [], problem: 'event has no Records array' };
  return { records };
}
