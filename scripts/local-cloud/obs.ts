import { createHash, randomUUID } from 'node:crypto';
import type { Route, RouteResponse } from './route';

/** How the object came to be: each gives its own `ObjectCreated:` event. */
export type CreatedBy = 'Put' | 'Post' | 'Copy' | 'CompleteMultipartUpload';

export interface StoredObject {
  bucket: string;
  key: string;
  /** The size listed; the content's length unless `put` was given another. */
  size: number;
  /** What GET object serves. */
  content: Buffer;
  /**
   * For a PUT, POST or copy: the MD5 of the content, so the same bytes uploaded again get the same
   * eTag. For a multipart upload: the MD5 of the parts' MD5s and `-{parts}`, not the content's MD5, so
   * the same bytes uploaded in other parts get another eTag.
   */
  eTag: string;
  /** Grows with every upload, as the event's `sequencer` does. */
  sequencer: string;
  lastModified: Date;
  createdBy: CreatedBy;
  /** STANDARD, WARM (Infrequent Access), COLD (Archive) or DEEP_ARCHIVE; HEAD sends it unless STANDARD. */
  storageClass: string;
}

/** A part of a multipart upload; `size` is the range's length, `content` what of it the source stored. */
interface UploadPart {
  partNumber: number;
  eTag: string;
  size: number;
  content: Buffer;
  lastModified: Date;
}

interface MultipartUpload {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: Date;
  parts: Map<number, UploadPart>;
}

/** OBS's limit on one copy, and on one part. */
export const MAX_COPY_BYTES = 5 * 1024 ** 3;
/** Every part but the last of a completed upload is at least 100 KB (OBS SDK reference, "PUT Part"). */
const MIN_PART_BYTES = 100 * 1024;
const ARCHIVED = new Set(['COLD', 'DEEP_ARCHIVE']);

const md5 = (data: string | Buffer) => createHash('md5').update(data).digest();

/** The objects "uploaded" to OBS; DRS reads it to find backup files. */
export class ObsStore {
  private readonly objects = new Map<string, StoredObject>();
  private readonly buckets = new Set<string>();
  /** Multipart uploads in progress, by upload id. */
  readonly multipartUploads = new Map<string, MultipartUpload>();
  private uploads = 0;
  /** Serve GET object whole whatever the Range asks, as a server that ignores Range would. */
  ignoreRange = false;

  createBucket(bucket: string): void {
    this.buckets.add(bucket);
  }

  /**
   * Stores (or replaces) an object. Its content defaults to a stand-in derived from the key, so
   * uploading the same file again gives the same eTag, as in OBS; pass `content` to change the file.
   * `size` is the size listed: by default the content's length, or 1 MiB for the stand-in (whose few
   * bytes are what GET object serves). A `size` beyond the content simulates a large object (a "12 GB"
   * backup of a few bytes): copies and part copies count the listed size and carry what content there is.
   * `storageClass` defaults to STANDARD; COLD is Archive, which cannot be copied until restored.
   */
  put(bucket: string, key: string, options: { content?: string | Uint8Array; size?: number; createdBy?: 'Put' | 'Post'; storageClass?: string } = {}): StoredObject {
    const content = Buffer.from(options.content ?? `backup data of ${key}`);
    const size = options.size ?? (options.content === undefined ? 1024 * 1024 : content.length);
    return this.store(bucket, key, { content, size, eTag: md5(content).toString('hex'), createdBy: options.createdBy ?? 'Put', storageClass: options.storageClass ?? 'STANDARD' });
  }

  /** A multipart upload of `content` in `parts` parts: its eTag is not the content's MD5. */
  putMultipart(bucket: string, key: string, options: { content?: string | Uint8Array; parts: number; size?: number }): StoredObject {
    const content = Buffer.from(options.content ?? `backup data of ${key}`);
    const partSize = Math.ceil(content.length / options.parts);
    const partMd5s = Array.from({ length: options.parts }, (_, i) => md5(content.subarray(i * partSize, (i + 1) * partSize)));
    return this.store(bucket, key, { content, size: options.size ?? 64 * 1024 * 1024, eTag: `${md5(Buffer.concat(partMd5s)).toString('hex')}-${options.parts}`, createdBy: 'CompleteMultipartUpload', storageClass: 'STANDARD' });
  }

