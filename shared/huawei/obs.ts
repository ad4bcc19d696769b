import * as z from 'zod';
import { HuaweiApiError, InvalidRequestError } from './errors';
import { BucketName } from './drs-schemas';
import type { Transport } from './transport';
import { percentEncode } from './signer';
import { parseRequest, segment } from './validate';

/**
 * OBS ListObjects (GET bucket), for reconcile to list a chain's prefix, and one ranged GetObject per
 * backup version, to read its first bytes (the SQL Server header).
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

const ReadObjectStartRequest = z.object({
  bucket: BucketName,
  key: z.string().min(1, 'must not be empty').refine((key) => Buffer.byteLength(key) <= 1024, 'must be at most 1024 bytes'),
  bytes: z.number().int('must be an integer').min(1, 'must be 1 to 16 MiB').max(16 * 1024 * 1024, 'must be 1 to 16 MiB'),
  ifMatch: z.string().regex(/^"?[^"\s]+"?$/, 'must be an eTag'),
});

const tag = (xml: string, name: string) => {
  const match = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return match ? unescapeXml(match[1]!) : undefined;
};

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
