// undici's pool and request modules, not its index: the index drags fetch, WebSocket and caches (~0.5 MB) into every bundle.
// Semver does not cover these private paths, so package.json pins undici exactly; test/huawei/undici-pin.test.ts checks both.
import undiciRequest from 'undici/lib/api/api-request.js';
import Pool from 'undici/lib/dispatcher/pool.js';
import type { Credentials } from './credentials';
import type { Endpoints, Service } from './endpoints';
import { HuaweiApiError } from './errors';
import { readAtMost } from './read-at-most';
import { signObsRequest } from './obs-signer';
import { canonicalQueryString, signRequest, type QueryParams } from './signer';
import type { Logger } from '../log/logger';

export interface ApiRequest {
  /** `service.operationName`, used in errors, logs and fault injection. */
  operation: string;
  service: Service;
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  /** Path with every segment already percent-encoded. */
  path: string;
  query?: QueryParams;
  body?: unknown;
  /**
   * A body sent as it is, with its Content-Type (OBS's XML, e.g. CompleteMultipartUpload), instead of
   * `body` as JSON. The Content-Type is sent and, for OBS, signed.
   */
  rawBody?: { content: string; contentType: string };
  /** OBS signs with its own scheme over this canonical resource (`/bucket/`); everything else with SDK-HMAC-SHA256. */
  obsResource?: string;
  /** Overrides the service endpoint for this request (OBS virtual-hosted bucket addresses). */
  origin?: URL;
  /** Extra request headers (e.g. `Range`, `If-Match`); signed like the others where the scheme covers them. */
  headers?: Record<string, string>;
  /**
   * Reads the body as bytes, keeping at most this many: the rest of the stream is destroyed unread, so
   * an object whose range was ignored is never buffered whole. The 2xx answer carries `bytes`, `text`
   * stays empty and `body` is {} (no content reaches parsing, errors or logs).
   */
  maxBodyBytes?: number;
  /**
   * Reads are retried on 429, 5xx and network errors. Calls that create something are sent once:
   * a blind resend could create a second restore job, so the caller decides what happens next.
   */
  retry: boolean;
}

export interface ApiResponse {
  status: number;
  /** The parsed JSON body (object or array), or {} when the body is not JSON (see `text`). */
  body: unknown;
  text: string;
  requestId: string | undefined;
  /** Only with `maxBodyBytes`: the first bytes of the 2xx body, at most that many. */
  bytes?: Uint8Array;
  /** Only with `maxBodyBytes`: the response's Content-Range, if any. */
  contentRange?: string;
  /** The answer's headers, names lower-case (OBS HeadObject says everything in them). */
  responseHeaders?: Record<string, string>;
}

export interface RetryPolicy {
  /** Attempts per read, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface TransportOptions {
  endpoints: Endpoints;
  credentials: Credentials;
  logger: Logger;
  connectTimeoutMs?: number;
  /** Per attempt: time to the whole answer. */
  requestTimeoutMs?: number;
  /** Per call, all attempts and waits included. */
  budgetMs?: number;
  /** The invocation's remaining time; calls stop this long before it runs out. */
  remainingTimeMs?: () => number | undefined;
  safetyMarginMs?: number;
  retry?: Partial<RetryPolicy>;
  pools?: PoolCache;
  random?: () => number;
  /** The clock for deadlines and Retry-After dates, and the wait between attempts: tests pass their own. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** One keep-alive pool per endpoint origin, kept across warm invocations. */
export class PoolCache {
  private readonly pools = new Map<string, Pool>();
  constructor(private readonly connectTimeoutMs = 3_000) {}

  get(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: 32,
        keepAliveTimeout: 30_000,
        connect: { timeout: this.connectTimeoutMs },
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.close()));
  }
}

export const sharedPools = new PoolCache();