  /** A server-side copy: the same content, so the same eTag, under a new key. */
  copy(from: { bucket: string; key: string }, bucket: string, key: string): StoredObject {
    const source = this.get(from.bucket, from.key);
    if (!source) throw new Error(`no object ${from.bucket}/${from.key} to copy`);
    return this.store(bucket, key, { content: source.content, size: source.size, eTag: source.eTag, createdBy: 'Copy', storageClass: 'STANDARD' });
  }

  delete(bucket: string, key: string): boolean {
    return this.objects.delete(`${bucket}/${key}`);
  }

  private store(bucket: string, key: string, object: Pick<StoredObject, 'content' | 'size' | 'eTag' | 'createdBy' | 'storageClass'>): StoredObject {
    this.uploads += 1;
    this.buckets.add(bucket);
    const sequencer = this.uploads.toString(16).toUpperCase().padStart(32, '0');
    const stored = { bucket, key, ...object, sequencer, lastModified: new Date(Date.now() + this.uploads) };
    this.objects.set(`${bucket}/${key}`, stored);
    return stored;
  }

  get(bucket: string, key: string): StoredObject | undefined {
    return this.objects.get(`${bucket}/${key}`);
  }

  list(bucket: string, prefix = ''): StoredObject[] {
    return [...this.objects.values()].filter((o) => o.bucket === bucket && o.key.startsWith(prefix)).sort((a, b) => (a.key < b.key ? -1 : 1));
  }


