import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DcsService } from './dcs';
import { DrsService, type DrsOptions } from './drs';
import { FaultInjector } from './faults';
import { FunctionGraphService } from './functiongraph';
import { ObsStore, xmlError } from './obs';
import { verifyObsSignature } from './obs-signature';
import { RdsService } from './rds';
import type { Route, RouteResponse } from './route';
import { verifySignature, type AccessKey } from './signature';
import { SmnService } from './smn';
import { TaurusDbService } from './taurusdb';

export interface LocalCloudOptions {
  port?: number;
  projectId?: string;
  /** Keys whose signatures are accepted. */
  accessKeys?: AccessKey[];
  drs?: Partial<DrsOptions>;
}

/** One request as the cloud saw it, after signature checks; what tests count calls with. */
export interface RecordedRequest {
  operation: string;
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  status: number;
  /** The Range header asked for (OBS GetObject), when there was one. */
  range?: string;
  /** OBS copies: `x-obs-copy-source` as sent (still percent-encoded), and `x-obs-copy-source-range`. */
  copySource?: string;
  copySourceRange?: string;
}

export interface LocalCloud {
  url: string;
  projectId: string;
  obs: ObsStore;
  drs: DrsService;
  dcs: DcsService;
  taurusdb: TaurusDbService;
  rds: RdsService;
  smn: SmnService;
  functiongraph: FunctionGraphService;
  faults: FaultInjector;
  requests: RecordedRequest[];
  /** The environment a function needs to talk to this cloud with `key`. */
  env(key?: AccessKey): Record<string, string>;
  close(): Promise<void>;
}

export const DEFAULT_PROJECT_ID = '054ba152d480d55b2f5dc0069e7ddef0';
export const DEFAULT_ACCESS_KEY: AccessKey = { ak: 'LOCALCLOUDAK0000000001', sk: 'local-cloud-secret-key-do-not-use-in-prod' };
/** FunctionGraph takes function code inline as base64; the other APIs' bodies are far smaller. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) resolve(undefined);
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function queryRecord(query: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(query.keys())) {
    const values = query.getAll(key);
    out[key] = values.length === 1 ? values[0]! : values;
  }
  return out;
}

function decodeSegments(path: string): string | undefined {
  try {
    return path.split('/').map((s) => decodeURIComponent(s).replace(/\//g, '%2F')).join('/');
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * OBS's virtual-hosted style puts the bucket in the Host: `mig-backups.obs.cn-north-4.myhuaweicloud.com`
 * (the real endpoint), or `mig-backups.127.0.0.1:9000` for this cloud on loopback.
 */