const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 5_000 };
/** In byte-reading mode, how much of an error answer is read for its code and message. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export class Transport {
  private readonly retryPolicy: RetryPolicy;
  private readonly pools: PoolCache;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly options: TransportOptions) {
    this.retryPolicy = { ...DEFAULT_RETRY, ...options.retry };
    this.pools = options.pools ?? sharedPools;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
  }

  /** Sends the request (retrying reads) and returns the 2xx answer, or throws HuaweiApiError. */
  async send(request: ApiRequest): Promise<ApiResponse> {
    const deadline = this.deadline();
    const maxAttempts = request.retry ? this.retryPolicy.maxAttempts : 1;
    for (let attempt = 1; ; attempt++) {
      const started = this.now();
      let error: HuaweiApiError;
      let retryAfterMs: number | undefined;
      try {
        const response = await this.attempt(request, deadline, attempt);
        if (response.status < 400) {
          this.options.logger.debug('api.call', { operation: request.operation, status: response.status, attempt, durationMs: this.now() - started, requestId: response.requestId });
          return response;
        }
        error = errorFromResponse(request.operation, response, attempt);
        if (response.status === 429 || response.status === 503) retryAfterMs = parseRetryAfter(response.retryAfter, this.now());
      } catch (caught) {
        error = caught as HuaweiApiError;
      }
      const waitMs = retryAfterMs ?? this.backoff(attempt);
      const canRetry = error.retryable && attempt < maxAttempts && this.now() + waitMs < deadline;
      this.options.logger.warn('api.call.failed', {
        operation: request.operation,
        status: error.status,
        errorCode: error.errorCode,
        kind: error.kind,
        attempt,
        durationMs: this.now() - started,
        requestId: error.requestId,
        willRetryInMs: canRetry ? Math.round(waitMs) : undefined,
      });
      if (!canRetry) throw error;
      await this.sleep(waitMs);
    }
  }

  private deadline(): number {
    const now = this.now();
    const budget = this.options.budgetMs ?? 25_000;
    const remaining = this.options.remainingTimeMs?.();
    const fromInvocation = remaining === undefined ? Infinity : remaining - (this.options.safetyMarginMs ?? 1_000);
    return now + Math.max(0, Math.min(budget, fromInvocation));
  }

  /** Full jitter: uniform in [0, min(cap, base · 2^(attempt-1))]. */
  private backoff(attempt: number): number {
    const { baseDelayMs, maxDelayMs } = this.retryPolicy;
    return this.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  }

  private async attempt(
    request: ApiRequest,
    deadline: number,
    attempt: number,
  ): Promise<ApiResponse & { retryAfter: string | undefined }> {
    const base = request.origin ?? this.options.endpoints[request.service];
    const { credentials } = this.options;
    const basePath = base.pathname.replace(/\/$/, '');
    const path = `${basePath}${request.path}`;
    const body = request.rawBody ? request.rawBody.content : request.body === undefined ? undefined : JSON.stringify(request.body);
    const contentType: Record<string, string> = request.rawBody ? { 'Content-Type': request.rawBody.contentType } : {};
    let headers: Record<string, string>;
    if (request.obsResource !== undefined) {
      const unsigned: Record<string, string> = { ...request.headers, ...contentType, ...(credentials.securityToken ? { 'x-obs-security-token': credentials.securityToken } : {}) };
      headers = { ...signObsRequest({ method: request.method, resource: request.obsResource, headers: unsigned }, credentials), host: base.host };
    } else {
      const unsigned: Record<string, string> = { 'Content-Type': 'application/json', ...request.headers, ...contentType };
      if (credentials.securityToken) unsigned['X-Security-Token'] = credentials.securityToken;
      headers = signRequest(
        { method: request.method, path, host: base.host, query: request.query, headers: unsigned, ...(body ? { body } : {}) },
        credentials,
      );
    }
    const query = canonicalQueryString(request.query);
    const timeoutMs = Math.max(1, Math.min(this.options.requestTimeoutMs ?? 10_000, deadline - this.now()));
    const fail = (kind: 'network' | 'timeout', cause: unknown) =>
      new HuaweiApiError({ operation: request.operation, kind, errorMsg: cause instanceof Error ? cause.message : String(cause), attempts: attempt, cause });

    let status: number;
    let responseHeaders: Record<string, string | string[] | undefined>;
    let text: string;
    let bytes: Uint8Array | undefined;
    try {
      const response = await undiciRequest.call(this.pools.get(base.origin), {
        method: request.method,
        path: query ? `${path}?${query}` : path,
        headers,
        ...(body ? { body } : {}),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.statusCode;
      responseHeaders = response.headers;
      if (request.maxBodyBytes === undefined) text = await response.body.text();
      else if (status >= 400) {
        // An error answer is the service's small XML or JSON, not the object: read it (capped) as text for its code and message.
        text = Buffer.from(await readAtMost(response.body, MAX_ERROR_BODY_BYTES)).toString('utf8');
      } else {
        bytes = await readAtMost(response.body, request.maxBodyBytes);
        text = '';
      }
    } catch (cause) {
      const code = (cause as { code?: string; name?: string }).code ?? '';
      const name = (cause as { name?: string }).name ?? '';
      throw fail(TIMEOUT_CODES.has(code) || name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network', cause);
    }

    const flatHeaders: Record<string, string> = {};
    for (const name of Object.keys(responseHeaders)) {
      const value = header(responseHeaders, name);
      if (value !== undefined) flatHeaders[name.toLowerCase()] = value;
    }
    if (bytes !== undefined) {
      const requestId = header(responseHeaders, 'x-request-id') ?? header(responseHeaders, 'x-obs-request-id');
      const contentRange = header(responseHeaders, 'content-range');
      return { status, body: {}, text: '', bytes, requestId, retryAfter: undefined, responseHeaders: flatHeaders, ...(contentRange === undefined ? {} : { contentRange }) };
    }
    let parsed: unknown = {};
    if (text && /^\s*[{[]/.test(text)) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = {};
      }
    }
    const fields = (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
    const requestId =
      header(responseHeaders, 'x-request-id') ?? header(responseHeaders, 'x-obs-request-id') ?? (typeof fields.request_id === 'string' ? fields.request_id : undefined);
    return { status, body: parsed, text, requestId, retryAfter: header(responseHeaders, 'retry-after'), responseHeaders: flatHeaders };
  }
}


/** Error bodies are JSON `{error_code, error_msg}`, or OBS's XML `<Error><Code/><Message/></Error>`. */
function errorFromResponse(operation: string, response: ApiResponse, attempt: number): HuaweiApiError {
  const fields = (response.body && typeof response.body === 'object' ? response.body : {}) as Record<string, unknown>;
  const xml = (tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(response.text)?.[1];
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return new HuaweiApiError({
    operation,
    kind: 'http',
    status: response.status,
    errorCode: text(fields.error_code) ?? xml('Code'),
    errorMsg: text(fields.error_msg) ?? xml('Message') ?? (response.text && !response.text.startsWith('{') ? response.text.slice(0, 512) : undefined),
    requestId: response.requestId,
    attempts: attempt,
  });
}
