import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner';
import type { IHttpRequest } from '@huaweicloud/huaweicloud-sdk-core/http/IHttpRequest';

/**
 * The official SDK signer, with one change: the payload hash is taken over the body bytes as
 * received (what the gateway hashes), not over JSON.stringify of a re-parsed object.
 */
class ReceivedRequestSigner extends AKSKSigner {
  protected static override buildPayloadHash(request: IHttpRequest & { rawBody?: string }): string {
    return createHash('sha256').update(request.rawBody ?? '').digest('hex');
  }
}

export interface AccessKey {
  ak: string;
  sk: string;
  /** Set for temporary credentials: requests must carry it as X-Security-Token. */
  securityToken?: string;
}

export interface ReceivedRequest {
  method: string;
  /** Path exactly as on the wire, without the query string. */
  path: string;
  query: Record<string, string | string[]>;
  headers: IncomingHttpHeaders;
  rawBody: string;
}

export type VerifyResult = { ok: true; ak: string } | { ok: false; message: string };

const AUTHORIZATION = /^SDK-HMAC-SHA256 Access=([^,\s]+), SignedHeaders=([a-z0-9;_-]+), Signature=([0-9a-f]{64})$/;
const MAX_SKEW_MS = 15 * 60 * 1000;

function sdkDateToMs(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
}

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** Checks an SDK-HMAC-SHA256 signature the way API Gateway does; messages follow APIG's wording. */
export function verifySignature(request: ReceivedRequest, keys: Map<string, AccessKey>, now = Date.now()): VerifyResult {
  const fail = (message: string): VerifyResult => ({ ok: false, message: `Incorrect IAM authentication information: ${message}` });
  const match = AUTHORIZATION.exec(single(request.headers.authorization) ?? '');
  if (!match) return fail('verify aksk signature fail');
  const [, ak, signedHeaderList, signature] = match as unknown as [string, string, string, string];
  const key = keys.get(ak);
  if (!key) return fail('Get secretKey failed,ak:******,err:ak not exist');

  const date = single(request.headers['x-sdk-date']) ?? '';
  const dateMs = sdkDateToMs(date);
  if (Number.isNaN(dateMs) || Math.abs(now - dateMs) > MAX_SKEW_MS) return fail('verify aksk signature fail, X-Sdk-Date is missing or more than 15 minutes off');
  if (key.securityToken !== undefined && single(request.headers['x-security-token']) !== key.securityToken) {
    return fail('decrypt token fail');
  }

  const signedNames = signedHeaderList.split(';');
  if (!signedNames.includes('host') || !signedNames.includes('x-sdk-date')) return fail('verify aksk signature fail');
  const headers: Record<string, string> = {};
  for (const name of signedNames) {
    const value = single(request.headers[name]);
    if (value === undefined) return fail('verify aksk signature fail');
    headers[name === 'x-sdk-date' ? 'X-Sdk-Date' : name] = value;
  }
  const expected = ReceivedRequestSigner.sign(
    {
      method: request.method,
      endpoint: `http://${headers.host}${request.path}`,
      headers,
      queryParams: request.query,
      rawBody: request.rawBody,
    } as IHttpRequest,
    { getAk: () => ak, getSk: () => key.sk } as never,
  ) as Record<string, string>;
  const expectedSignature = /Signature=([0-9a-f]{64})$/.exec(expected.Authorization ?? '')?.[1] ?? '';
  const same = expectedSignature.length === signature.length && timingSafeEqual(Buffer.from(expectedSignature), Buffer.from(signature));
  return same ? { ok: true, ak } : fail('verify aksk signature fail');
}
