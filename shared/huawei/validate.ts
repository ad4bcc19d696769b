import type { z } from 'zod';
import { HuaweiApiError, InvalidRequestError } from './errors';
import { percentEncode, type QueryParams } from './signer';

function fieldOf(issue: z.core.$ZodIssue): string {
  return issue.path.length ? issue.path.map(String).join('.') : '(request)';
}

/** Validates a request before it is sent; the error names the first offending field. */
export function parseRequest<S extends z.ZodType>(operation: string, schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new InvalidRequestError(operation, fieldOf(issue), issue.message);
}

/** Parses a 2xx answer leniently (unknown fields pass); a missing or mistyped documented field is a typed error. */
export function parseResponse<S extends z.ZodType>(operation: string, schema: S, body: unknown, requestId: string | undefined): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new HuaweiApiError({
    operation,
    kind: 'response-shape',
    status: 200,
    errorMsg: `unexpected response: ${fieldOf(issue)}: ${issue.message}`,
    requestId,
  });
}

/**
 * Path segments are percent-encoded (strict RFC 3986, as the signer canonicalises) so an id can never
 * change the route. ':' stays literal (legal in
 * a path) so an SMN topic URN signs the same whether the gateway canonicalises the raw or decoded path.
 */
export function segment(value: string): string {
  return percentEncode(value).replace(/%3A/g, ':');
}

/** Validated query fields as strings (arrays as repeated keys), leaving out the unset ones. */
export function toQuery(query: Record<string, unknown>): QueryParams {
  const out: QueryParams = {};
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    out[key] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return out;
}
