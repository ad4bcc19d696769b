import type { StoredObject } from './obs';

/**
 * OBS trigger events for objects of the local OBS, shaped as OBS sends them (S3-style records; see
 * ../shared/reference/README.md), including the variations a handler meets in the field:
 * - keys URL-encoded with `+` for a space, and `/` sent as `%2F` when `slashAsPercent2F` is set;
 * - an event name per way of creation: `ObjectCreated:Put`, `Post`, `Copy`, `CompleteMultipartUpload`;
 * - no `sequencer` on a copy or a completed multipart upload (OBS leaves it out on some event
 *   kinds; which ones is this emulator's choice), so only `eventTime` tells two such uploads apart.
 */

const WITHOUT_SEQUENCER: ReadonlySet<StoredObject['createdBy']> = new Set(['Copy', 'CompleteMultipartUpload']);

export interface EventOptions {
  slashAsPercent2F?: boolean;
  eventTime?: Date;
  region?: string;
}

/** How OBS writes a key into an event: URL-encoded, a space as `+`. */
export function eventKey(key: string, slashAsPercent2F = false): string {
  const encoded = encodeURIComponent(key).replace(/%20/g, '+');
  return slashAsPercent2F ? encoded : encoded.replace(/%2F/g, '/');
}

export function obsTriggerRecord(object: StoredObject, options: EventOptions = {}) {
  return {
    eventVersion: '2.0',
    eventSource: 'aws:s3',
    awsRegion: options.region ?? 'cn-north-4',
    eventTime: (options.eventTime ?? new Date()).toISOString(),
    eventName: `ObjectCreated:${object.createdBy}`,
    userIdentity: { principalId: '9bf43789b1ff4b679040f35cc4f0dc05' },
    requestParameters: { sourceIPAddress: '10.1.2.3' },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'restore-pilot-upload',
      bucket: { name: object.bucket, ownerIdentity: { PrincipalId: '0ed1b73b8e00d5d81f17c0045c8f3e80' }, arn: `arn:aws:s3:::${object.bucket}` },
      object: {
        key: eventKey(object.key, options.slashAsPercent2F),
        eTag: object.eTag,
        size: object.size,
        versionId: 'null',
        ...(WITHOUT_SEQUENCER.has(object.createdBy) ? {} : { sequencer: object.sequencer }),
      },
    },
  };
}

/** One event holding a record per object, as one OBS notification may. */
export function obsTriggerEvent(objects: StoredObject[], options: EventOptions = {}) {
  return { Records: objects.map((object) => obsTriggerRecord(object, options)) };
}
