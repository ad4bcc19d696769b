/**
 * The baseline: `shared/huawei/transport.ts` re-implemented over the official SDK's transport,
 * `@huaweicloud/huaweicloud-sdk-core`'s HcClient (ClientBuilder + BasicCredentials, axios underneath,
 * AKSKSigner signing), called the way the generated service SDKs call it: `hcClient.sendRequest({
 * method, url, contentType, queryParams, pathParams, headers, data })`.
 *
 * scripts/bench/build.mjs substitutes this module for `./transport` when it builds the baseline
 * bundles, so everything above the transport (the functions, zod schemas, DrsClient…) is the same
 * code and makes the same API calls: the difference measured is the transport alone. Same retry
 * policy as ours (reads retried on 429/5xx/network, full-jitter backoff, per-call budget), same
 * errors, so the functions behave the same on top of it.
 *
 * OBS is not an HcClient service (it has its own signature): its calls go through an HcClient
 * without credentials, carrying our OBS signature and the request's own headers (Range, If-Match),
 * with the XML body kept as text. A read with `maxBodyBytes` (the header's ranged GetObject) asks
 * axios for the body as a stream, as the SDK's download operations do, keeps its first
 * `maxBodyBytes` bytes and destroys the rest unread, as ours does.
 */
import { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder';
import { HcClient } from '@huaweicloud/huaweicloud-sdk-core/HcClient';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials';
import { DefaultHttpClient } from '@huaweicloud/huaweicloud-sdk-core/http/DefaultHttpClient';
import type { Readable } from 'node:stream';
import { HuaweiApiError } from '../../../shared/huawei/errors';
import { signObsRequest } from '../../../shared/huawei/obs-signer';
import { readAtMost } from '../../../shared/huawei/read-at-most';
import type { ApiRequest, ApiResponse, TransportOptions } from '../../../shared/huawei/transport';

const DEFAULT_RETRY = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 5_000 };
/** As ours: how much of an error answer to a byte read is read for its code and message. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** What a generated SDK passes to sendRequest, plus the two extras HcClient honours. */
interface SdkRequestOptions {
  method: string;
  url: string;
  contentType: string;
  queryParams: Record<string, unknown>;
  pathParams: Record<string, unknown>;
  headers: Record<string, string>;
  data?: unknown;
  responseHeaders?: string[];
  axiosRequestConfig?: Record<string, unknown>;
}

/** The SDK's exceptions (ClientRequestException, ServerResponseException, ServiceResponseException). */
interface SdkException {
  httpStatusCode?: number | string;
  errorCode?: string;
  errorMsg?: string;
  requestId?: string;
}

// Built once per origin and key, as a function using the SDK keeps its client across warm invocations.
const clients = new Map<string, HcClient>();

function signedClient(origin: string, options: TransportOptions, projectId: string | undefined): HcClient {
  const { ak, sk, securityToken } = options.credentials;
  const cacheKey = `${origin}|${ak}|${sk}|${securityToken ?? ''}|${projectId ?? ''}`;
  let client = clients.get(cacheKey);
  if (!client) {
    const credentials = new BasicCredentials().withAk(ak).withSk(sk).withProjectId(projectId);
    if (securityToken) credentials.withSecurityToken(securityToken);
    client = new ClientBuilder<HcClient>((hc) => hc).withCredential(credentials).withEndpoint(origin).build();
    clients.set(cacheKey, client);
  }
  return client;
}

function unsignedClient(origin: string): HcClient {
  const cacheKey = `${origin}|unsigned`;
  let client = clients.get(cacheKey);
  if (!client) {
    client = new HcClient(new DefaultHttpClient({}, [origin])).withEndpoints([origin]);
    clients.set(cacheKey, client);
  }
  return client;
}

/** The project id is already in our paths; BasicCredentials also sends it as X-Project-Id, as the SDK does. */
function projectIdOf(path: string): string | undefined {
  return /^\/v\d+\/([^/]+)\//.exec(path)?.[1];
}

