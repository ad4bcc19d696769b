import * as z from 'zod';
import { HuaweiApiError, InvalidRequestError } from './errors';
import { BucketName } from './drs-schemas';
import type { ApiResponse, Transport } from './transport';
import { percentEncode } from './signer';
import { parseRequest, parseResponse, segment } from './validate';

/**
 * OBS ListObjects (GET bucket), for reconcile to list a chain's prefix, and one ranged GetObject per
 * backup version, to read its first bytes (the SQL Server header).
 *
 * And the server-side copies that give DRS a file name it accepts (issue 13): HeadObject (size,
 * storage class), CopyObject up to 5 GB, multipart copy (initiate, UploadPartCopy, list parts,
 * complete, abort) beyond, and DeleteObject once a copy has served. No object bytes pass through.
 */

export interface ObsObject {
  key: string;
  eTag: string;
  size: number;
  lastModified: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, entity: string) =>
    entity.startsWith('#x') ? String.fromCodePoint(parseInt(entity.slice(2), 16)) : entity.startsWith('#') ? String.fromCodePoint(Number(entity.slice(1))) : ENTITIES[entity.toLowerCase()]!,
  );
}
/** An object key as sent in the path and signed in the canonical resource: each segment percent-encoded, `/` kept. */
function encodeKey(key: string): string {
  return key.split('/').map(percentEncode).join('/');
}

const ObjectKey = z.string().min(1, 'must not be empty').refine((key) => Buffer.byteLength(key) <= 1024, 'must be at most 1024 bytes');

const ReadObjectStartRequest = z.object({
  bucket: BucketName,
  key: ObjectKey,
  bytes: z.number().int('must be an integer').min(1, 'must be 1 to 16 MiB').max(16 * 1024 * 1024, 'must be 1 to 16 MiB'),
  ifMatch: z.string().regex(/^"?[^"\s]+"?$/, 'must be an eTag'),
});

const tag = (xml: string, name: string) => {
  const match = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return match ? unescapeXml(match[1]!) : undefined;
};

/** OBS's limit on one CopyObject, and on one part: 5 GB. A larger object is copied in parts. */
export const MAX_COPY_BYTES = 5 * 1024 ** 3;
/** Part numbers run from 1 to 10000. */
export const MAX_PARTS = 10_000;

/**
 * HeadObject's `x-obs-storage-class`: absent for STANDARD; WARM is Infrequent Access and COLD is
 * Archive ("Object Storage Classes", https://support.huaweicloud.com/en-us/devg-obs/obs_06_0063.html:
 * "STANDARD (OBS Standard), WARM (OBS Infrequent Access), and COLD (OBS Archive)"). DEEP_ARCHIVE is
 * the newer Deep Archive class. An Archive object must be restored before it can be read or copied.
 */
export type StorageClass = 'STANDARD' | 'WARM' | 'COLD' | 'DEEP_ARCHIVE' | (string & {});

export interface ObjectHead {
  /** Content-Length: the object's size in bytes. */
  size: number;
  /** Without quotes. For a multipart object, `{md5 of the parts' md5s}-{parts}`. */
  eTag: string;
  storageClass: StorageClass;
  /** As OBS sends it (an HTTP date). */
  lastModified: string;
}

/** A whole object read as text, and the version it was. */
export interface ObjectText {
  text: string;
  eTag: string;
  /** As OBS sends it (an HTTP date). */
  lastModified: string | undefined;
}

export interface ObjectRef {
  bucket: string;
  key: string;
}

export interface UploadedPart {
  partNumber: number;
  eTag: string;
  size: number;
  lastModified: string;
}

const ObjectRefSchema = z.object({ bucket: BucketName, key: ObjectKey });
const ETag = z.string().regex(/^"?[^"\s]+"?$/, 'must be an eTag');
const UploadId = z.string().regex(/^[\x21-\x7e]{1,1024}$/, 'must be 1 to 1024 printable ASCII characters');
const PartNumber = z.number().int('must be an integer').min(1, `must be 1 to ${MAX_PARTS}`).max(MAX_PARTS, `must be 1 to ${MAX_PARTS}`);
const CopyRange = z
  .object({ first: z.number().int('must be an integer').min(0, 'must not be negative'), last: z.number().int('must be an integer') })
  .refine((range) => range.last >= range.first, { message: 'must not be before first', path: ['last'] })
  .refine((range) => range.last - range.first + 1 <= MAX_COPY_BYTES, { message: 'a part is at most 5 GB', path: ['last'] });
