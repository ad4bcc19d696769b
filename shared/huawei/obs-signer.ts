import { createHmac } from 'node:crypto';
import type { SigningKey } from './signer';

/**
 * OBS's own request signature (not the API Gateway one): `Authorization: OBS {AK}:{base64 HMAC-SHA1}`
 * over METHOD, Content-MD5, Content-Type, Date, the sorted x-obs-* headers and the canonical
 * resource `/bucket/key`. The local cloud checks it with esdk-obs-nodejs's own implementation.
 */
export function signObsRequest(
  request: { method: string; resource: string; headers: Record<string, string> },
  key: SigningKey,
  now: Date = new Date(),
): Record<string, string> {
  const headers: Record<string, string> = { ...request.headers, Date: now.toUTCString() };
  const obsHeaders = Object.keys(headers)
    .filter((name) => name.toLowerCase().startsWith('x-obs-'))
    .map((name) => [name.toLowerCase(), headers[name]!] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}:${name.startsWith('x-obs-meta-') ? value.trim() : value}\n`)
    .join('');
  const stringToSign = `${request.method}\n${headers['Content-MD5'] ?? ''}\n${headers['Content-Type'] ?? ''}\n${headers.Date}\n${obsHeaders}${request.resource}`;
  headers.Authorization = `OBS ${key.ak}:${createHmac('sha1', key.sk).update(stringToSign).digest('base64')}`;
  return headers;
}