export class Transport {
  private readonly retry: typeof DEFAULT_RETRY;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: TransportOptions) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async send(request: ApiRequest): Promise<ApiResponse> {
    const now = Date.now();
    const remaining = this.options.remainingTimeMs?.();
    const deadline = now + Math.max(0, Math.min(this.options.budgetMs ?? 25_000, remaining === undefined ? Infinity : remaining - (this.options.safetyMarginMs ?? 1_000)));
    const maxAttempts = request.retry ? this.retry.maxAttempts : 1;
    for (let attempt = 1; ; attempt++) {
      const started = Date.now();
      let error: HuaweiApiError;
      try {
        const response = await this.attempt(request, deadline);
        this.options.logger.debug('api.call', { operation: request.operation, status: response.status, attempt, durationMs: Date.now() - started, requestId: response.requestId });
        return response;
      } catch (caught) {
        error = toApiError(request.operation, caught, attempt);
      }
      const waitMs = this.random() * Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
      const canRetry = error.retryable && attempt < maxAttempts && Date.now() + waitMs < deadline;
      this.options.logger.warn('api.call.failed', { operation: request.operation, status: error.status, errorCode: error.errorCode, kind: error.kind, attempt, durationMs: Date.now() - started, willRetryInMs: canRetry ? Math.round(waitMs) : undefined });
      if (!canRetry) throw error;
      await this.sleep(waitMs);
    }
  }

  private async attempt(request: ApiRequest, deadline: number): Promise<ApiResponse> {
    const base = request.origin ?? this.options.endpoints[request.service];
    const url = `${base.pathname.replace(/\/$/, '')}${request.path}`;
    const timeout = Math.max(1, Math.min(this.options.requestTimeoutMs ?? 10_000, deadline - Date.now()));
    const options: SdkRequestOptions = {
      method: request.method,
      url,
      contentType: 'application/json',
      queryParams: { ...request.query },
      pathParams: {},
      headers: { ...request.headers },
      ...(request.body === undefined ? {} : { data: request.body }),
      responseHeaders: ['X-Request-Id'],
      axiosRequestConfig: { timeout },
    };
    if (request.obsResource !== undefined) {
      const { credentials } = this.options;
      // The SDK's axios instance sends `content-type: application/json` on every request; OBS signs it.
      const unsigned: Record<string, string> = { 'Content-Type': 'application/json', ...request.headers, ...(credentials.securityToken ? { 'x-obs-security-token': credentials.securityToken } : {}) };
      const { 'Content-Type': _signedType, ...signed } = signObsRequest({ method: request.method, resource: request.obsResource, headers: unsigned }, credentials);
      options.headers = signed;
      options.responseHeaders = ['X-Obs-Request-Id'];
      if (request.maxBodyBytes !== undefined) return this.readBytes(request.maxBodyBytes, unsignedClient(base.origin), options, timeout);
      // The headers ObsClient reads from a HEAD answer (size, eTag, storage class, time).
      const kept = ['Content-Length', 'ETag', 'Last-Modified', 'x-obs-storage-class'];
      options.responseHeaders = ['X-Obs-Request-Id', ...kept];
      // HcClient keeps only object bodies; OBS answers XML, so keep the text in an object.
      options.axiosRequestConfig = { timeout, transformResponse: [(data: unknown) => ({ text: String(data ?? '') })] };
      const result = (await unsignedClient(base.origin).sendRequest(options as never)) as unknown as Record<string, unknown>;
      const responseHeaders = Object.fromEntries(kept.filter((name) => typeof result[name] === 'string').map((name) => [name.toLowerCase(), result[name] as string]));
      return { status: Number(result.httpStatusCode ?? 200), body: {}, text: String(result.text ?? ''), responseHeaders, requestId: result['X-Obs-Request-Id'] as string | undefined };
    }
    const result = (await signedClient(base.origin, this.options, projectIdOf(request.path)).sendRequest(options as never)) as unknown as Record<string, unknown>;
    return { status: Number(result.httpStatusCode ?? 200), body: result, text: '', requestId: result['X-Request-Id'] as string | undefined };
  }

  /**
   * A byte read through HcClient: axios hands the body over as a stream (wrapped in an object, which
   * HcClient keeps, with the response headers asked for); its first `max` bytes are kept and the rest
   * destroyed unread. An error answer's stream is read (capped) for OBS's XML code and message.
   */
  private async readBytes(max: number, client: HcClient, options: SdkRequestOptions, timeout: number): Promise<ApiResponse> {
    let stream: Readable | undefined;
    options.responseHeaders = ['X-Obs-Request-Id', 'Content-Range'];
    options.axiosRequestConfig = {
      timeout,
      responseType: 'stream',
      transformResponse: [
        (data: Readable) => {
          stream = data;
          return { stream: data };
        },
      ],
    };
    try {
      let result: Record<string, unknown>;
      try {
        result = (await client.sendRequest(options as never)) as unknown as Record<string, unknown>;
      } catch (caught) {
        const e = caught as SdkException;
        if (stream === undefined || e.httpStatusCode === undefined || e.httpStatusCode === '') throw caught;
        const text = Buffer.from(await readAtMost(stream, MAX_ERROR_BODY_BYTES)).toString('utf8');
        const xml = (tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(text)?.[1];
        throw Object.assign(caught as object, { errorCode: e.errorCode ?? xml('Code'), errorMsg: xml('Message') ?? e.errorMsg });
      }
      // An application/octet-stream answer comes back as HcClient's SdkStreamResponse, our object in its body.
      const fields = (result.body && typeof result.body === 'object' && 'stream' in result.body ? result.body : result) as Record<string, unknown>;
      const bytes = await readAtMost(stream!, max);
      const contentRange = fields['Content-Range'] as string | undefined;
      return { status: Number(result.httpStatusCode ?? 200), body: {}, text: '', bytes, requestId: fields['X-Obs-Request-Id'] as string | undefined, ...(contentRange === undefined ? {} : { contentRange }) };
    } finally {
      stream?.destroy();
    }
  }
}


function toApiError(operation: string, caught: unknown, attempts: number): HuaweiApiError {
  if (caught instanceof HuaweiApiError) return caught;
  const e = (caught ?? {}) as SdkException & { message?: string };
  const status = e.httpStatusCode === undefined || e.httpStatusCode === '' ? undefined : Number(e.httpStatusCode);
  const errorMsg = e.errorMsg ?? e.message;
  if (status === undefined) {
    return new HuaweiApiError({ operation, kind: /timeout/i.test(errorMsg ?? '') ? 'timeout' : 'network', errorMsg, attempts, cause: caught });
  }
  return new HuaweiApiError({ operation, kind: 'http', status, errorCode: e.errorCode, errorMsg, requestId: e.requestId, attempts, cause: caught });
}
