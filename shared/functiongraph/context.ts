/**
 * The FunctionGraph Node.js runtime context. Every getter is optional here: the platform omits the
 * agency ones when the function has no agency, and local runs and tests pass a partial context.
 */
export interface FunctionGraphLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug?(message: string): void;
}

export interface FunctionGraphContext {
  getRequestID?(): string;
  getRemainingTimeInMilliSeconds?(): number;
  getLogger?(): FunctionGraphLogger;
  getUserData?(key: string): string | undefined;
  getFunctionName?(): string;
  getProjectID?(): string;
  getToken?(): string;
  getSecurityAccessKey?(): string;
  getSecuritySecretKey?(): string;
  getSecurityToken?(): string;
}

/** Calls an optional getter, treating a throwing or empty getter as absent. */
export function fromContext<K extends keyof FunctionGraphContext>(
  context: FunctionGraphContext | undefined,
  getter: K,
  ...args: unknown[]
): string | undefined {
  const fn = context?.[getter] as ((...a: unknown[]) => unknown) | undefined;
  if (typeof fn !== 'function') return undefined;
  try {
    const value = fn.apply(context, args);
    return typeof value === 'string' && value !== '' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Milliseconds the invocation has left, or undefined when the context cannot tell. */
export function remainingTimeMs(context: FunctionGraphContext | undefined): number | undefined {
  const fn = context?.getRemainingTimeInMilliSeconds;
  if (typeof fn !== 'function') return undefined;
  try {
    const value = fn.call(context);
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