const VIRTUAL_HOST = /^(?<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\.(?:obs\.[a-z0-9.-]+|127\.0\.0\.1)(?::\d+)?$/;

/** The bucket named by the Host header, when the request is addressed virtual-hosted style. */
export function virtualHostedBucket(host: string | undefined): string | undefined {
  return VIRTUAL_HOST.exec((host ?? '').toLowerCase())?.groups?.bucket;
}

/** OBS's canonical resource: `/bucket/` or `/bucket/key`, the key as sent (still percent-encoded). */
function obsResource(bucket: string, rawPathInBucket: string): string {
  return `/${bucket}/${rawPathInBucket.replace(/^\//, '')}`;
}

/** Starts the local stand-in for Huawei Cloud on 127.0.0.1; port 0 picks a free one. */
export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const projectId = options.projectId ?? DEFAULT_PROJECT_ID;
  const keys = new Map((options.accessKeys ?? [DEFAULT_ACCESS_KEY]).map((key) => [key.ak, key]));
  const obs = new ObsStore();
  const drs = new DrsService(obs, { jobDurationMs: 1_000, precheckMs: 200, ...options.drs });
  const dcs = new DcsService();
  const taurusdb = new TaurusDbService();
  const rds = new RdsService();
  const smn = new SmnService(projectId);
  const functiongraph = new FunctionGraphService(projectId);
  const faults = new FaultInjector();
  const requests: RecordedRequest[] = [];
  const routes: Route[] = [...drs.routes(), ...dcs.routes(), ...taurusdb.routes(), ...rds.routes(), ...smn.routes(), ...obs.routes(), ...functiongraph.routes()];

  const send = (res: ServerResponse, response: RouteResponse) => {
    if (res.destroyed) return;
    if (response.status === 304) {
      // Not Modified carries no body, so no Content-Length or Content-Type of one either.
      res.writeHead(304, { 'x-obs-request-id': randomUUID().replace(/-/g, ''), ...response.headers });
      res.end();
      return;
    }
    if (Buffer.isBuffer(response.body)) {
      res.writeHead(response.status, { 'content-type': 'binary/octet-stream', 'content-length': response.body.length, 'x-obs-request-id': randomUUID().replace(/-/g, ''), ...response.headers });
      res.end(response.body);
      return;
    }
    const xml = typeof response.body === 'string';
    const requestId = randomUUID().replace(/-/g, '');
    res.writeHead(response.status, { 'content-type': xml ? 'application/xml' : 'application/json', [xml ? 'x-obs-request-id' : 'x-request-id']: requestId, ...response.headers });
    res.end(xml ? response.body : response.body === undefined ? undefined : JSON.stringify(response.body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const rawBody = await readBody(req);
    if (rawBody === undefined) return send(res, { status: 413, body: { error_code: 'APIGW.0201', error_msg: 'Request entity too large' } });
    const [rawPath = '/', rawQuery = ''] = (req.url ?? '/').split('?', 2);
    const query = new URLSearchParams(rawQuery);
    const hostBucket = virtualHostedBucket(req.headers.host);
    // Virtual-hosted requests are OBS's, routed as if the bucket led the path.
    const routedPath = hostBucket ? `/${hostBucket}${rawPath}` : rawPath;
    const decodedPath = decodeSegments(routedPath);
    const method = req.method ?? 'GET';
    let match: { route: Route; params: Record<string, string> } | undefined;
    for (const route of routes) {
      if (hostBucket && route.auth !== 'obs') continue;
      const m = route.method === method && decodedPath !== undefined ? route.pattern.exec(decodedPath) : null;
      if (m && (!route.when || route.when({ query, headers: req.headers }))) {
        match = { route, params: { ...m.groups } };
        break;
      }
    }
    if (!match) return send(res, { status: 404, body: { error_code: 'APIGW.0101', error_msg: 'The API does not exist or has not been published in the environment' } });

    if (match.route.auth === 'obs') {
      const bucket = match.params.bucket!;
      const inBucket = hostBucket ? rawPath : rawPath.slice(rawPath.indexOf(bucket) + bucket.length);
      const verified = verifyObsSignature({ method, resource: obsResource(bucket, inBucket), headers: req.headers, rawQuery }, keys);
      if (!verified.ok) return send(res, xmlError(403, 'SignatureDoesNotMatch', verified.message));
    } else {
      const verified = verifySignature({ method, path: rawPath, query: queryRecord(query), headers: req.headers, rawBody }, keys);
      if (!verified.ok) return send(res, { status: 401, body: { error_code: 'APIGW.0301', error_msg: verified.message, request_id: randomUUID().replace(/-/g, '') } });
    }
    if (match.params.project !== undefined && match.params.project !== projectId) {
      return send(res, { status: 403, body: { error_code: 'APIGW.0302', error_msg: 'The project in the URL does not belong to these credentials' } });
    }

    const { operation } = match.route;
    const range: Pick<RecordedRequest, 'range' | 'copySource' | 'copySourceRange'> = {};
    if (typeof req.headers.range === 'string') range.range = req.headers.range;
    if (typeof req.headers['x-obs-copy-source'] === 'string') range.copySource = req.headers['x-obs-copy-source'];
    if (typeof req.headers['x-obs-copy-source-range'] === 'string') range.copySourceRange = req.headers['x-obs-copy-source-range'];
    let dropAfter = false;
    for (const fault of faults.take(operation)) {
      if (fault.kind === 'latency') await sleep(fault.ms);
      else if (fault.kind === 'drop') return req.socket.destroy();
      else if (fault.kind === 'drop-after') dropAfter = true;
      else {
        const body = fault.body ?? { error_code: fault.errorCode ?? (fault.status === 429 ? 'APIGW.0308' : 'SYS.0500'), error_msg: fault.errorMsg ?? `injected fault: HTTP ${fault.status}` };
        requests.push({ operation, method, path: rawPath, query, body: undefined, status: fault.status, ...range });
        return send(res, { status: fault.status, body, headers: fault.retryAfter ? { 'retry-after': fault.retryAfter } : {} });
      }
    }

    let body: unknown;
    try {
      // OBS bodies are XML (CompleteMultipartUpload): its routes get the text as sent.
      body = match.route.auth === 'obs' ? rawBody || undefined : rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      return send(res, { status: 400, body: { error_code: 'APIGW.0201', error_msg: 'Request body is not valid JSON' } });
    }
    // Routes see the path style address, bucket first, however the request addressed the bucket.
    const response = match.route.handle({ params: match.params, query, body, rawPath: routedPath, headers: req.headers });
    requests.push({ operation, method, path: rawPath, query, body, status: response.status, ...range });
    if (dropAfter) return req.socket.destroy();
    send(res, response);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, { status: 500, body: { error_code: 'SYS.0500', error_msg: `local cloud error: ${(err as Error).message}` } }));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    projectId,
    obs,
    drs,
    dcs,
    taurusdb,
    rds,
    smn,
    functiongraph,
    faults,
    requests,
    env: (key = [...keys.values()][0]!) => ({
      HUAWEICLOUD_REGION: 'cn-north-4',
      HUAWEICLOUD_SDK_PROJECT_ID: projectId,
      HUAWEICLOUD_SDK_AK: key.ak,
      HUAWEICLOUD_SDK_SK: key.sk,
      ...(key.securityToken ? { HUAWEICLOUD_SDK_SECURITY_TOKEN: key.securityToken } : {}),
      DRS_ENDPOINT: url,
      DCS_ENDPOINT: url,
      TAURUSDB_ENDPOINT: url,
      RDS_ENDPOINT: url,
      SMN_ENDPOINT: url,
      OBS_ENDPOINT: url,
      FUNCTIONGRAPH_ENDPOINT: url,
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
