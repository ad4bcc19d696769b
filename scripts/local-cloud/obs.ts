import { createHash, randomUUID } from 'node:crypto';
import type { Route, RouteResponse } from './route';

/** How the object came to be: each gives its own `ObjectCreated:` event. */
export type CreatedBy = 'Put' | 'Post' | 'Copy' | 'CompleteMultipartUpload';

export interface StoredObject {
  bucket: string;
  key: string;
  size: number;
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

  createBucket(bucket: string): void {
    this.buckets.add(bucket);
  }

  /**
   * Stores (or replaces) an object. Its content defaults to a stand-in derived from the key, so
   * uploading the same file again gives the same eTag, as in OBS; pass `content` to change the file.
   */
  put(bucket: string, key: string, options: { content?: string; size?: number; createdBy?: 'Put' | 'Post' } = {}): StoredObject {
    const content = options.content ?? `backup data of ${key}`;
    return this.store(bucket, key, { size: options.size ?? 1024 * 1024, eTag: md5(content).toString('hex'), createdBy: options.createdBy ?? 'Put' });
  }

  /** A multipart upload of `content` in `parts` parts: its eTag is not the content's MD5. */
  putMultipart(bucket: string, key: string, options: { content?: string; parts: number; size?: number }): StoredObject {
    const content = Buffer.from(options.content ?? `backup data of ${key}`);
    const partSize = Math.ceil(content.length / options.parts);
    const partMd5s = Array.from({ length: options.parts }, (_, i) => md5(content.subarray(i * partSize, (i + 1) * partSize)));
    return this.store(bucket, key, { size: options.size ?? 64 * 1024 * 1024, eTag: `${md5(Buffer.concat(partMd5s)).toString('hex')}-${options.parts}`, createdBy: 'CompleteMultipartUpload' });
  }

  /** A server-side copy: the same content, so the same eTag, under a new key. */
  copy(from: { bucket: string; key: string }, bucket: string, key: string): StoredObject {
    const source = this.get(from.bucket, from.key);
    if (!source) throw new Error(`no object ${from.bucket}/${from.key} to copy`);
    return this.store(bucket, key, { size: source.size, eTag: source.eTag, createdBy: 'Copy' });
  }

  private store(bucket: string, key: string, object: Pick<StoredObject, 'size' | 'eTag' | 'createdBy'>): StoredObject {
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
    ];
  }
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
