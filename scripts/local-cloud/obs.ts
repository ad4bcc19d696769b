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
}

const md5 = (data: string | Buffer) => createHash('md5').update(data).digest();

/** The objects "uploaded" to OBS; DRS reads it to find backup files. */
export class ObsStore {
  private readonly objects = new Map<string, StoredObject>();
  private readonly buckets = new Set<string>();
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
   * bytes are what GET object serves).
   */
  put(bucket: string, key: string, options: { content?: string | Uint8Array; size?: number; createdBy?: 'Put' | 'Post' } = {}): StoredObject {
    const content = Buffer.from(options.content ?? `backup data of ${key}`);
    const size = options.size ?? (options.content === undefined ? 1024 * 1024 : content.length);
    return this.store(bucket, key, { content, size, eTag: md5(content).toString('hex'), createdBy: options.createdBy ?? 'Put' });
  }

  /** A multipart upload of `content` in `parts` parts: its eTag is not the content's MD5. */
  putMultipart(bucket: string, key: string, options: { content?: string | Uint8Array; parts: number; size?: number }): StoredObject {
    const content = Buffer.from(options.content ?? `backup data of ${key}`);
    const partSize = Math.ceil(content.length / options.parts);
    const partMd5s = Array.from({ length: options.parts }, (_, i) => md5(content.subarray(i * partSize, (i + 1) * partSize)));
    return this.store(bucket, key, { content, size: options.size ?? 64 * 1024 * 1024, eTag: `${md5(Buffer.concat(partMd5s)).toString('hex')}-${options.parts}`, createdBy: 'CompleteMultipartUpload' });
  }

  /** A server-side copy: the same content, so the same eTag, under a new key. */
  copy(from: { bucket: string; key: string }, bucket: string, key: string): StoredObject {
    const source = this.get(from.bucket, from.key);
    if (!source) throw new Error(`no object ${from.bucket}/${from.key} to copy`);
    return this.store(bucket, key, { content: source.content, size: source.size, eTag: source.eTag, createdBy: 'Copy' });
  }

  private store(bucket: string, key: string, object: Pick<StoredObject, 'content' | 'size' | 'eTag' | 'createdBy'>): StoredObject {
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
          const range = this.ignoreRange ? undefined : byteRange(single(headers.range), object.content.length);
          if (!range) return { status: 200, body: object.content, headers: meta };
          return {
            status: 206,
            body: object.content.subarray(range.start, range.end + 1),
            headers: { ...meta, 'content-range': `bytes ${range.start}-${range.end}/${object.content.length}` },
          };
        },
      },
    ];
  }
}

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

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
