import { createHash, createHmac } from 'node:crypto';

/**
 * SDK-HMAC-SHA256 request signing, written to be byte-for-byte what
 * `@huaweicloud/huaweicloud-sdk-core`'s AKSKSigner produces (test/huawei/signer.test.ts proves it
 * over generated requests). Our own copy because the SDK's pulls moment, lodash and axios into
 * every function bundle.
 */

export const SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';
const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface SigningKey {
  ak: string;
  sk: string;
}

export type QueryParams = Record<string, string | string[]>;

export interface SignableRequest {
  method: string;
  /** Path as sent on the wire, without query string. */
  path: string;
  /** Host as sent in the Host header (with port when not default). */
  host: string;
  query?: QueryParams;
  /** Headers that will be sent and signed, apart from Host and X-Sdk-Date which the signer adds. */
  headers: Record<string, string>;
  body?: string;
}

/** RFC 3986 percent-encoding: everything but A-Z a-z 0-9 - . _ ~ (what the SDK signer and the gateway use). */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The query string exactly as the signature covers it: keys sorted, repeated keys for arrays, values sorted. */
export function canonicalQueryString(query: QueryParams | undefined): string {
  if (!query) return '';
  const pairs: string[] = [];
  for (const key of Object.keys(query).sort()) {
    const value = query[key]!;
    const values = Array.isArray(value) ? [...value].sort() : [value];
    for (const item of values) pairs.push(`${percentEncode(key)}=${percentEncode(item)}`);
  }
  return pairs.join('&');
}

export function canonicalUri(path: string): string {
  const encoded = path.split('/').map(percentEncode).join('/');
  return encoded.endsWith('/') ? encoded : `${encoded}/`;
}

/** `YYYYMMDDTHHMMSSZ` in UTC. */
export function sdkDate(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/** Returns every header to send: the request's own, plus host, X-Sdk-Date and Authorization. */
export function signRequest(request: SignableRequest, key: SigningKey, now: Date = new Date()): Record<string, string> {
  const headers: Record<string, string> = { ...request.headers, host: request.host, 'X-Sdk-Date': sdkDate(now) };
  const names = Object.keys(headers);
  const signedHeaders = names
    .map((name) => name.toLowerCase())
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .join(';');
  const canonicalHeaders = [...names]
    .sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()))
    .map((name) => `${name.toLowerCase()}:${headers[name]}\n`)
    .join('');
  const canonicalRequest = [
    request.method,
    canonicalUri(request.path),
    canonicalQueryString(request.query),
    canonicalHeaders,
    signedHeaders,
    request.body ? sha256Hex(request.body) : EMPTY_BODY_SHA256,
  ].join('\n');
  const stringToSign = [SIGNING_ALGORITHM, headers['X-Sdk-Date'], sha256Hex(canonicalRequest)].join('\n');
  const signature = createHmac('sha256', key.sk).update(stringToSign).digest('hex');
  headers.Authorization = `${SIGNING_ALGORITHM} Access=${key.ak}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
