import * as z from 'zod';
import { HuaweiApiError, InvalidRequestError } from './errors';
import { BucketName } from './drs-schemas';
import type { Transport } from './transport';
import { parseRequest, segment } from './validate';

/** OBS ListObjects (GET bucket), the one OBS call restore-pilot makes: reconcile lists a chain's prefix. */

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