const CompletedParts = z
  .array(z.object({ partNumber: PartNumber, eTag: ETag }))
  .min(1, 'must name at least one part')
  .max(MAX_PARTS, `must name at most ${MAX_PARTS} parts`)
  .refine((parts) => parts.every((part, i) => i === 0 || part.partNumber > parts[i - 1]!.partNumber), 'must be in ascending part number order, each once');

const unquote = (eTag: string) => eTag.replace(/"/g, '');
const HeadAnswer = z.object({
  size: z.string().regex(/^\d+$/, 'must be a byte count').transform(Number),
  eTag: z.string().min(1, 'is missing').transform(unquote),
  storageClass: z.string().min(1),
  lastModified: z.string().min(1, 'is missing'),
});
const ETagAnswer = z.object({ eTag: z.string().min(1, 'is missing').transform(unquote) });
const InitiateAnswer = z.object({ uploadId: z.string().min(1, 'is missing') });
const ListPartsAnswer = z.object({
  parts: z.array(
    z.object({
      partNumber: z.string().regex(/^\d+$/, 'must be a part number').transform(Number),
      eTag: z.string().min(1, 'is missing').transform(unquote),
      size: z.string().regex(/^\d+$/, 'must be a byte count').transform(Number),
      lastModified: z.string(),
    }),
  ),
  truncated: z.enum(['true', 'false']).transform((value) => value === 'true'),
  nextMarker: z.string().optional(),
});

export class ObsClient {
  constructor(
    private readonly transport: Transport,
    private readonly endpoint: URL,
  ) {}

  /**
   * One page of ListObjects. The real endpoint (obs.{region}…) is addressed virtual-hosted style
   * (bucket.obs.{region}…), as OBS recommends; an OBS_ENDPOINT override is addressed path style.
   */
  async listObjects(bucket: string, options: { prefix?: string; marker?: string; maxKeys?: number } = {}) {
    const operation = 'obs.listObjects';
    parseRequest(operation, z.object({ bucket: BucketName }), { bucket });
    const maxKeys = options.maxKeys ?? 1000;
    if (!Number.isInteger(maxKeys) || maxKeys < 1 || maxKeys > 1000) throw new InvalidRequestError(operation, 'max-keys', 'must be 1 to 1000');
    const virtualHosted = this.endpoint.hostname.startsWith('obs.');
    const origin = virtualHosted ? new URL(`${this.endpoint.protocol}//${bucket}.${this.endpoint.host}`) : undefined;
    const query: Record<string, string> = { 'max-keys': String(maxKeys) };
    if (options.prefix) query.prefix = options.prefix;
    if (options.marker) query.marker = options.marker;
    const response = await this.transport.send({
      operation,
      service: 'obs',
      method: 'GET',
      path: virtualHosted ? '/' : `/${segment(bucket)}/`,
      query,
      obsResource: `/${bucket}/`,
      ...(origin ? { origin } : {}),
      retry: true,
    });
    const xml = response.text;
    if (!xml.includes('<ListBucketResult')) {
      throw new HuaweiApiError({ operation, kind: 'response-shape', status: response.status, errorMsg: 'unexpected response: no ListBucketResult', requestId: response.requestId });
    }
    const objects: ObsObject[] = [...xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)].map(([, block]) => ({
      key: tag(block!, 'Key') ?? '',
      eTag: (tag(block!, 'ETag') ?? '').replace(/"/g, ''),
      size: Number(tag(block!, 'Size') ?? 0),
      lastModified: tag(block!, 'LastModified') ?? '',
    }));
    const truncated = tag(xml, 'IsTruncated') === 'true';
    return { objects, truncated, nextMarker: truncated ? (tag(xml, 'NextMarker') ?? objects.at(-1)?.key) : undefined };
  }

  /**
   * The first `bytes` bytes of the object version whose eTag is `ifMatch`: one GetObject with
   * `Range: bytes=0-(bytes-1)` and `If-Match`. 206 (the range) and 200 (the whole object: smaller,
   * or the range ignored) are both read as bytes and cut at `bytes`, the rest of the stream aborted.
   * 412 means a newer upload replaced that version: `{ changed: true }`. Other failures are typed
   * HuaweiApiErrors (404 NoSuchKey…). The content never reaches errors or logs.
   */
  async readObjectStart(bucket: string, key: string, options: { bytes: number; ifMatch: string }): Promise<{ bytes: Uint8Array } | { changed: true }> {
    const operation = 'obs.getObject';
    parseRequest(operation, ReadObjectStartRequest, { bucket, key, ...options });
    const eTag = options.ifMatch.replace(/"/g, '');
    const virtualHosted = this.endpoint.hostname.startsWith('obs.');
    const origin = virtualHosted ? new URL(`${this.endpoint.protocol}//${bucket}.${this.endpoint.host}`) : undefined;
    let response;
    try {
      response = await this.transport.send({
        operation,
        service: 'obs',
        method: 'GET',
        path: virtualHosted ? `/${encodeKey(key)}` : `/${segment(bucket)}/${encodeKey(key)}`,
        obsResource: `/${bucket}/${encodeKey(key)}`,
        headers: { Range: `bytes=0-${options.bytes - 1}`, 'If-Match': `"${eTag}"` },
        maxBodyBytes: options.bytes,
        ...(origin ? { origin } : {}),
        retry: true,
      });
    } catch (error) {
      if (error instanceof HuaweiApiError && error.status === 412) return { changed: true };
      throw error;
    }
    const shapeError = (errorMsg: string) => new HuaweiApiError({ operation, kind: 'response-shape', status: response.status, errorMsg, requestId: response.requestId });
    if (response.status !== 200 && response.status !== 206) throw shapeError(`unexpected status ${response.status} for a read`);
    if (response.status === 206 && !/^bytes 0-\d+\/(\d+|\*)$/.test(response.contentRange ?? '')) throw shapeError('a partial answer that does not start at byte 0');
    if (!response.bytes) throw shapeError('no body');
    return { bytes: response.bytes };
  }

  /**
   * A whole small object as UTF-8 text (a configuration document), with its eTag: one GetObject. With
   * `ifNoneMatch`, OBS answers 304 Not Modified, without a body, while the object still has that eTag
   * ("Downloading an Object", https://support.huaweicloud.com/intl/en-us/api-obs/obs_04_0083.html, and
   * the SDKs' conditional download: "If a request includes IfModifiedSince or IfNoneMatch and the
   * specified condition is not met, ... 304 Not Modified"), so an unchanged document costs one empty answer.
   * An object over `maxBytes` is refused rather than read whole. Missing: 404 NoSuchKey HuaweiApiError.
   */
  async readObjectText(bucket: string, key: string, options: { maxBytes: number }): Promise<ObjectText>;
  async readObjectText(bucket: string, key: string, options: { maxBytes: number; ifNoneMatch?: string | undefined }): Promise<{ notModified: true } | ObjectText>;
  async readObjectText(bucket: string, key: string, options: { maxBytes: number; ifNoneMatch?: string | undefined }): Promise<{ notModified: true } | ObjectText> {
    const operation = 'obs.getObject';
    parseRequest(operation, z.object({ bucket: BucketName, key: ObjectKey, ifNoneMatch: ETag.optional() }), { bucket, key, ifNoneMatch: options.ifNoneMatch });
    const headers: Record<string, string> = options.ifNoneMatch === undefined ? {} : { 'If-None-Match': `"${unquote(options.ifNoneMatch)}"` };
    // One byte more than allowed tells "exactly the limit" from "over it" without reading the rest.
    const response = await this.transport.send({ operation, service: 'obs', method: 'GET', ...this.address(bucket, key), headers, maxBodyBytes: options.maxBytes + 1, retry: true });
    if (response.status === 304) return { notModified: true };
    const shapeError = (errorMsg: string) => new HuaweiApiError({ operation, kind: 'response-shape', status: response.status, errorMsg, requestId: response.requestId });
    if (response.status !== 200) throw shapeError(`unexpected status ${response.status} for a whole-object read`);
    const bytes = response.bytes ?? new Uint8Array();
    if (bytes.length > options.maxBytes) throw shapeError(`the object is larger than ${options.maxBytes} bytes`);
    const answer = response.responseHeaders ?? {};
    const { eTag } = parseResponse(operation, ETagAnswer, { eTag: answer.etag }, response.requestId);
    return { text: Buffer.from(bytes).toString('utf8'), eTag, lastModified: answer['last-modified'] };
  }

  /**
   * HeadObject: the object's size, eTag, storage class and last modification, or undefined when there
   * is no such object (404; a HEAD answer has no body, so a missing bucket reads the same).
   * "Querying Object Metadata" (https://support.huaweicloud.com/intl/ja-jp/api-obs/obs_04_0084.html):
   * `x-obs-storage-class` is sent for non-Standard objects only, so its absence means STANDARD.
   */
  async headObject(bucket: string, key: string): Promise<ObjectHead | undefined> {
    const operation = 'obs.headObject';
    parseRequest(operation, ObjectRefSchema, { bucket, key });
    const address = this.address(bucket, key);
    let response;
    try {
      response = await this.transport.send({ operation, service: 'obs', method: 'HEAD', ...address, retry: true });
    } catch (error) {
      if (error instanceof HuaweiApiError && error.status === 404) return undefined;
      throw error;
    }
    const headers = response.responseHeaders ?? {};
    return parseResponse(
      operation,
      HeadAnswer,
      { size: headers['content-length'], eTag: headers.etag, storageClass: headers['x-obs-storage-class'] ?? 'STANDARD', lastModified: headers['last-modified'] },
      response.requestId,
    );
  }

  /**
   * CopyObject: a server-side copy of `source` to `target` (at most 5 GB: beyond, copy in parts), the
   * new object's eTag returned. With `ifMatch`, only the source version with that eTag is copied: another
   * is a 412 PreconditionFailed HuaweiApiError. Missing source: 404 NoSuchKey.
   *
   * "Copying an Object" (https://support.huaweicloud.com/en-us/api-obs/obs_04_0082.html): the source goes
   * in `x-obs-copy-source` (URL-encoded: esdk-obs-nodejs encodes it; we encode each segment, `/` kept),
   * which OBS's signature covers like every `x-obs-*` header; and a 200 alone is not success, only a
   * body with an ETag is: a 200 carrying an Error is a failed copy (kind 'http'), one with neither
   * an unknown outcome (kind 'response-shape').
   *
   * Sent once (retry: false), as every call that creates something: a copy of gigabytes resent blindly
   * doubles the work, and the caller, which names the target deterministically, can HEAD it first.
   */
  async copyObject(source: ObjectRef, target: ObjectRef, options: { ifMatch?: string } = {}): Promise<string> {
    const operation = 'obs.copyObject';
    parseRequest(operation, z.object({ source: ObjectRefSchema, target: ObjectRefSchema, ifMatch: ETag.optional() }), { source, target, ...options });
    const headers: Record<string, string> = { 'x-obs-copy-source': copySource(source) };
    if (options.ifMatch !== undefined) headers['x-obs-copy-source-if-match'] = unquote(options.ifMatch);
    const response = await this.transport.send({ operation, service: 'obs', method: 'PUT', ...this.address(target.bucket, target.key), headers, retry: false });
    return copiedETag(operation, response);
  }

  /**
   * InitiateMultipartUpload (POST /key?uploads): the upload id the parts and the completion name.
   * Sent once: every call opens a new upload, and a resent one would leave an orphan nobody aborts.
   */
  async initiateMultipartUpload(bucket: string, key: string): Promise<string> {
    const operation = 'obs.initiateMultipartUpload';
    parseRequest(operation, ObjectRefSchema, { bucket, key });
    const response = await this.transport.send({ operation, service: 'obs', method: 'POST', ...this.address(bucket, key, { uploads: '' }), retry: false });
    this.expectRoot(operation, response, 'InitiateMultipartUploadResult');
    return parseResponse(operation, InitiateAnswer, { uploadId: tag(response.text, 'UploadId') }, response.requestId).uploadId;
  }

  /**
   * UploadPartCopy (PUT /key?partNumber=&uploadId= with `x-obs-copy-source` and
   * `x-obs-copy-source-range: bytes=first-last`): copies that byte range of `source` as part
   * `partNumber`, its eTag returned for the completion. A range past the source's end is cut there.
   *
   * Retried like a read, because it is idempotent by nature: "Uploading a Part of an Object - Copy"
   * (https://support.huaweicloud.com/en-us/api-obs/obs_04_0100.html) says a part copied again under
   * the same number replaces the earlier one, so a resend of the same range can only write the same
   * bytes to the same slot; it never adds anything. Like CopyObject, only a body with an ETag is success.
   */
  async uploadPartCopy(bucket: string, key: string, uploadId: string, partNumber: number, source: ObjectRef, range: { first: number; last: number }): Promise<string> {
    const operation = 'obs.uploadPartCopy';
    parseRequest(
      operation,
      z.object({ bucket: BucketName, key: ObjectKey, uploadId: UploadId, partNumber: PartNumber, source: ObjectRefSchema, range: CopyRange }),
      { bucket, key, uploadId, partNumber, source, range },
    );
    const headers = { 'x-obs-copy-source': copySource(source), 'x-obs-copy-source-range': `bytes=${range.first}-${range.last}` };
    const address = this.address(bucket, key, { partNumber: String(partNumber), uploadId });
    const response = await this.transport.send({ operation, service: 'obs', method: 'PUT', ...address, headers, retry: true });
    return copiedETag(operation, response);
  }

  /**
   * ListParts (GET /key?uploadId=), every page: the parts an upload holds, in part number order, so a
   * copy resumed in a later invocation sends only the missing ones. NoSuchUpload (404) means the
   * upload was completed or aborted.
   */
  async listParts(bucket: string, key: string, uploadId: string): Promise<UploadedPart[]> {
    const operation = 'obs.listParts';
    parseRequest(operation, z.object({ bucket: BucketName, key: ObjectKey, uploadId: UploadId }), { bucket, key, uploadId });
    const parts: UploadedPart[] = [];
    let marker: string | undefined;
    for (;;) {
      const query: Record<string, string> = { uploadId, 'max-parts': '1000', ...(marker ? { 'part-number-marker': marker } : {}) };
      const response = await this.transport.send({ operation, service: 'obs', method: 'GET', ...this.address(bucket, key, query), retry: true });
      this.expectRoot(operation, response, 'ListPartsResult');
      const xml = response.text;
      const page = parseResponse(
        operation,
        ListPartsAnswer,
        {
          parts: [...xml.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map(([, block]) => ({
            partNumber: tag(block!, 'PartNumber'),
            eTag: tag(block!, 'ETag'),
            size: tag(block!, 'Size'),
            lastModified: tag(block!, 'LastModified') ?? '',
          })),
          truncated: tag(xml, 'IsTruncated') ?? 'false',
          nextMarker: tag(xml, 'NextPartNumberMarker'),
        },
        response.requestId,
      );
      parts.push(...page.parts);
      const next = page.nextMarker ?? (page.parts.at(-1) ? String(page.parts.at(-1)!.partNumber) : undefined);
      if (!page.truncated || !next || next === marker) return parts;
      marker = next;
    }
  }

  /**
   * CompleteMultipartUpload (POST /key?uploadId= with the parts as XML): joins the parts, in ascending
   * part number order, into the object; its eTag (`…-{parts}`) returned. Sent once: a resend after a
   * success meets NoSuchUpload; the caller can HEAD the target to learn whether it exists.
   */
  async completeMultipartUpload(bucket: string, key: string, uploadId: string, parts: { partNumber: number; eTag: string }[]): Promise<string> {
    const operation = 'obs.completeMultipartUpload';
    parseRequest(operation, z.object({ bucket: BucketName, key: ObjectKey, uploadId: UploadId, parts: CompletedParts }), { bucket, key, uploadId, parts });
    const content = `<CompleteMultipartUpload>${parts.map((part) => `<Part><PartNumber>${part.partNumber}</PartNumber><ETag>"${unquote(part.eTag)}"</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
    const response = await this.transport.send({
      operation,
      service: 'obs',
      method: 'POST',
      ...this.address(bucket, key, { uploadId }),
      rawBody: { content, contentType: 'application/xml' },
      retry: false,
    });
    // Like a copy, a 200 that carries an Error (or no ETag) did not complete.
    return copiedETag(operation, response);
  }

  /**
   * AbortMultipartUpload (DELETE /key?uploadId=): drops the upload and its parts. Retried: deleting is
   * idempotent, and an upload already gone (404 NoSuchUpload) counts as aborted.
   */
  async abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    const operation = 'obs.abortMultipartUpload';
    parseRequest(operation, z.object({ bucket: BucketName, key: ObjectKey, uploadId: UploadId }), { bucket, key, uploadId });
    try {
      await this.transport.send({ operation, service: 'obs', method: 'DELETE', ...this.address(bucket, key, { uploadId }), retry: true });
    } catch (error) {
      if (error instanceof HuaweiApiError && error.status === 404 && error.errorCode === 'NoSuchUpload') return;
      throw error;
    }
  }

  /**
   * DeleteObject. "Deleting an Object" (https://support.huaweicloud.com/en-us/api-obs/obs_04_0085.html):
   * deleting an object that does not exist succeeds; a 404 NoSuchKey is read the same way. Retried:
   * deleting twice deletes once.
   */
  async deleteObject(bucket: string, key: string): Promise<void> {
    const operation = 'obs.deleteObject';
    parseRequest(operation, ObjectRefSchema, { bucket, key });
    try {
      await this.transport.send({ operation, service: 'obs', method: 'DELETE', ...this.address(bucket, key), retry: true });
    } catch (error) {
      if (error instanceof HuaweiApiError && error.status === 404 && error.errorCode === 'NoSuchKey') return;
      throw error;
    }
  }

  /**
   * Where an object request goes: virtual-hosted on the real endpoint, path style on an override; and
   * the canonical resource OBS signs, `/bucket/key` as sent plus the sub-resources (`uploads`,
   * `partNumber`, `uploadId`) sorted, which OBS's signature covers and ordinary parameters do not.
   */
  private address(bucket: string, key: string, query?: Record<string, string>) {
    const virtualHosted = this.endpoint.hostname.startsWith('obs.');
    const objectPath = `/${encodeKey(key)}`;
    const subresources = Object.entries(query ?? {})
      .filter(([name]) => SUBRESOURCES.has(name))
      .map(([name, value]) => (value === '' ? name : `${name}=${value}`))
      .sort();
    return {
      path: virtualHosted ? objectPath : `/${segment(bucket)}${objectPath}`,
      obsResource: `/${bucket}${objectPath}${subresources.length ? `?${subresources.join('&')}` : ''}`,
      ...(query ? { query } : {}),
      ...(virtualHosted ? { origin: new URL(`${this.endpoint.protocol}//${bucket}.${this.endpoint.host}`) } : {}),
    };
  }

  private expectRoot(operation: string, response: ApiResponse, root: string): void {
    if (!response.text.includes(`<${root}`)) {
      throw new HuaweiApiError({ operation, kind: 'response-shape', status: response.status, errorMsg: `unexpected response: no ${root}`, requestId: response.requestId });
    }
  }

  /** Every object under the prefix, page after page. */
  async listAllObjects(bucket: string, prefix: string): Promise<ObsObject[]> {
    const all: ObsObject[] = [];
    let marker: string | undefined;
    do {
      const page = await this.listObjects(bucket, { prefix, ...(marker ? { marker } : {}) });
      all.push(...page.objects);
      marker = page.nextMarker;
    } while (marker);
    return all;
  }
}

/** The sub-resources OBS's canonical resource carries, of those these calls send. */
const SUBRESOURCES = new Set(['uploads', 'uploadId', 'partNumber']);

/** `x-obs-copy-source`: `/bucket/key`, the key percent-encoded per segment (non-ASCII, spaces, `$` all safe in a header). */
function copySource(source: ObjectRef): string {
  return `/${source.bucket}/${encodeKey(source.key)}`;
}

/**
 * The ETag of a copy, a part copy or a completion: OBS may answer 200 and report the failure in the body,
 * so only a body with an ETag is success. A body with an Error is a failed call; anything else is an
 * answer we cannot read (outcome unknown).
 */
function copiedETag(operation: string, response: ApiResponse): string {
  const eTag = tag(response.text, 'ETag');
  if (eTag) return parseResponse(operation, ETagAnswer, { eTag }, response.requestId).eTag;
  const failed = response.text.includes('<Error>');
  throw new HuaweiApiError({
    operation,
    kind: failed ? 'http' : 'response-shape',
    status: response.status,
    errorCode: failed ? tag(response.text, 'Code') : undefined,
    errorMsg: failed ? (tag(response.text, 'Message') ?? 'the answer carries an Error') : 'unexpected response: no ETag',
    requestId: response.requestId,
  });
}