  routes(): Route[] {
    return [
      {
        method: 'GET',
        pattern: /^\/(?<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/?$/,
        operation: 'obs.listObjects',
        auth: 'obs',
        handle: ({ params, query }) => {
          const bucket = params.bucket!;
          if (!this.buckets.has(bucket)) return xmlError(404, 'NoSuchBucket', 'The specified bucket does not exist');
          const maxKeys = Number(query.get('max-keys') ?? 1000);
          if (!Number.isInteger(maxKeys) || maxKeys < 1 || maxKeys > 1000) return xmlError(400, 'InvalidArgument', 'Invalid max-keys');
          const prefix = query.get('prefix') ?? '';
          const marker = query.get('marker') ?? '';
          const matching = this.list(bucket, prefix).filter((o) => o.key > marker);
          const page = matching.slice(0, maxKeys);
          const truncated = matching.length > page.length;
          const contents = page
            .map((o) => `<Contents><Key>${escapeXml(o.key)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>"${o.eTag}"</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`)
            .join('');
          const next = truncated ? `<NextMarker>${escapeXml(page.at(-1)!.key)}</NextMarker>` : '';
          return {
            status: 200,
            body: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><ListBucketResult xmlns="http://obs.myhwclouds.com/doc/2015-06-30/"><Name>${bucket}</Name><Prefix>${escapeXml(prefix)}</Prefix><Marker>${escapeXml(marker)}</Marker>${next}<MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents}</ListBucketResult>`,
          };
        },
      },
      {
        // ListParts: GET /key?uploadId= (https://support.huaweicloud.com/en-us/api-obs/obs_04_0101.html).
        method: 'GET',
        pattern: OBJECT,
        when: ({ query }) => query.has('uploadId'),
        operation: 'obs.listParts',
        auth: 'obs',
        handle: ({ params, rawPath, query }) => {
          const upload = this.upload(params.bucket!, objectKey(rawPath), query);
          if (!upload) return noSuchUpload();
          const maxParts = Number(query.get('max-parts') ?? 1000);
          const marker = Number(query.get('part-number-marker') ?? 0);
          if (!Number.isInteger(maxParts) || maxParts < 1 || maxParts > 1000 || !Number.isInteger(marker) || marker < 0) return xmlError(400, 'InvalidArgument', 'Invalid max-parts or part-number-marker');
          const after = [...upload.parts.values()].filter((part) => part.partNumber > marker).sort((a, b) => a.partNumber - b.partNumber);
          const page = after.slice(0, maxParts);
          const truncated = after.length > page.length;
          const parts = page.map((part) => `<Part><PartNumber>${part.partNumber}</PartNumber><LastModified>${part.lastModified.toISOString()}</LastModified><ETag>"${part.eTag}"</ETag><Size>${part.size}</Size></Part>`).join('');
          return {
            status: 200,
            body: `${XML_DECLARATION}<ListPartsResult xmlns="${XMLNS}"><Bucket>${upload.bucket}</Bucket><Key>${escapeXml(upload.key)}</Key><UploadId>${upload.uploadId}</UploadId><StorageClass>STANDARD</StorageClass><PartNumberMarker>${marker}</PartNumberMarker>${truncated ? `<NextPartNumberMarker>${page.at(-1)!.partNumber}</NextPartNumberMarker>` : ''}<MaxParts>${maxParts}</MaxParts><IsTruncated>${truncated}</IsTruncated>${parts}</ListPartsResult>`,
          };
        },
      },
      {
        // GetObject, path style. The key is taken from the raw path (decoded once, so `%2F` is a `/`).
        method: 'GET',
        pattern: /^\/(?<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(?<key>.+)$/,
        operation: 'obs.getObject',
        auth: 'obs',
        handle: ({ params, rawPath, headers }) => {
          const bucket = params.bucket!;
          if (!this.buckets.has(bucket)) return xmlError(404, 'NoSuchBucket', 'The specified bucket does not exist');
          const key = decodeURIComponent(rawPath.slice(rawPath.indexOf('/', 1) + 1));
          const object = this.get(bucket, key);
          if (!object) return xmlError(404, 'NoSuchKey', 'The specified key does not exist.');
          const ifMatch = single(headers['if-match']);
          if (ifMatch !== undefined && !ifMatch.split(',').some((tag) => tag.trim() === '*' || tag.trim().replace(/^W\//, '').replace(/"/g, '') === object.eTag)) {
            return xmlError(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
          }
          const meta = { etag: `"${object.eTag}"`, 'last-modified': object.lastModified.toUTCString(), 'accept-ranges': 'bytes', 'content-type': 'binary/octet-stream' };
          // If-None-Match (OBS "Downloading an Object"; RFC 7232): the object only if its ETag differs from
          // every one listed (`*`: any ETag); otherwise 304 Not Modified with no body. Checked after If-Match.
          const ifNoneMatch = single(headers['if-none-match']);
          if (ifNoneMatch !== undefined && ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || tag.trim().replace(/^W\//, '').replace(/"/g, '') === object.eTag)) {
            return { status: 304, body: Buffer.alloc(0), headers: { etag: meta.etag, 'last-modified': meta['last-modified'] } };
          }
          const range = this.ignoreRange ? undefined : byteRange(single(headers.range), object.content.length);
          if (!range) return { status: 200, body: object.content, headers: meta };
          return {
            status: 206,
            body: object.content.subarray(range.start, range.end + 1),
            headers: { ...meta, 'content-range': `bytes ${range.start}-${range.end}/${object.content.length}` },
          };
        },
      },
      {
        // HeadObject (https://support.huaweicloud.com/intl/ja-jp/api-obs/obs_04_0084.html): the metadata as
        // headers, no body; x-obs-storage-class only for a non-Standard object. A 404 has no body either.
        method: 'HEAD',
        pattern: OBJECT,
        operation: 'obs.headObject',
        auth: 'obs',
        handle: ({ params, rawPath }) => {
          const object = this.buckets.has(params.bucket!) ? this.get(params.bucket!, objectKey(rawPath)) : undefined;
          if (!object) return { status: 404, body: '' };
          return {
            status: 200,
            body: '',
            headers: {
              'content-type': 'binary/octet-stream',
              'content-length': String(object.size),
              etag: `"${object.eTag}"`,
              'last-modified': object.lastModified.toUTCString(),
              ...(object.storageClass === 'STANDARD' ? {} : { 'x-obs-storage-class': object.storageClass }),
            },
          };
        },
      },
      {
        // UploadPartCopy: PUT /key?partNumber=&uploadId= with x-obs-copy-source and an optional
        // x-obs-copy-source-range (https://support.huaweicloud.com/en-us/api-obs/obs_04_0100.html). The same
        // part number copied again replaces the part. A range's end past the source is cut there.
        method: 'PUT',
        pattern: OBJECT,
        when: ({ query, headers }) => query.has('uploadId') && query.has('partNumber') && headers['x-obs-copy-source'] !== undefined,
        operation: 'obs.uploadPartCopy',
        auth: 'obs',
        handle: ({ params, rawPath, query, headers }) => {
          const upload = this.upload(params.bucket!, objectKey(rawPath), query);
          if (!upload) return noSuchUpload();
          const partNumber = Number(query.get('partNumber'));
          if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) return xmlError(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive');
          const source = this.copySource(single(headers['x-obs-copy-source']));
          if ('status' in source) return source;
          const rangeHeader = single(headers['x-obs-copy-source-range']);
          let first = 0;
          let last = source.size - 1;
          if (rangeHeader !== undefined) {
            const match = /^bytes=(\d+)-(\d+)$/.exec(rangeHeader.trim());
            if (!match || Number(match[2]) < Number(match[1]) || Number(match[1]) >= source.size) return xmlError(400, 'InvalidArgument', 'The x-obs-copy-source-range value is not valid for the source object');
            first = Number(match[1]);
            last = Math.min(Number(match[2]), source.size - 1);
          }
          if (last - first + 1 > MAX_COPY_BYTES) return xmlError(400, 'EntityTooLarge', 'A part may be at most 5 GB');
          const content = source.content.subarray(first, last + 1);
          // The part's bytes' MD5; where the range runs past the stored content (a simulated size) the range
          // is hashed with what there is, so the parts of a "12 GB" object differ as real ones would.
          const eTag = (last < source.content.length ? md5(content) : md5(Buffer.concat([content, Buffer.from(`${source.eTag}:${first}-${last}`)]))).toString('hex');
          const part = { partNumber, eTag, size: last - first + 1, content, lastModified: new Date() };
          upload.parts.set(partNumber, part);
          return { status: 200, body: `${XML_DECLARATION}<CopyPartResult xmlns="${XMLNS}"><LastModified>${part.lastModified.toISOString()}</LastModified><ETag>"${eTag}"</ETag></CopyPartResult>` };
        },
      },
      {
        // CopyObject: PUT /key with x-obs-copy-source (https://support.huaweicloud.com/en-us/api-obs/obs_04_0082.html):
        // at most 5 GB; the copy gets the target bucket's (here: Standard) storage class and its content's MD5.
        method: 'PUT',
        pattern: OBJECT,
        when: ({ query, headers }) => !query.has('uploadId') && headers['x-obs-copy-source'] !== undefined,
        operation: 'obs.copyObject',
        auth: 'obs',
        handle: ({ params, rawPath, headers }) => {
          const bucket = params.bucket!;
          if (!this.buckets.has(bucket)) return xmlError(404, 'NoSuchBucket', 'The specified bucket does not exist');
          const source = this.copySource(single(headers['x-obs-copy-source']));
          if ('status' in source) return source;
          const ifMatch = single(headers['x-obs-copy-source-if-match']);
          if (ifMatch !== undefined && ifMatch.replace(/"/g, '') !== source.eTag) return xmlError(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
          // The code is this cloud's choice; the limit is the documented one.
          if (source.size > MAX_COPY_BYTES) return xmlError(400, 'InvalidRequest', `The specified copy source is larger than the maximum allowable size for a copy source: ${MAX_COPY_BYTES}`);
          const copied = this.store(bucket, objectKey(rawPath), { content: source.content, size: source.size, eTag: md5(source.content).toString('hex'), createdBy: 'Copy', storageClass: 'STANDARD' });
          return { status: 200, body: `${XML_DECLARATION}<CopyObjectResult xmlns="${XMLNS}"><LastModified>${copied.lastModified.toISOString()}</LastModified><ETag>"${copied.eTag}"</ETag></CopyObjectResult>` };
        },
      },
      {
        // InitiateMultipartUpload: POST /key?uploads.
        method: 'POST',
        pattern: OBJECT,
        when: ({ query }) => query.has('uploads'),
        operation: 'obs.initiateMultipartUpload',
        auth: 'obs',
        handle: ({ params, rawPath }) => {
          const bucket = params.bucket!;
          if (!this.buckets.has(bucket)) return xmlError(404, 'NoSuchBucket', 'The specified bucket does not exist');
          const upload: MultipartUpload = { uploadId: randomUUID().replace(/-/g, '').toUpperCase(), bucket, key: objectKey(rawPath), initiated: new Date(), parts: new Map() };
          this.multipartUploads.set(upload.uploadId, upload);
          return { status: 200, body: `${XML_DECLARATION}<InitiateMultipartUploadResult xmlns="${XMLNS}"><Bucket>${bucket}</Bucket><Key>${escapeXml(upload.key)}</Key><UploadId>${upload.uploadId}</UploadId></InitiateMultipartUploadResult>` };
        },
      },
      {
        // CompleteMultipartUpload: POST /key?uploadId= with <CompleteMultipartUpload><Part><PartNumber/><ETag/></Part>…
        // The object is the listed parts' content in order; its size the sum of their ranges; its eTag the
        // MD5 of the parts' MD5s and `-{parts}`. Unlisted parts are dropped with the upload.
        method: 'POST',
        pattern: OBJECT,
        when: ({ query }) => query.has('uploadId'),
        operation: 'obs.completeMultipartUpload',
        auth: 'obs',
        handle: ({ params, rawPath, query, body }) => {
          const upload = this.upload(params.bucket!, objectKey(rawPath), query);
          if (!upload) return noSuchUpload();
          const xml = typeof body === 'string' ? body : '';
          const listed = [...xml.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map(([, block]) => ({
            partNumber: Number(/<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(block!)?.[1] ?? NaN),
            eTag: (/<ETag>([^<]*)<\/ETag>/.exec(block!)?.[1] ?? '').replace(/&quot;|"/g, '').trim(),
          }));
          if (!xml.includes('<CompleteMultipartUpload') || listed.length === 0 || listed.some((p) => !Number.isInteger(p.partNumber))) return xmlError(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
          if (listed.some((p, i) => i > 0 && p.partNumber <= listed[i - 1]!.partNumber)) return xmlError(400, 'InvalidPartOrder', 'The list of parts was not in ascending order');
          const parts: UploadPart[] = [];
          for (const { partNumber, eTag } of listed) {
            const part = upload.parts.get(partNumber);
            if (!part || part.eTag !== eTag) return xmlError(400, 'InvalidPart', 'One or more of the specified parts could not be found or the specified entity tag might not have matched the part\'s entity tag');
            parts.push(part);
          }
          if (parts.slice(0, -1).some((part) => part.size < MIN_PART_BYTES)) return xmlError(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size');
          const eTag = `${md5(Buffer.concat(parts.map((part) => Buffer.from(part.eTag, 'hex')))).toString('hex')}-${parts.length}`;
          const stored = this.store(upload.bucket, upload.key, {
            content: Buffer.concat(parts.map((part) => part.content)),
            size: parts.reduce((sum, part) => sum + part.size, 0),
            eTag,
            createdBy: 'CompleteMultipartUpload',
            storageClass: 'STANDARD',
          });
          this.multipartUploads.delete(upload.uploadId);
          return {
            status: 200,
            body: `${XML_DECLARATION}<CompleteMultipartUploadResult xmlns="${XMLNS}"><Location>/${stored.bucket}/${escapeXml(encodeURIComponent(stored.key))}</Location><Bucket>${stored.bucket}</Bucket><Key>${escapeXml(stored.key)}</Key><ETag>"${eTag}"</ETag></CompleteMultipartUploadResult>`,
          };
        },
      },
      {
        // AbortMultipartUpload: DELETE /key?uploadId= — 204, the parts gone.
        method: 'DELETE',
        pattern: OBJECT,
        when: ({ query }) => query.has('uploadId'),
        operation: 'obs.abortMultipartUpload',
        auth: 'obs',
        handle: ({ params, rawPath, query }) => {
          const upload = this.upload(params.bucket!, objectKey(rawPath), query);
          if (!upload) return noSuchUpload();
          this.multipartUploads.delete(upload.uploadId);
          return { status: 204, body: '' };
        },
      },
      {
        // DeleteObject (https://support.huaweicloud.com/en-us/api-obs/obs_04_0085.html): 204, also when there
        // was no such object.
        method: 'DELETE',
        pattern: OBJECT,
        when: ({ query }) => !query.has('uploadId'),
        operation: 'obs.deleteObject',
        auth: 'obs',
        handle: ({ params, rawPath }) => {
          if (!this.buckets.has(params.bucket!)) return xmlError(404, 'NoSuchBucket', 'The specified bucket does not exist');
          this.delete(params.bucket!, objectKey(rawPath));
          return { status: 204, body: '' };
        },
      },
    ];
  }

  /** The upload `?uploadId=` names, if it exists and belongs to this bucket and key. */
  private upload(bucket: string, key: string, query: URLSearchParams): MultipartUpload | undefined {
    const upload = this.multipartUploads.get(query.get('uploadId') ?? '');
    return upload && upload.bucket === bucket && upload.key === key ? upload : undefined;
  }

  /**
   * The object `x-obs-copy-source` names: `/bucket/key` or `bucket/key`, URL-encoded (esdk-obs-nodejs
   * encodes the whole value, `/` included; decoding once reads both), an optional `?versionId=` ignored
   * (no versioning here). Or the error OBS would answer: missing, or Archive and not restored (403).
   */
  private copySource(header: string | undefined): StoredObject | RouteResponse {
    let decoded: string;
    try {
      decoded = decodeURIComponent(header ?? '');
    } catch {
      return xmlError(400, 'InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey');
    }
    const path = decoded.replace(/\?versionId=[^/]*$/, '').replace(/^\//, '');
    const slash = path.indexOf('/');
    if (slash <= 0 || slash === path.length - 1) return xmlError(400, 'InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey');
    const bucket = path.slice(0, slash);
    if (!this.buckets.has(bucket)) return xmlError(404, 'NoSuchBucket', 'The specified bucket does not exist');
    const source = this.get(bucket, path.slice(slash + 1));
    if (!source) return xmlError(404, 'NoSuchKey', 'The specified key does not exist.');
    if (ARCHIVED.has(source.storageClass)) return xmlError(403, 'InvalidObjectState', 'Operation is not valid for the source object\'s storage class');
    return source;
  }
}

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** An object address, path style (the server routes virtual-hosted requests as path style). */
const OBJECT = /^\/(?<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(?<key>.+)$/;
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';
const XMLNS = 'http://obs.myhwclouds.com/doc/2015-06-30/';

/** The key from the raw path, decoded once (so `%2F` is a `/` in the key). */
function objectKey(rawPath: string): string {
  return decodeURIComponent(rawPath.slice(rawPath.indexOf('/', 1) + 1));
}

const noSuchUpload = () => xmlError(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.');

/**
 * One `bytes=a-b`, `bytes=a-` or `bytes=-n` range within `size`, or undefined for the whole object:
 * no Range, a malformed or multiple one (ignored, as HTTP allows), or an unsatisfiable one (OBS may
 * then answer 200 with the whole object, which is what this cloud does).
 */
export function byteRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
    if (match[2] !== '' && Number(match[2]) < start) return undefined;
  }
  return start >= size || end < start ? undefined : { start, end };
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${({ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' } as Record<string, string>)[c]};`);
}

export function xmlError(status: number, code: string, message: string): RouteResponse {
  return {
    status,
    body: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Error><Code>${code}</Code><Message>${escapeXml(message)}</Message><RequestId>${randomUUID().replace(/-/g, '').toUpperCase()}</RequestId></Error>`,
  };
}
