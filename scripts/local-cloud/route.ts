import type { IncomingHttpHeaders } from 'node:http';

export interface RouteRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /** The path as sent, still percent-encoded. */
  rawPath: string;
  headers: IncomingHttpHeaders;
}

export interface RouteResponse {
  status: number;
  /** Sent as JSON, as XML when it is a string (OBS), or as bytes when it is a Buffer (OBS objects). */
  body: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  /** Matched against the decoded-per-segment path; named groups become params. `project` is checked by the server. */
  pattern: RegExp;
  /**
   * Further required of the request, for OBS operations that share a method and path and differ by
   * sub-resource or header (`?uploads`, `?uploadId=`, `x-obs-copy-source`). Routes are tried in order.
   */
  when?(request: { query: URLSearchParams; headers: IncomingHttpHeaders }): boolean;
  operation: string;
  /** OBS signs with its own scheme over `/bucket/`; every other API with SDK-HMAC-SHA256. */
  auth?: 'obs';
  handle(request: RouteRequest): RouteResponse;
}

export const ok = (body: unknown): RouteResponse => ({ status: 200, body });
export const error = (status: number, errorCode: string, errorMsg: string): RouteResponse => ({
  status,
  body: { error_code: errorCode, error_msg: errorMsg },
});

/** Integer query parameter; undefined when absent, NaN when not a non-negative integer. */
export function intParam(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  return /^\d+$/.test(value) ? Number(value) : NaN;
}
