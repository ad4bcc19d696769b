import { createRequire } from 'node:module';
import type { IncomingHttpHeaders } from 'node:http';
import type { AccessKey, VerifyResult } from './signature';

/**
 * Checks OBS's `Authorization: OBS AK:signature` with esdk-obs-nodejs's own signing routine, the
 * official implementation, so our client's signer is tested against it on every OBS request.
 */
const require = createRequire(__filename);
const EsdkUtils = require('esdk-obs-nodejs/lib/utils.js') as { prototype: { doAuth(this: unknown, opt: unknown, method: string, context: unknown): void } };
const OBS_CONTEXT = { signature: 'obs', headerPrefix: 'x-obs-', headerMetaPrefix: 'x-obs-meta-', authPrefix: 'OBS', stsToken: 'x-obs-security-token' };
const MAX_SKEW_MS = 15 * 60 * 1000;
const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * `rawQuery` is the query as sent: esdk keeps its sub-resources (`uploads`, `partNumber`, `uploadId`…)
 * in the string to sign, sorted and decoded, and leaves ordinary parameters (`prefix`, `max-keys`) out.
 */
export function verifyObsSignature(request: { method: string; resource: string; headers: IncomingHttpHeaders; rawQuery?: string }, keys: Map<string, AccessKey>, now = Date.now()): VerifyResult {
  const match = /^OBS ([^:\s]+):([A-Za-z0-9+/=]+)$/.exec(single(request.headers.authorization) ?? '');
  if (!match) return { ok: false, message: 'The request signature we calculated does not match the signature you provided.' };
  const key = keys.get(match[1]!);
  if (!key) return { ok: false, message: 'The OBS Access Key Id you provided does not exist in our records.' };
  const date = single(request.headers.date) ?? '';
  if (Math.abs(now - Date.parse(date)) > MAX_SKEW_MS || Number.isNaN(Date.parse(date))) return { ok: false, message: 'The difference between the request time and the server time is too large.' };
  if (key.securityToken !== undefined && single(request.headers['x-obs-security-token']) !== key.securityToken) return { ok: false, message: 'The security token is invalid.' };
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    const v = single(value);
    if (v === undefined) continue;
    const canonical = name === 'content-md5' ? 'Content-MD5' : name === 'content-type' ? 'Content-Type' : name === 'date' ? 'Date' : name;
    headers[canonical] = v;
  }
  const opt = { method: request.method, headers, uri: request.resource, urlPath: request.rawQuery ? `?${request.rawQuery}` : '' };
  EsdkUtils.prototype.doAuth.call({ ak: key.ak, sk: key.sk, isCname: false, log: { isLevelEnabled: () => false } }, opt, 'ListObjects', OBS_CONTEXT);
  return headers.Authorization === single(request.headers.authorization) ? { ok: true, ak: key.ak } : { ok: false, message: 'The request signature we calculated does not match the signature you provided.' };
}
